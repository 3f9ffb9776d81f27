import {
  UniqueViolation,
  type AcceptResult,
  type ApiKey,
  type AttemptRecord,
  type Completion,
  type DeliveryFilter,
  type DeliveryOutcome,
  type DeliveryRecord,
  type DeliveryStatus,
  type EventRecord,
  type Idempotency,
  type NewEvent,
  type Owner,
  type QueueStats,
  type RecordKind,
  type RecordWrite,
  type Store,
  type StoredRecord,
} from '../store.ts';
import { toAttempt, toDelivery, toEvent } from './rows.ts';
import { SqliteRecords } from './sqlite-records.ts';

/**
 * The embedded backend: one SQLite file (see sqlite-database.ts for its settings).
 * This layer holds events and the delivery queue; owners, keys and records are in
 * sqlite-records.ts beneath it, and the triggers' tables beneath that.
 */
export class SqliteStore extends SqliteRecords implements Store {
  async wakeTarget(ownerId: string, targetId: string, now: number): Promise<number> {
    return this.sql(
      `UPDATE deliveries SET next_attempt_at = @now, updated_at = @now
       WHERE owner_id = @ownerId AND target_id = @targetId AND status = 'pending'
         AND next_attempt_at > @now`,
    ).run({ ownerId, targetId, now }).changes;
  }

