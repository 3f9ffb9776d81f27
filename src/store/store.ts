/**
 * The storage interface. Every backend (SQLite today, PostgreSQL beside it) implements
 * it, and one test suite runs over each. Methods are async so that a networked
 * database fits the same shape; the SQLite backend simply resolves at once.
 *
 * Times are epoch milliseconds inside the store and ISO 8601 at the API edge.
 */
import type { TriggerStore } from './trigger-store.ts';

export type * from './trigger-store.ts';

export type Scope =
  'events:create' | 'events:update' | 'events:delete' | 'events:read' | 'config' | 'admin';

export const ALL_SCOPES: readonly Scope[] = [
  'events:create',
  'events:update',
  'events:delete',
  'events:read',
  'config',
  'admin',
];

export interface Owner {
  id: string;
  name: string;
  defaultLocale: string;
  /** Where Herald sends its own alerts to the owner (an endpoint disabled, say). */
  alertEmail: string | null;
  /** The operator's own owner: its admin keys may create and read other owners. */
  platform: boolean;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  ownerId: string;
  name: string;
  /** The first characters of the secret, so an operator can tell keys apart. */
  prefix: string;
  scopes: Scope[];
  createdAt: number;
}

/** Kinds of configuration record, kept as JSON documents per owner. */
export type RecordKind =
  | 'account'
  | 'contact-type'
  | 'endpoint'
  | 'smtp-profile'
  | 'email-template'
  | 'subscription'
  | 'bucket'
  | 'contract'
  | 'trigger-settings';

export interface StoredRecord<T = Record<string, unknown>> {
  id: string;
  ownerId: string;
  kind: RecordKind;
  doc: T;
  uniqueKey: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RecordWrite<T> {
  id: string;
  ownerId: string;
  kind: RecordKind;
  doc: T;
  /**
   * Unique per (owner, kind) when set: contact type names, and the marker of the one
   * default SMTP profile. A clash raises UniqueViolation. Left undefined, the
   * record keeps the unique key it has.
   */
  uniqueKey?: string | null;
  /**
   * Set when the write edits a record read earlier: it then fails with RecordGone
   * if the record was deleted meanwhile, instead of bringing it back.
   */
  existing?: boolean;
  /**
   * Records this one names. Each must exist when the write commits, checked in the
   * same transaction as a guarded delete of them, so a reference is never left
   * dangling by a delete that ran between the check and the write.
   */
  refersTo?: RecordReference[];
  /**
   * Boolean fields of the document that at most one record of the kind holds (the
   * email-default and billing contact types): the write sets them false on every
   * other record of its kind in the same transaction, and such writes of one owner
   * and kind take turns, so racing writes never leave two holders.
   */
  takesFlags?: string[];
}

/** A write's takesFlags, each checked to be a plain field name: they go into JSON paths. */
export function checkedFlags(write: RecordWrite<unknown>): string[] {
  const flags = write.takesFlags ?? [];
  for (const flag of flags) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(flag)) throw new Error(`not a field name: ${flag}`);
  }
  return flags;
}

export interface RecordReference {
  kind: RecordKind;
  id: string;
  /** The API field that named it, for the error. */
  field: string;
}

/** A guarded delete's rules: what keeps a record from being deleted. */
export interface DeleteGuard {
  /** Refused while the record holds this unique key (the default SMTP profile). */
  unlessUniqueKey?: string;
  /** Refused while a record of this kind names the record's id in this field. */
  unlessReferencedBy?: { kind: RecordKind; field: string };
}

export type GuardedDeleteResult =
  | { outcome: 'deleted' | 'missing' | 'holds-unique-key' }
  | { outcome: 'referenced'; by: StoredRecord<unknown> };

/** An edit of a record that was deleted while the edit was being made. */
export class RecordGone extends Error {
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
  ) {
    super(`${kind} ${id} no longer exists`);
    this.name = 'RecordGone';
  }
}

/** A write naming a record that does not exist when it commits. */
export class MissingReference extends Error {
  constructor(readonly reference: RecordReference) {
    super(`${reference.kind} ${reference.id} does not exist`);
    this.name = 'MissingReference';
  }
}

export class UniqueViolation extends Error {
  constructor(readonly uniqueKey: string) {
    super(`unique key ${uniqueKey} is taken`);
    this.name = 'UniqueViolation';
  }
}

