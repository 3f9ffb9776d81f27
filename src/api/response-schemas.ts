/**
 * The shapes of the API's answers, for the OpenAPI document (see docs.ts and
 * response-docs.ts): owners and keys, events, deliveries, and what the triggers
 * keep; the configuration records are in config-schemas.ts. Each lists the fields
 * a client may rely on; an answer may carry more, so none forbids other fields.
 */
import { Type, type TSchema } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Time = Type.String({ format: 'date-time' });
export const Id = Type.String();
export const Json = Type.Object({}, { additionalProperties: true });

/** `{data: [...]}`: every record at once. */
export const List = (item: TSchema) => Type.Object({ data: Type.Array(item) });

/** `{data: [...], nextCursor}`: one page; pass nextCursor as `after` for the next. */
export const Page = (item: TSchema) =>
  Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'give as `after` for the next page' })),
  });

export const Stamps = { createdAt: Time, updatedAt: Time };

export const Owner = Type.Object({
  id: Id,
  name: Type.String(),
  defaultLocale: Type.String(),
  alertEmail: Nullable(Type.String()),
  createdAt: Time,
});

export const OwnerCreated = Type.Composite([
  Owner,
  Type.Object({
    key: Type.Object({
      id: Id,
      scopes: Type.Array(Type.String()),
      secret: Type.String({ description: 'the first admin key; shown this once only' }),
    }),
  }),
]);

export const Key = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the secret' }),
  scopes: Type.Array(Type.String()),
  createdAt: Time,
});

export const KeyCreated = Type.Composite([
  Key,
  Type.Object({ secret: Type.String({ description: 'shown this once only' }) }),
]);

export const EventType = Type.Object({
  type: Type.String(),
  version: Type.Integer(),
  description: Type.String(),
  hasAccount: Type.Boolean(),
  schema: Json,
  tokens: Type.Array(Json),
});

const EventFields = {
  id: Id,
  type: Type.String(),
  accountId: Nullable(Type.String()),
  orderingKey: Nullable(Type.String()),
  occurredAt: Time,
  acceptedAt: Time,
  status: Type.Union([Type.Literal('accepted'), Type.Literal('withdrawn')]),
  data: Json,
};
export const Event = Type.Object(EventFields);

export const EventWithDeliveries = Type.Object({
  ...EventFields,
  deliveries: Type.Array(
    Type.Object({ id: Id, channel: Type.String(), targetId: Id, status: Type.String() }),
  ),
});

export const BatchAnswer = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      status: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
      event: Type.Optional(Event),
      error: Type.Optional(Json),
    }),
  ),
});

const DeliveryFields = {
  id: Id,
  eventId: Id,
  eventType: Type.String(),
  accountId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  channel: Type.Union([Type.Literal('webhook'), Type.Literal('email')]),
  endpointId: Type.Optional(Id),
  emailTemplateId: Type.Optional(Id),
  orderingKey: Nullable(Type.String()),
  status: Type.String({ description: 'pending, in_flight, succeeded, failed or cancelled' }),
  nextAttemptAt: Nullable(Time),
  lastError: Nullable(Type.String()),
  createdAt: Time,
  completedAt: Nullable(Time),
};
export const Delivery = Type.Object({ ...DeliveryFields, attempts: Type.Integer() });
export const FeedItem = Type.Object({
  ...DeliveryFields,
  attempts: Type.Integer(),
  outcomeSeq: Type.Integer(),
});
export const DeliveryWithAttempts = Type.Object({
  ...DeliveryFields,
  attempts: Type.Array(
    Type.Object({
      number: Type.Integer(),
      startedAt: Time,
      durationMs: Type.Number(),
      ok: Type.Boolean(),
      statusCode: Nullable(Type.Integer()),
      errorCode: Nullable(Type.String()),
      error: Nullable(Type.String()),
      responseBody: Nullable(Type.String({ description: 'the start of the answer' })),
      request: Type.Object({}, { description: 'what was sent, without secrets' }),
    }),
  ),
});

export const UsageAnswer = Type.Object({
  recorded: Type.Integer(),
  duplicates: Type.Integer(),
  results: Type.Array(Type.Object({ index: Type.Integer(), status: Type.String() })),
});
export const UsageTotal = Type.Object({
  accountId: Id,
  bucketId: Id,
  periodStart: Type.String(),
  used: Type.Number(),
});

export const Bucket = Type.Object({
  id: Id,
  name: Type.String(),
  unit: Type.String(),
  allowance: Type.Number(),
  tiers: Type.Array(Type.Number(), { description: 'percentages of the allowance' }),
  period: Type.String(),
  ...Stamps,
});

export const Contract = Type.Object({
  id: Id,
  accountId: Id,
  name: Type.Optional(Type.String()),
  period: Type.String(),
  tiers: Type.Array(Type.Object({ name: Type.String(), commitAmount: Type.Number() })),
  measure: Type.Union([Type.Literal('amount'), Type.Literal('quantity')]),
  currentPeriod: Type.Object({
    start: Type.String(),
    end: Type.String(),
    checkAt: Time,
    checkAtLocal: Type.String(),
    timezone: Type.String(),
  }),
  ...Stamps,
});

export const Invoice = Type.Object({
  id: Id,
  accountId: Id,
  number: Type.String(),
  date: Type.String(),
  dueDate: Type.String(),
  total: Type.Number(),
  balance: Type.Number({ description: 'what is still owed' }),
  reportedBalance: Type.Number(),
  paid: Type.Number(),
  currency: Type.String(),
  deliveredAt: Nullable(Time),
  deliveryMethod: Nullable(Type.String()),
  status: Type.Union([Type.Literal('open'), Type.Literal('settled')]),
  settledAt: Nullable(Time),
  ...Stamps,
});

export const Scheduled = Type.Object({
  id: Id,
  type: Type.String(),
  key: Type.String(),
  accountId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  dueAt: Time,
  dueLocal: Type.String(),
  timezone: Type.String(),
  status: Type.String({ description: 'pending, fired or cancelled' }),
  data: Json,
  edited: Type.Boolean(),
  eventId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  ...Stamps,
});

export const Sim = Type.Object({
  iccid: Type.String(),
  accountId: Id,
  msisdn: Nullable(Type.String()),
  lastUsageAt: Nullable(Time),
});

export const TriggerSettings = Type.Object({
  timezone: Type.String(),
  dormantDays: Nullable(Type.Integer()),
});