  async requeueFailed(
    ownerId: string,
    targetId: string,
    since: number,
    until: number,
  ): Promise<number> {
    const now = Date.now();
    return this.sql(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now,
         completed_at = NULL, updated_at = @now
       WHERE owner_id = @ownerId AND target_id = @targetId AND status = 'failed'
         AND completed_at BETWEEN @since AND @until AND ${NOT_WITHDRAWN}`,
    ).run({ ownerId, targetId, since, until, now }).changes;
  }

  async findIdempotencyKey(ownerId: string, key: string) {
    return this.keyUsed(ownerId, key);
  }

  /** What an idempotency key was first used with; inside a transaction or out. */
  private keyUsed(ownerId: string, key: string) {
    const row = this.sql(
      'SELECT request_hash, response FROM idempotency_keys WHERE owner_id = ? AND key = ?',
    ).get(ownerId, key) as { request_hash: string; response: string } | undefined;
    return row ? { requestHash: row.request_hash, response: JSON.parse(row.response) } : undefined;
  }

  /**
   * Intake requests that arrive in the same turn of the event loop are committed
   * together: one transaction, one disk flush, each request in its own savepoint so
   * that its idempotency check and its failure stay its own. Under many concurrent
   * clients this turns one fsync per event into one per batch of requests.
   */
  async acceptEvents(
    ownerId: string,
    events: NewEvent[],
    idempotency?: Idempotency,
  ): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.waitingAccepts.push({
        run: () => this.acceptNow(ownerId, events, idempotency),
        resolve,
        reject,
      });
      if (this.waitingAccepts.length === 1) setImmediate(() => void this.commitAccepts());
    });
  }

  private readonly waitingAccepts: {
    run: () => AcceptResult;
    resolve: (result: AcceptResult) => void;
    reject: (error: unknown) => void;
  }[] = [];

  /**
   * Workers that want to hear of new deliveries the moment they are committed,
   * before the commit is on disk: sending an event that a power loss then takes
   * back at most sends it twice (its client, unanswered, posts it again).
   */
  async onWork(listener: () => void): Promise<() => void> {
    this.workListeners.add(listener);
    return () => {
      this.workListeners.delete(listener);
    };
  }

  private readonly workListeners = new Set<() => void>();

  private async commitAccepts(): Promise<void> {
    const batch = this.waitingAccepts.splice(0);
    const outcomes: ({ ok: AcceptResult } | { error: unknown })[] = [];
    try {
      await this.durablyWhenFree(
        () => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: item.run() });
            } catch (error) {
              outcomes.push({ error });
            }
          }
        },
        () => {
          for (const listener of this.workListeners) listener();
        },
      );
    } catch (error) {
      // The commit failed (a full disk, say), or it could not be made durable:
      // nothing of the batch is acknowledged. A retry with the same idempotency
      // key gets the first answer if the commit did land after all.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if ('ok' in outcome) item.resolve(outcome.ok);
      else item.reject(outcome.error);
    });
  }

  private acceptNow(ownerId: string, events: NewEvent[], idempotency?: Idempotency): AcceptResult {
    const saveKey = this.sql(
      `INSERT INTO idempotency_keys (owner_id, key, request_hash, response, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    );

    // Nested in commitAccepts' transaction, this runs as a savepoint.
    return this.writeTransaction((): AcceptResult => {
      if (idempotency) {
        const seen = this.keyUsed(ownerId, idempotency.key);
        if (seen) {
          if (seen.requestHash !== idempotency.requestHash) return { kind: 'conflict' };
          return { kind: 'replay', response: seen.response };
        }
      }
      this.insertEvents(ownerId, events);
      if (idempotency) {
        saveKey.run(
          ownerId,
          idempotency.key,
          idempotency.requestHash,
          JSON.stringify(idempotency.response),
          Date.now(),
        );
      }
      return { kind: 'created' };
    })();
  }

  protected insertEvents(ownerId: string, events: NewEvent[]): void {
    const insertEvent = this.sql(
      `INSERT INTO events (id, owner_id, type, account_id, ordering_key, occurred_at,
         accepted_at, data, account)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The events of one request share their account's document: written once as JSON.
    const accountJson = new Map<object, string>();
    const jsonOf = (account: object) => {
      let json = accountJson.get(account);
      if (json === undefined) accountJson.set(account, (json = JSON.stringify(account)));
      return json;
    };
    const insertDelivery = this.sql(
      `INSERT INTO deliveries (id, owner_id, event_id, event_type, account_id, subscription_id,
         channel, target_id, ordering_key, ordered, status, next_attempt_at, created_at,
         updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    );
    for (const { event, deliveries, feedsTriggers } of events) {
      insertEvent.run(
        event.id,
        event.ownerId,
        event.type,
        event.accountId,
        event.orderingKey,
        event.occurredAt,
        event.acceptedAt,
        JSON.stringify(event.data),
        event.account ? jsonOf(event.account) : null,
      );
      for (const d of deliveries) {
        insertDelivery.run(
          d.id,
          ownerId,
          event.id,
          event.type,
          event.accountId,
          d.subscriptionId,
          d.channel,
          d.targetId,
          d.orderingKey,
          d.ordered ? 1 : 0,
          event.acceptedAt,
          event.acceptedAt,
          event.acceptedAt,
        );
      }
      if (feedsTriggers) this.enqueueFacts(event.id);
    }
  }

  async getEvent(ownerId: string, id: string): Promise<EventRecord | undefined> {
    const row = this.sql('SELECT * FROM events WHERE owner_id = ? AND id = ?').get(ownerId, id);
    return row ? toEvent(row as any) : undefined;
  }

  async getEvents(ownerId: string, ids: string[]): Promise<EventRecord[]> {
    if (ids.length === 0) return [];
    // The ids as one JSON parameter, so one statement serves every batch size. The
    // CROSS JOIN makes SQLite look each id up by its index: with "id IN (SELECT ...)"
    // it walked all of the owner's events instead.
    const rows = this.sql(
      `SELECT e.* FROM json_each(?) j CROSS JOIN events e ON e.id = j.value
       WHERE e.owner_id = ?`,
    ).all(JSON.stringify(ids), ownerId);
    return rows.map((row) => toEvent(row as any));
  }

  async getEventById(id: string): Promise<EventRecord | undefined> {
    const row = this.sql('SELECT * FROM events WHERE id = ?').get(id);
    return row ? toEvent(row as any) : undefined;
  }

  async listEvents(ownerId: string, afterSeq: number, limit: number): Promise<EventRecord[]> {
    const rows = this.sql(
      'SELECT * FROM events WHERE owner_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ).all(ownerId, afterSeq, limit);
    return rows.map((row) => toEvent(row as any));
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]> {
    // An ordered delivery is due only when no earlier delivery of the same target and
    // ordering key is still pending or in flight: the head of each key holds the rest.
    const rows = await this.relaxedWhenFree(() =>
      this.sql(
        `UPDATE deliveries
       SET status = 'in_flight', lease_until = @lease, attempts = attempts + 1, updated_at = @now
       WHERE seq IN (
         SELECT d.seq FROM deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= @now
           AND (d.ordered = 0 OR NOT EXISTS (
             SELECT 1 FROM deliveries p
             WHERE p.target_id = d.target_id AND p.ordering_key IS d.ordering_key
               AND p.seq < d.seq AND p.status IN ('pending', 'in_flight')))
         ORDER BY d.next_attempt_at, d.seq
         LIMIT @limit)
       RETURNING *`,
      ).all({ now, lease: now + leaseMs, limit }),
    );
    return rows.map((row) => toDelivery(row as any)).sort((a, b) => a.seq - b.seq);
  }

  async releaseExpiredLeases(now: number): Promise<number> {
    const release = this.sql(
      `UPDATE deliveries SET status = 'pending', lease_until = NULL, updated_at = @now
       WHERE status = 'in_flight' AND lease_until < @now`,
    );
    return this.relaxedWhenFree(() => release.run({ now }).changes);
  }

  async completeDelivery(
    delivery: DeliveryRecord,
    outcome: DeliveryOutcome,
    now: number,
  ): Promise<void> {
    await this.completeDeliveries([{ delivery, outcome, now }]);
  }

  async completeDeliveries(completions: Completion[]): Promise<void> {
    await this.relaxedWhenFree(() => {
      // One counter bump per owner for the whole batch, numbered in batch order.
      const counts = new Map<string, number>();
      for (const c of completions) {
        counts.set(c.delivery.ownerId, (counts.get(c.delivery.ownerId) ?? 0) + 1);
      }
      const next = new Map<string, number>();
      for (const [ownerId, count] of counts) {
        next.set(ownerId, this.reserveOutcomeSeqs(ownerId, count) - count + 1);
      }
      for (const c of completions) {
        const seq = next.get(c.delivery.ownerId)!;
        next.set(c.delivery.ownerId, seq + 1);
        this.recordOutcome(c, seq);
      }
    });
  }

  private recordOutcome({ delivery, outcome, now }: Completion, outcomeSeq: number): void {
    const finished = outcome.status !== 'pending';
    this.sql(
      `UPDATE deliveries SET status = @status, next_attempt_at = @next, lease_until = NULL,
         last_error = @lastError, updated_at = @now, completed_at = @completedAt,
         attempts = attempts - @refund, outcome_seq = @outcomeSeq
       WHERE id = @id AND status = 'in_flight' AND lease_until IS @lease`,
    ).run({
      id: delivery.id,
      // Fenced by the lease: a worker whose lease ran out and was taken over keeps
      // its attempt in the log, but its outcome no longer decides the delivery.
      lease: delivery.leaseUntil,
      outcomeSeq,
      status: outcome.status,
      next: outcome.nextAttemptAt ?? delivery.nextAttemptAt,
      lastError: outcome.lastError === undefined ? delivery.lastError : outcome.lastError,
      now,
      completedAt: finished ? now : null,
      refund: outcome.refundAttempt ? 1 : 0,
    });
    const a = outcome.attempt;
    if (!a) return;
    this.sql(
      // Attempts are numbered over the delivery's whole life, across manual
      // resends, so the log reads in order; the retry budget restarts on resend.
      `INSERT INTO attempts (id, delivery_id, owner_id, number, started_at, duration_ms, ok,
         status_code, error_code, error, response_body, request)
       VALUES (?, ?, ?, (SELECT count(*) + 1 FROM attempts WHERE delivery_id = ?),
         ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.id,
      delivery.id,
      delivery.ownerId,
      delivery.id,
      a.startedAt,
      a.durationMs,
      a.ok ? 1 : 0,
      a.statusCode,
      a.errorCode,
      a.error,
      a.responseBody,
      JSON.stringify(a.request),
    );
  }

  async getDelivery(ownerId: string, id: string): Promise<DeliveryRecord | undefined> {
    const row = this.sql('SELECT * FROM deliveries WHERE owner_id = ? AND id = ?').get(ownerId, id);
    return row ? toDelivery(row as any) : undefined;
  }

  async listDeliveries(ownerId: string, filter: DeliveryFilter): Promise<DeliveryRecord[]> {
    const where = ['owner_id = @ownerId', 'seq > @afterSeq'];
    if (filter.status) where.push('status = @status');
    if (filter.channel) where.push('channel = @channel');
    if (filter.targetId) where.push('target_id = @targetId');
    if (filter.eventType) where.push('event_type = @eventType');
    if (filter.eventId) where.push('event_id = @eventId');
    if (filter.accountId) where.push('account_id = @accountId');
    const rows = this.sql(
      `SELECT * FROM deliveries WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
    ).all({
      status: null,
      channel: null,
      targetId: null,
      eventType: null,
      eventId: null,
      accountId: null,
      ...filter,
      ownerId,
      afterSeq: filter.afterSeq ?? 0,
    });
    return rows.map((row) => toDelivery(row as any));
  }

  async listAttempts(ownerId: string, deliveryId: string): Promise<AttemptRecord[]> {
    const rows = this.sql(
      'SELECT * FROM attempts WHERE owner_id = ? AND delivery_id = ? ORDER BY number',
    ).all(ownerId, deliveryId);
    return rows.map((row) => toAttempt(row as any));
  }

  async requeueDelivery(ownerId: string, id: string, now: number) {
    const row = this.sql(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now,
         completed_at = NULL, updated_at = @now
       WHERE owner_id = @ownerId AND id = @id AND status IN ('failed', 'succeeded', 'cancelled')
         AND ${NOT_WITHDRAWN}
       RETURNING *`,
    ).get({ ownerId, id, now });
    return row ? toDelivery(row as any) : undefined;
  }

  async countDeliveries(ownerId?: string): Promise<Record<DeliveryStatus, number>> {
    const rows = (
      ownerId
        ? this.sql(
            'SELECT status, count(*) AS n FROM deliveries WHERE owner_id = ? GROUP BY status',
          ).all(ownerId)
        : this.sql('SELECT status, count(*) AS n FROM deliveries GROUP BY status').all()
    ) as { status: DeliveryStatus; n: number }[];
    const counts = { pending: 0, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async nextDueAt(): Promise<number | undefined> {
    // A delivery held behind the in-flight head of its ordering key is not due at
    // any time of its own; counting it would make an idle dispatcher spin.
    const row = this.sql(
      `SELECT min(d.next_attempt_at) AS t FROM deliveries d
       WHERE d.status = 'pending'
         AND (d.ordered = 0 OR NOT EXISTS (
           SELECT 1 FROM deliveries p
           WHERE p.target_id = d.target_id AND p.ordering_key IS d.ordering_key
             AND p.seq < d.seq AND p.status IN ('pending', 'in_flight')))`,
    ).get() as { t: number | null };
    return row.t ?? undefined;
  }

  async queueStats(now: number): Promise<QueueStats[]> {
    const rows = this.sql(QUEUE_STATS.replaceAll('$1', '@now')).all({ now }) as any[];
    return rows.map(toQueueStats);
  }
}

/** The same statement as the PostgreSQL store's; $1 is the time that decides "due". */
const QUEUE_STATS = `SELECT channel,
    sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
    sum(CASE WHEN status = 'pending' AND next_attempt_at <= $1 THEN 1 ELSE 0 END) AS due,
    sum(CASE WHEN status = 'in_flight' THEN 1 ELSE 0 END) AS in_flight,
    min(CASE WHEN status = 'pending' THEN created_at END) AS oldest_pending_at,
    min(CASE WHEN status = 'pending' AND next_attempt_at <= $1 THEN next_attempt_at END)
      AS oldest_due_at
  FROM deliveries WHERE status IN ('pending', 'in_flight')
  GROUP BY channel ORDER BY channel`;

function toQueueStats(row: any): QueueStats {
  return {
    channel: row.channel,
    pending: row.pending,
    due: row.due,
    inFlight: row.in_flight,
    oldestPendingAt: row.oldest_pending_at,
    oldestDueAt: row.oldest_due_at,
  };
}

/** A withdrawn event is never delivered again, whatever resend is asked for. */
const NOT_WITHDRAWN = `NOT EXISTS (SELECT 1 FROM events w
  WHERE w.id = deliveries.event_id AND w.status = 'withdrawn')`;