/** One finished attempt for completeDeliveries. */
export interface Completion {
  delivery: DeliveryRecord;
  outcome: DeliveryOutcome;
  now: number;
}

export interface EventRecord {
  seq: number;
  id: string;
  ownerId: string;
  type: string;
  accountId: string | null;
  orderingKey: string | null;
  occurredAt: number;
  acceptedAt: number;
  data: Record<string, unknown>;
  /** The account as it stood when the event was accepted, for its tokens. */
  account: Record<string, unknown> | null;
  status: 'accepted' | 'withdrawn';
}

export type Channel = 'webhook' | 'email';

export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'cancelled';

export interface DeliveryRecord {
  seq: number;
  id: string;
  ownerId: string;
  eventId: string;
  eventType: string;
  accountId: string | null;
  subscriptionId: string | null;
  channel: Channel;
  /** The endpoint id (webhook) or the email template id (email). */
  targetId: string;
  orderingKey: string | null;
  /** Ordered deliveries with the same target and key go one at a time, in seq order. */
  ordered: boolean;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
}

export type NewDelivery = Pick<
  DeliveryRecord,
  'id' | 'subscriptionId' | 'channel' | 'targetId' | 'orderingKey' | 'ordered'
>;

export interface AttemptRecord {
  id: string;
  deliveryId: string;
  ownerId: string;
  number: number;
  startedAt: number;
  durationMs: number;
  ok: boolean;
  statusCode: number | null;
  errorCode: string | null;
  error: string | null;
  responseBody: string | null;
  /** What was sent, without secrets: request headers, or email recipients and notes. */
  request: Record<string, unknown>;
}

export interface NewEvent {
  event: Omit<EventRecord, 'seq' | 'status'>;
  deliveries: NewDelivery[];
  /** The triggers read this event's facts: it also goes to the trigger inbox. */
  feedsTriggers?: boolean;
}

export interface Idempotency {
  key: string;
  requestHash: string;
  /** The answer to store and replay; the store keeps it as given. */
  response: unknown;
}

export type AcceptResult =
  { kind: 'created' } | { kind: 'replay'; response: unknown } | { kind: 'conflict' };

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channel?: Channel;
  targetId?: string;
  eventType?: string;
  eventId?: string;
  accountId?: string;
  /** Cursor: deliveries with seq greater than this. */
  afterSeq?: number;
  limit: number;
}

export interface DeliveryOutcome {
  status: 'succeeded' | 'pending' | 'failed' | 'cancelled';
  nextAttemptAt?: number;
  lastError?: string | null;
  attempt?: Omit<AttemptRecord, 'ownerId' | 'deliveryId'>;
  /** When true, the attempt did not count (the target was paused, say). */
  refundAttempt?: boolean;
}

/** The queue of one channel as it stands, across every process: for the metrics. */
export interface QueueStats {
  channel: Channel;
  /** Pending deliveries: due now, or waiting for a retry. */
  pending: number;
  /** Pending deliveries whose time has come: they wait only for a worker. */
  due: number;
  inFlight: number;
  /** createdAt of the oldest pending delivery; null when none is pending. */
  oldestPendingAt: number | null;
  /** nextAttemptAt of the longest-waiting due delivery; null when none is due. */
  oldestDueAt: number | null;
}

/** How far the database's schema is: migrations applied, and those this code has. */
export interface SchemaState {
  applied: number;
  latest: number;
}

export interface Store extends TriggerStore {
  migrate(): Promise<void>;
  /** Reads the schema version; throws when the database cannot be reached. */
  schemaState(): Promise<SchemaState>;
  close(): Promise<void>;

  createOwner(owner: Owner): Promise<void>;
  getOwner(id: string): Promise<Owner | undefined>;
  updateOwner(owner: Owner): Promise<void>;
  countOwners(): Promise<number>;
  /** Every owner, oldest first: for the operator's CLI, never for API callers. */
  listOwners(): Promise<Owner[]>;

  createApiKey(key: ApiKey, secretHash: string): Promise<void>;
  /**
   * The key with this hash and its owner's records version, an opaque value that
   * every change to the owner's records replaces with a new one: one read that
   * tells a request both who calls and whether records it read before still hold.
   */
  findKeyWithRecordsVersion(
    secretHash: string,
  ): Promise<{ key: ApiKey; recordsVersion: string } | undefined>;
  listApiKeys(ownerId: string): Promise<ApiKey[]>;
  deleteApiKey(ownerId: string, id: string): Promise<boolean>;

