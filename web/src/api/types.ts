/** The API's records as the console reads them (a subset of each answer's fields). */

export interface Token {
  name: string;
  type: string;
  description: string;
  example: string | number | boolean;
  optional?: boolean;
}

export interface EventType {
  type: string;
  version: number;
  description: string;
  hasAccount: boolean;
  schema: JsonSchema;
  tokens: Token[];
}

export interface JsonSchema {
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
}

export type Ordering = 'ordered' | 'unordered';

export interface Endpoint {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  ordering: Ordering;
  enabled: boolean;
  disabledReason: string | null;
  auth: { type: string };
  createdAt: string;
}

export interface EndpointWithSecret extends Endpoint {
  secret: string;
  previousSecretsExpireAt?: string;
}

export type TlsMode = 'none' | 'starttls' | 'implicit';

export interface SmtpProfile {
  id: string;
  name: string;
  host: string;
  port: number;
  tls: TlsMode;
  fromName?: string;
  fromAddress: string;
  username?: string;
  hasPassword: boolean;
  isDefault: boolean;
}

export type Recipient = { contactType: string } | { address: string; name?: string };

export interface CannedEmail {
  id: string;
  name: string;
  eventType: string;
  locale: string | null;
  subject: string;
  html?: string;
  text?: string;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  smtpProfileId?: string;
  updatedAt: string;
}

export interface EmailPreview {
  subject: string;
  html?: string;
  text?: string;
  from: { address: string; name?: string };
  to: { address: string; name?: string }[];
  notes: string[];
  smtpProfileId: string;
}

export interface Subscription {
  id: string;
  name?: string;
  eventTypes: string[];
  filter: Record<string, string | number | boolean> | null;
  endpointId?: string;
  emailTemplateId?: string;
  enabled: boolean;
}

export interface Account {
  id: string;
  name?: string;
  number?: string;
}

export interface ContactType {
  id: string;
  name: string;
  isEmailDefault: boolean;
}

export type Channel = 'webhook' | 'email';
export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'cancelled';
export const DELIVERY_STATUSES: DeliveryStatus[] = [
  'succeeded',
  'failed',
  'pending',
  'in_flight',
  'cancelled',
];

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  accountId: string | null;
  channel: Channel;
  endpointId?: string;
  emailTemplateId?: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface Attempt {
  number: number;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  statusCode: number | null;
  errorCode: string | null;
  error: string | null;
  responseBody: string | null;
  request: Record<string, unknown>;
}

export interface DeliveryDetail extends Omit<Delivery, 'attempts'> {
  attempts: Attempt[];
}

export interface AcceptedEvent {
  id: string;
  type: string;
  accountId: string | null;
  acceptedAt: string;
}
