import { createHash } from 'node:crypto';
import { EVENT_TYPES, getEventType, validatePayload } from '../catalog/index.ts';
import { ApiError, invalid } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { AccountDoc, EndpointDoc } from '../store/records.ts';
import type { EventRecord, NewDelivery, NewEvent, Store } from '../store/store.ts';
import type { NewScheduled, ScheduledRecord } from '../store/trigger-store.ts';
import { matchesFilter } from './subscription-filter.ts';
import { ENDPOINT_DISABLED_ALERT } from '../email/builtin-templates.ts';
import { FACT_EVENT_TYPES, type TriggerSubscription } from '../triggers/trigger-records.ts';
import { parseDateTime, unknownAccount } from './input-checks.ts';
import { VersionedRecords, type RecordReads } from './versioned-records.ts';

/** An event as a client posts it. */
export interface EventInput {
  type?: unknown;
  accountId?: unknown;
  orderingKey?: unknown;
  occurredAt?: unknown;
  data?: unknown;
}

export type BatchResult =
  | { index: number; status: 'accepted'; event: Record<string, unknown> }
  | { index: number; status: 'rejected'; error: ReturnType<ApiError['toJSON']>['error'] };

/** Whose request it is, and the owner's records version its authentication read. */
export interface IntakeCaller {
  ownerId: string;
  /** See versioned-records.ts. */
  recordsVersion: string;
}

export interface IntakeAnswer {
  status: number;
  body: unknown;
  replayed: boolean;
}

/**
 * Event intake: validates each event against the catalogue, works out which
 * subscriptions it fans out to, and commits event and deliveries in one transaction
 * before anything is acknowledged. Idempotency keys are checked inside that same
 * transaction, so two racing requests with one key cannot both queue work.
 */
