/**
 * The configuration documents kept in the store's records, as Herald reads them.
 * Secret fields are held sealed (see crypto/secret-box.ts): only the delivery jobs
 * open them, just before use.
 */

export interface Contact {
  name?: string;
  email: string;
}

export interface AccountDoc {
  id: string;
  number?: string;
  name?: string;
  status?: string;
  timezone?: string;
  locale?: string;
  emailInvoicing: boolean;
  balance?: number;
  currency?: string;
  /** Keyed by contact type name: at most one contact of each type. */
  contacts: Record<string, Contact>;
}

export interface ContactTypeDoc {
  id: string;
  name: string;
  /** The fallback when an account lacks the contact type a template asks for. */
  isEmailDefault: boolean;
  /** Receives invoice notifications of accounts that take email invoicing. */
  isBilling: boolean;
}

export interface SealedSecret {
  sealed: string;
  /** Set on a rotated-out secret: it is still sent until then, then dropped. */
  expiresAt: number | null;
}

export interface EndpointAuth {
  type: 'none' | 'basic' | 'bearer' | 'oauth2';
  username?: string;
  /** Sealed password (basic), token (bearer) or client secret (oauth2). */
  sealed?: string;
  /** OAuth 2.0 client credentials settings. */
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  audience?: string;
}

export interface EndpointDoc {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  ordering: 'ordered' | 'unordered';
  auth: EndpointAuth;
  /** Custom header values are sealed: they often carry credentials. */
  headers: { name: string; sealed: string }[];
  parameters: { name: string; value: string }[];
  rateLimit: number | null;
  enabled: boolean;
  disabledReason: string | null;
  /** When the current run of failed attempts began; absent while healthy. */
  failingSince?: number | null;
  secrets: SealedSecret[];
}

export type TlsMode = 'none' | 'starttls' | 'implicit';

export interface SmtpProfileDoc {
  id: string;
  name: string;
  host: string;
  port: number;
  tls: TlsMode;
  fromName?: string;
  fromAddress: string;
  bcc: string[];
  username?: string;
  passwordSealed?: string;
  /** Connections Herald may hold open to the server at once. */
  maxConnections?: number;
  isDefault: boolean;
}

export type RecipientSpec = { contactType: string } | { address: string; name?: string };

export interface EmailTemplateDoc {
  id: string;
  name: string;
  eventType: string;
  locale: string | null;
  subject: string;
  html?: string;
  text?: string;
  to: RecipientSpec[];
  cc: RecipientSpec[];
  bcc: RecipientSpec[];
  fromName?: string;
  fromAddress?: string;
  smtpProfileId?: string;
}

export interface SubscriptionDoc {
  id: string;
  name?: string;
  eventTypes: string[];
  /** Token path to required value; every pair must match. */
  filter: Record<string, string | number | boolean> | null;
  endpointId?: string;
  emailTemplateId?: string;
  schedule: { offsetDays: number; at: string } | null;
  enabled: boolean;
}
