/**
 * The answers of the configuration routes (accounts, contact types, endpoints,
 * SMTP profiles, canned emails, subscriptions), for the OpenAPI document; see
 * response-schemas.ts for the rest and the conventions.
 */
import { Type } from '@sinclair/typebox';
import { Id, Json, Nullable, Stamps, Time } from './response-schemas.ts';

export const Account = Type.Object({
  id: Id,
  number: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  timezone: Type.Optional(Type.String()),
  locale: Type.Optional(Type.String()),
  emailInvoicing: Type.Boolean(),
  contacts: Type.Record(
    Type.String(),
    Type.Object({ name: Type.Optional(Type.String()), email: Type.String() }),
    { description: 'keyed by contact type name' },
  ),
  ...Stamps,
});

export const ContactType = Type.Object({
  id: Id,
  name: Type.String(),
  isEmailDefault: Type.Boolean(),
  isBilling: Type.Boolean(),
  createdAt: Time,
});

const EndpointFields = {
  id: Id,
  name: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  ordering: Type.Union([Type.Literal('ordered'), Type.Literal('unordered')]),
  auth: Type.Object(
    { type: Type.String() },
    { description: 'the kind and the names, never a secret' },
  ),
  headers: Type.Record(Type.String(), Type.String(), { description: 'values are [redacted]' }),
  parameters: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
  rateLimit: Nullable(Type.Integer()),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  ...Stamps,
};
export const Endpoint = Type.Object(EndpointFields);
const Secret = Type.String({ description: 'the whsec_ signing secret; shown this once only' });
export const EndpointCreated = Type.Object({ ...EndpointFields, secret: Secret });
export const EndpointRotated = Type.Object({
  ...EndpointFields,
  secret: Secret,
  previousSecretsExpireAt: Time,
});
export const Requeued = Type.Object({ requeued: Type.Integer() });

export const SmtpProfile = Type.Object({
  id: Id,
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  tls: Type.Union([Type.Literal('none'), Type.Literal('starttls'), Type.Literal('implicit')]),
  fromName: Type.Optional(Type.String()),
  fromAddress: Type.String(),
  bcc: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  hasPassword: Type.Boolean({ description: 'the password itself is never returned' }),
  isDefault: Type.Boolean(),
  ...Stamps,
});

const Recipients = Type.Array(Json, { description: '{contactType} or {address, name}' });
export const EmailTemplate = Type.Object({
  id: Id,
  name: Type.String(),
  eventType: Type.String(),
  locale: Nullable(Type.String()),
  subject: Type.String(),
  html: Type.Optional(Type.String()),
  text: Type.Optional(Type.String()),
  to: Recipients,
  cc: Recipients,
  bcc: Recipients,
  fromName: Type.Optional(Type.String()),
  fromAddress: Type.Optional(Type.String()),
  smtpProfileId: Type.Optional(Type.String()),
  ...Stamps,
});

const Address = Type.Object({ name: Type.Optional(Type.String()), address: Type.String() });
export const Preview = Type.Object({
  subject: Type.String(),
  html: Type.Optional(Type.String()),
  text: Type.Optional(Type.String()),
  from: Address,
  to: Type.Array(Address),
  cc: Type.Array(Address),
  bcc: Type.Array(Address),
  notes: Type.Array(Type.String(), { description: 'fallbacks taken, such as a contact type' }),
  smtpProfileId: Id,
  eventId: Id,
});
export const TestSent = Type.Object({
  sent: Type.Boolean(),
  to: Type.String(),
  messageId: Type.String(),
  response: Type.String({ description: "the SMTP server's answer" }),
  smtpProfileId: Id,
});

export const Subscription = Type.Object({
  id: Id,
  name: Type.Optional(Type.String()),
  eventTypes: Type.Array(Type.String()),
  filter: Nullable(Json),
  endpointId: Type.Optional(Id),
  emailTemplateId: Type.Optional(Id),
  schedule: Nullable(Type.Object({ offsetDays: Type.Integer(), at: Type.String() })),
  enabled: Type.Boolean(),
  ...Stamps,
});