export class Intake {
  private readonly records: VersionedRecords;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly onAccepted: () => void,
    private readonly maxBatchSize: number,
    /** Called when accepted events carry facts the triggers read (invoices, credits). */
    private readonly onFacts: () => void = () => {},
  ) {
    this.records = new VersionedRecords(store);
  }

  async acceptOne(
    { ownerId, recordsVersion }: IntakeCaller,
    input: unknown,
    idempotencyKey?: string,
  ): Promise<IntakeAnswer> {
    const reads = this.records.reads(ownerId, recordsVersion);
    let prepared: NewEvent;
    try {
      prepared = await this.prepare(reads, ownerId, input, '');
    } catch (error) {
      // A repeat of a request already accepted answers as the first one did, even
      // when it would fail its checks now (its account deleted since, say).
      if (!idempotencyKey || !(error instanceof ApiError)) throw error;
      const replay = await this.replayOf(ownerId, idempotencyKey, input);
      if (replay) return replay;
      throw error;
    }
    const body = apiEvent(prepared.event);
    return this.commit(ownerId, [prepared], idempotencyKey, input, { status: 202, body });
  }

  async acceptBatch(
    { ownerId, recordsVersion }: IntakeCaller,
    input: unknown,
    idempotencyKey?: string,
  ): Promise<IntakeAnswer> {
    const events = (input as { events?: unknown } | null)?.events;
    if (!Array.isArray(events)) {
      throw invalid('events', 'events must be an array of events, as {"events": [...]}');
    }
    if (events.length === 0) throw invalid('events', 'events must hold at least one event');
    if (events.length > this.maxBatchSize) {
      throw new ApiError(
        413,
        'batch_too_large',
        `a batch holds at most ${this.maxBatchSize} events (got ${events.length}); split it`,
        'events',
      );
    }

    // Each event stands alone: a bad one is refused with its reason, the good ones
    // beside it are still accepted.
    const results: BatchResult[] = [];
    const accepted: NewEvent[] = [];
    const reads = this.records.reads(ownerId, recordsVersion);
    for (const [index, item] of events.entries()) {
      try {
        const prepared = await this.prepare(reads, ownerId, item, `events[${index}].`);
        accepted.push(prepared);
        results.push({ index, status: 'accepted', event: apiEvent(prepared.event) });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        results.push({ index, status: 'rejected', error: error.toJSON().error });
      }
    }
    const summary = {
      accepted: accepted.length,
      rejected: events.length - accepted.length,
      results,
    };
    return this.commit(ownerId, accepted, idempotencyKey, input, { status: 202, body: summary });
  }

  /**
   * Records an event Herald raises itself (endpoint.disabled): it fans out through
   * the owner's subscriptions like any other, and for endpoint.disabled also to the
   * owner's alert address when one is set.
   */
  async acceptSystemEvent(ownerId: string, type: string, data: Record<string, unknown>) {
    validatePayload(type, data);
    const now = Date.now();
    const event: NewEvent['event'] = {
      id: newId('evt'),
      ownerId,
      type,
      accountId: null,
      orderingKey: null,
      occurredAt: now,
      acceptedAt: now,
      data,
      account: null,
    };
    const deliveries = await this.fanOut(this.store, ownerId, event);
    const owner = await this.store.getOwner(ownerId);
    if (type === 'endpoint.disabled' && owner?.alertEmail) {
      deliveries.push({
        id: newId('dlv'),
        subscriptionId: null,
        channel: 'email',
        targetId: ENDPOINT_DISABLED_ALERT,
        orderingKey: null,
        ordered: false,
      });
    }
    await this.commit(ownerId, [{ event, deliveries }], undefined, data, { status: 202, body: {} });
    return event;
  }

  /**
   * Fires a due scheduled notification (src/triggers/): its event fans out like a
   * reported one, or only to the subscription that scheduled it when the row names
   * one, and is committed in the transaction that marks the row fired, with `next`
   * (the rows it plans). Returns undefined when the row was fired or cancelled
   * meanwhile, by another process even; nothing is then recorded.
   */
  async acceptDerived(
    row: ScheduledRecord,
    data: Record<string, unknown>,
    now: number,
    next?: NewScheduled[],
  ): Promise<NewEvent['event'] | undefined> {
    validatePayload(row.type, data);
    let account: AccountDoc | null = null;
    if (row.accountId) {
      const stored = await this.store.getRecord<AccountDoc>(row.ownerId, 'account', row.accountId);
      if (!stored) throw new Error(`account ${row.accountId} of ${row.id} no longer exists`);
      account = stored.doc;
    }
    const event: NewEvent['event'] = {
      id: newId('evt'),
      ownerId: row.ownerId,
      type: row.type,
      accountId: row.accountId,
      orderingKey: row.accountId,
      occurredAt: row.dueAt,
      acceptedAt: now,
      data,
      account: account as unknown as Record<string, unknown> | null,
    };
    const only = row.subscriptionId ?? undefined;
    const deliveries = await this.fanOut(this.store, row.ownerId, event, only);
    const fired = await this.store.fireScheduled(
      row.ownerId,
      row.id,
      { event: { event, deliveries }, next },
      now,
    );
    if (!fired) return undefined;
    if (deliveries.length > 0) this.onAccepted();
    return event;
  }

  private async commit(
    ownerId: string,
    events: NewEvent[],
    idempotencyKey: string | undefined,
    input: unknown,
    answer: { status: number; body: unknown },
  ): Promise<IntakeAnswer> {
    const idempotency = idempotencyKey
      ? { key: idempotencyKey, requestHash: hashRequest(input), response: answer }
      : undefined;
    const result = await this.store.acceptEvents(ownerId, events, idempotency);
    if (result.kind === 'conflict') throw keyReused(idempotencyKey!);
    if (result.kind === 'replay') {
      const first = result.response as { status: number; body: unknown };
      return { status: first.status, body: first.body, replayed: true };
    }
    if (events.some((e) => e.deliveries.length > 0)) this.onAccepted();
    if (events.some((e) => e.feedsTriggers)) this.onFacts();
    this.logger.debug({ ownerId, count: events.length }, 'events accepted');
    return { ...answer, replayed: false };
  }

  /** The first answer to a request made before with this key, if there was one. */
  private async replayOf(
    ownerId: string,
    idempotencyKey: string,
    input: unknown,
  ): Promise<IntakeAnswer | undefined> {
    const seen = await this.store.findIdempotencyKey(ownerId, idempotencyKey);
    if (!seen) return undefined;
    if (seen.requestHash !== hashRequest(input)) throw keyReused(idempotencyKey);
    const first = seen.response as { status: number; body: unknown };
    return { status: first.status, body: first.body, replayed: true };
  }

  private async prepare(
    reads: RecordReads,
    ownerId: string,
    input: unknown,
    prefix: string,
  ): Promise<NewEvent> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw invalid(prefix ? prefix.slice(0, -1) : 'body', 'an event must be a JSON object');
    }
    const raw = input as EventInput;
    const definition = typeof raw.type === 'string' ? getEventType(raw.type) : undefined;
    if (definition && SYSTEM_EVENT_TYPES.has(definition.type)) {
      throw invalid(
        `${prefix}type`,
        `type ${definition.type} is raised by Herald itself and cannot be posted; subscribe to ` +
          `it instead`,
        'system_event_type',
      );
    }
    if (!definition) {
      throw new ApiError(
        422,
        'unknown_event_type',
        `type must be one of ${EVENT_TYPES.map((t) => t.type).join(', ')} (got ` +
          `${JSON.stringify(raw.type)})`,
        `${prefix}type`,
      );
    }

    let account: AccountDoc | null = null;
    if (definition.hasAccount) {
      if (typeof raw.accountId !== 'string' || raw.accountId === '') {
        throw invalid(`${prefix}accountId`, `accountId is required for ${definition.type} events`);
      }
      const stored = await reads.getRecord<AccountDoc>(ownerId, 'account', raw.accountId);
      if (!stored) throw unknownAccount(`${prefix}accountId`, raw.accountId);
      account = stored.doc;
    } else if (raw.accountId !== undefined) {
      throw invalid(
        `${prefix}accountId`,
        `${definition.type} events carry no account; drop accountId`,
      );
    }

    if (
      raw.orderingKey !== undefined &&
      (typeof raw.orderingKey !== 'string' ||
        raw.orderingKey === '' ||
        raw.orderingKey.length > 200)
    ) {
      throw invalid(`${prefix}orderingKey`, 'orderingKey must be a string of 1 to 200 characters');
    }
    const occurredAt =
      raw.occurredAt === undefined
        ? undefined
        : parseDateTime(raw.occurredAt, `${prefix}occurredAt`);
    try {
      validatePayload(definition.type, raw.data);
    } catch (error) {
      if (error instanceof ApiError && prefix && error.field) {
        throw new ApiError(error.status, error.code, error.message, prefix + error.field);
      }
      throw error;
    }

    const now = Date.now();
    const event: NewEvent['event'] = {
      id: newId('evt'),
      ownerId,
      type: definition.type,
      accountId: account?.id ?? null,
      orderingKey: (raw.orderingKey as string | undefined) ?? account?.id ?? null,
      occurredAt: occurredAt ?? now,
      acceptedAt: now,
      data: raw.data as Record<string, unknown>,
      account: account as unknown as Record<string, unknown> | null,
    };
    return {
      event,
      deliveries: await this.fanOut(reads, ownerId, event),
      feedsTriggers: FACT_EVENT_TYPES.has(definition.type),
    };
  }

  /**
   * The deliveries an event makes: one per matching subscription. Subscriptions that
   * schedule their own notifications (a follow-up schedule, their own dormancy) hear
   * only of those: `only` names the one a derived event is for.
   */
  private async fanOut(
    reads: RecordReads,
    ownerId: string,
    event: NewEvent['event'],
    only?: string,
  ): Promise<NewDelivery[]> {
    const subscriptions = await reads.listRecords<TriggerSubscription>(ownerId, 'subscription');
    const deliveries: NewDelivery[] = [];
    // Two subscriptions to one target make one delivery: a receiver gets an event once.
    const targets = new Set<string>();
    for (const { doc: sub } of subscriptions) {
      if (!sub.enabled || !sub.eventTypes.includes(event.type)) continue;
      const ownSchedule = Boolean(sub.schedule || sub.dormantDays);
      if (only ? sub.id !== only : ownSchedule) continue;
      if (!matchesFilter(sub.filter, event)) continue;
      const target = sub.endpointId ?? sub.emailTemplateId;
      if (!target || targets.has(target)) continue;
      targets.add(target);
      if (sub.endpointId) {
        const endpoint = await reads.getRecord<EndpointDoc>(ownerId, 'endpoint', sub.endpointId);
        if (!endpoint || !endpoint.doc.eventTypes.includes(event.type)) continue;
        deliveries.push({
          id: newId('dlv'),
          subscriptionId: sub.id,
          channel: 'webhook',
          targetId: endpoint.id,
          orderingKey: event.orderingKey,
          ordered: endpoint.doc.ordering === 'ordered',
        });
      } else if (sub.emailTemplateId) {
        deliveries.push({
          id: newId('dlv'),
          subscriptionId: sub.id,
          channel: 'email',
          targetId: sub.emailTemplateId,
          orderingKey: event.orderingKey,
          ordered: false,
        });
      }
    }
    return deliveries;
  }
}

/** Event types Herald raises itself; clients subscribe to them but never post them. */
const SYSTEM_EVENT_TYPES = new Set(['endpoint.disabled']);

/**
 * Hashes a request body for the idempotency check. Keys are sorted first, so the
 * same JSON sent with its fields in another order counts as the same request.
 */
function hashRequest(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An event as the API shows it. */
export function apiEvent(event: Omit<EventRecord, 'seq' | 'status'> & { status?: string }) {
  return {
    id: event.id,
    type: event.type,
    accountId: event.accountId,
    orderingKey: event.orderingKey,
    occurredAt: new Date(event.occurredAt).toISOString(),
    acceptedAt: new Date(event.acceptedAt).toISOString(),
    status: event.status ?? 'accepted',
    data: event.data,
  };
}

function keyReused(idempotencyKey: string): ApiError {
  return new ApiError(
    409,
    'idempotency_key_reused',
    `Idempotency-Key ${JSON.stringify(idempotencyKey)} was already used with a different ` +
      'request body; send a new key for a new request',
    'Idempotency-Key',
  );
}
