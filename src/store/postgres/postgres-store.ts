import {
  type AcceptResult,
  type AttemptRecord,
  type Completion,
  type DeliveryFilter,
  type DeliveryOutcome,
  type DeliveryRecord,
  type DeliveryStatus,
  type EventRecord,
  type Idempotency,
  type NewEvent,
  type QueueStats,
  type Store,
} from '../store.ts';
import { inTransaction } from './connection.ts';
import * as queue from './delivery-queue.ts';
import { IntakeBatcher } from './intake-batcher.ts';
import { findIdempotencyKey } from './event-intake.ts';
import { PostgresTriggerStore } from './postgres-trigger-store.ts';
import { toAttempt, toDelivery, toEvent } from './rows.ts';

export type { PostgresStoreOptions } from './postgres-database.ts';

/**
 * The networked backend: any number of API and worker processes share one
 * PostgreSQL database. Semantics match the SQLite store; where concurrency needs
 * more than SQLite's single writer gave for free, the method says how.
 *
 * Work announcements: acceptEvents, wakeTarget and the requeue methods NOTIFY at
 * commit; onWork() LISTENs, so idle workers in other processes wake at once.
 *
 * In layers, as the SQLite store: PostgresDatabase (pool, migrations, LISTEN),
 * PostgresRecords (owners, keys, configuration records), PostgresTriggerStore
 * (the triggers' tables), and this class: events and the delivery queue.
 */
export class PostgresStore extends PostgresTriggerStore implements Store {
  /** Group commit of intake, per owner (see intake-batcher.ts). */
  private readonly intake = new IntakeBatcher(this.pool);

  async wakeTarget(ownerId: string, targetId: string, now: number): Promise<number> {
    return this.changeAndNotify(
      `UPDATE deliveries SET next_attempt_at = $3, updated_at = $3
       WHERE owner_id = $1 AND target_id = $2 AND status = 'pending'
         AND next_attempt_at > $3`,
      [ownerId, targetId, now],
    );
  }

  async requeueFailed(
    ownerId: string,
    targetId: string,
    since: number,
    until: number,
  ): Promise<number> {
    return this.changeAndNotify(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $5,
         completed_at = NULL, updated_at = $5
       WHERE owner_id = $1 AND target_id = $2 AND status = 'failed'
         AND completed_at BETWEEN $3 AND $4 AND ${NOT_WITHDRAWN}`,
      [ownerId, targetId, since, until, Date.now()],
    );
  }

  async acceptEvents(
    ownerId: string,
    events: NewEvent[],
    idempotency?: Idempotency,
  ): Promise<AcceptResult> {
    return this.intake.accept(ownerId, events, idempotency);
  }

  async findIdempotencyKey(ownerId: string, key: string) {
    return findIdempotencyKey(this.pool, ownerId, key);
  }

  async getEvent(ownerId: string, id: string): Promise<EventRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM events WHERE owner_id = $1 AND id = $2', [
      ownerId,
      id,
    ]);
    return rows[0] ? toEvent(rows[0]) : undefined;
  }

  async getEvents(ownerId: string, ids: string[]): Promise<EventRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM events WHERE owner_id = $1 AND id = ANY($2::text[])',
      [ownerId, ids],
    );
    return rows.map(toEvent);
  }

  async getEventById(id: string): Promise<EventRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM events WHERE id = $1', [id]);
    return rows[0] ? toEvent(rows[0]) : undefined;
  }

  async listEvents(ownerId: string, afterSeq: number, limit: number): Promise<EventRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM events WHERE owner_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [ownerId, afterSeq, limit],
    );
    return rows.map(toEvent);
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]> {
    return queue.claimDeliveries(this.pool, now, limit, leaseMs);
  }

  async releaseExpiredLeases(now: number): Promise<number> {
    return queue.releaseExpiredLeases(this.pool, now);
  }

  async completeDelivery(delivery: DeliveryRecord, outcome: DeliveryOutcome, now: number) {
    await queue.completeDeliveries(this.pool, [{ delivery, outcome, now }]);
  }

  async completeDeliveries(completions: Completion[]) {
    await queue.completeDeliveries(this.pool, completions);
  }

  async getDelivery(ownerId: string, id: string): Promise<DeliveryRecord | undefined> {
    const { rows } = await this.pool.query(
      'SELECT * FROM deliveries WHERE owner_id = $1 AND id = $2',
      [ownerId, id],
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  async listDeliveries(ownerId: string, filter: DeliveryFilter): Promise<DeliveryRecord[]> {
    const values: unknown[] = [ownerId, filter.afterSeq ?? 0];
    const where = ['owner_id = $1', 'seq > $2'];
    const columns = {
      status: 'status',
      channel: 'channel',
      targetId: 'target_id',
      eventType: 'event_type',
      eventId: 'event_id',
      accountId: 'account_id',
    } as const;
    for (const [field, column] of Object.entries(columns)) {
      const value = filter[field as keyof typeof columns];
      if (!value) continue;
      values.push(value);
      where.push(`${column} = $${values.length}`);
    }
    values.push(filter.limit);
    const { rows } = await this.pool.query(
      `SELECT * FROM deliveries WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${values.length}`,
      values,
    );
    return rows.map(toDelivery);
  }

  async listAttempts(ownerId: string, deliveryId: string): Promise<AttemptRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM attempts WHERE owner_id = $1 AND delivery_id = $2 ORDER BY number',
      [ownerId, deliveryId],
    );
    return rows.map(toAttempt);
  }

  async requeueDelivery(ownerId: string, id: string, now: number) {
    const { rows } = await this.changeRowsAndNotify(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3,
         completed_at = NULL, updated_at = $3
       WHERE owner_id = $1 AND id = $2 AND status IN ('failed', 'succeeded', 'cancelled')
         AND ${NOT_WITHDRAWN}
       RETURNING *`,
      [ownerId, id, now],
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  async countDeliveries(ownerId?: string): Promise<Record<DeliveryStatus, number>> {
    const { rows } = ownerId
      ? await this.pool.query(
          'SELECT status, count(*) AS n FROM deliveries WHERE owner_id = $1 GROUP BY status',
          [ownerId],
        )
      : await this.pool.query('SELECT status, count(*) AS n FROM deliveries GROUP BY status');
    const counts = { pending: 0, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows as { status: DeliveryStatus; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  async nextDueAt(): Promise<number | undefined> {
    return queue.nextDueAt(this.pool);
  }

  async queueStats(now: number): Promise<QueueStats[]> {
    return queue.queueStats(this.pool, now);
  }
}

/** A withdrawn event is never delivered again, whatever resend is asked for. */
const NOT_WITHDRAWN = `NOT EXISTS (SELECT 1 FROM events w
  WHERE w.id = deliveries.event_id AND w.status = 'withdrawn')`;