  getRecord<T>(ownerId: string, kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined>;
  listRecords<T>(ownerId: string, kind: RecordKind): Promise<StoredRecord<T>[]>;
  findRecordByUniqueKey<T>(
    ownerId: string,
    kind: RecordKind,
    uniqueKey: string,
  ): Promise<StoredRecord<T> | undefined>;
  /** Inserts or replaces records atomically, all or none. */
  putRecords(writes: RecordWrite<unknown>[]): Promise<void>;
  deleteRecord(ownerId: string, kind: RecordKind, id: string): Promise<boolean>;
  /**
   * Deletes a record unless the guard forbids it, checked and done in one
   * transaction, so a concurrent makeDefault or a write that refers to the record
   * either lands first and blocks the delete, or finds the record gone.
   */
  deleteRecordGuarded(
    ownerId: string,
    kind: RecordKind,
    id: string,
    guard: DeleteGuard,
  ): Promise<GuardedDeleteResult>;
  /**
   * Makes one record of a kind the owner's default in a single transaction: the old
   * default loses its `isDefault` flag and unique key as the new one gains them, so
   * concurrent calls can never leave two defaults or none.
   */
  makeDefault(ownerId: string, kind: RecordKind, id: string): Promise<boolean>;
  /**
   * Merges fields into a record's document in one statement (JSON merge patch), so a
   * worker's bookkeeping never overwrites an edit made through the API meanwhile.
   */
  mergeRecord(ownerId: string, kind: RecordKind, id: string, patch: object): Promise<boolean>;
  /** Makes a target's pending deliveries due now (an endpoint was re-enabled). */
  wakeTarget(ownerId: string, targetId: string, now: number): Promise<number>;
  /** Requeues the failed deliveries of a target completed within [since, until]. */
  requeueFailed(ownerId: string, targetId: string, since: number, until: number): Promise<number>;

  /** Commits the events and their deliveries, or replays/refuses by idempotency key. */
  acceptEvents(
    ownerId: string,
    events: NewEvent[],
    idempotency?: Idempotency,
  ): Promise<AcceptResult>;
  /** What an idempotency key was first used with, if it was; a read, never a write. */
  findIdempotencyKey(
    ownerId: string,
    key: string,
  ): Promise<{ requestHash: string; response: unknown } | undefined>;
  getEvent(ownerId: string, id: string): Promise<EventRecord | undefined>;
  /** The owner's events of these ids that exist, in no particular order. */
  getEvents(ownerId: string, ids: string[]): Promise<EventRecord[]>;
  getEventById(id: string): Promise<EventRecord | undefined>;
  listEvents(ownerId: string, afterSeq: number, limit: number): Promise<EventRecord[]>;

  /** Claims due deliveries: marks them in flight under a lease and counts the attempt. */
  claimDeliveries(now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]>;
  /** Returns deliveries whose lease ran out to the pending state. */
  releaseExpiredLeases(now: number): Promise<number>;
  completeDelivery(delivery: DeliveryRecord, outcome: DeliveryOutcome, now: number): Promise<void>;
  /**
   * Records many outcomes at once, each as completeDelivery would (fenced by its own
   * lease), in as few transactions as the backend allows: the dispatcher gathers
   * the attempts that end in one turn of the event loop into one call.
   */
  completeDeliveries(completions: Completion[]): Promise<void>;
  getDelivery(ownerId: string, id: string): Promise<DeliveryRecord | undefined>;
  listDeliveries(ownerId: string, filter: DeliveryFilter): Promise<DeliveryRecord[]>;
  listAttempts(ownerId: string, deliveryId: string): Promise<AttemptRecord[]>;
  /** Puts a finished delivery back in the queue for a new round of attempts. */
  /** The delivery as requeued, or undefined when it is unknown or not finished. */
  requeueDelivery(ownerId: string, id: string, now: number): Promise<DeliveryRecord | undefined>;
  /** Counts deliveries by status, for a quiet-queue check and metrics. */
  countDeliveries(ownerId?: string): Promise<Record<DeliveryStatus, number>>;
  /** The earliest nextAttemptAt among pending deliveries, to time the next wake-up. */
  nextDueAt(): Promise<number | undefined>;
  /** Queue depth per channel with work queued or in flight; `now` decides what is due. */
  queueStats(now: number): Promise<QueueStats[]>;
}
