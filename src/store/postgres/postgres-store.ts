import type pg from 'pg';
import {
  UniqueViolation,
  type AcceptResult,
  type ApiKey,
  type AttemptRecord,
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
  type SchemaState,
  type Store,
} from '../store.ts';
import type {
  InvoiceWrite,
  NewScheduled,
  PaymentAllocation,
  ScheduledFilter,
  ScheduledOutcome,
  UsagePlan,
  UsageState,
  UsageSumQuery,
  UsageWrite,
} from '../trigger-store.ts';
import { createPool, inTransaction, pgCode, PG_UNIQUE_VIOLATION } from './connection.ts';
import * as queue from './delivery-queue.ts';
import { acceptEventsIn } from './event-intake.ts';
import * as changes from './event-changes.ts';
import * as facts from './facts.ts';
import * as scheduled from './scheduled.ts';
import { LOCKS } from './locks.ts';
import { runMigrations, schemaState } from './migrator.ts';
import { toApiKey, toAttempt, toDelivery, toEvent, toOwner, toRecord } from './rows.ts';
import { listenForWork, NOTIFY_WORK } from './work-notifier.ts';

export interface PostgresStoreOptions {
  /** Connections this process keeps open at most (default 10). */
  poolSize?: number;
}

/**
 * The networked backend: any number of API and worker processes share one
 * PostgreSQL database. Semantics match the SQLite store; where concurrency needs
 * more than SQLite's single writer gave for free, the method says how.
 *
 * Work announcements: acceptEvents, wakeTarget and the requeue methods NOTIFY at
 * commit; onWork() LISTENs, so idle workers in other processes wake at once.
 */
export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    this.pool = createPool(url, options.poolSize ?? 10);
  }

  async migrate(): Promise<void> {
    await runMigrations(this.pool);
  }

  async schemaState(): Promise<SchemaState> {
    return schemaState(this.pool);
  }

  async close(): Promise<void> {
    for (const stop of this.listeners) stop();
    this.listeners.clear();
    await this.pool.end();
  }

  /**
   * Calls `listener` whenever any process announces new or newly due work, and
   * after a lost listening connection comes back. Resolves, once listening, with
   * the function that stops it; close() stops every listener too.
   */
  async onWork(listener: () => void): Promise<() => void> {
    const stopListening = await listenForWork(this.url, listener);
    const stop = () => {
      this.listeners.delete(stop);
      stopListening();
    };
    this.listeners.add(stop);
    return stop;
  }

  async createOwner(owner: Owner): Promise<void> {
    await this.pool.query(
      `INSERT INTO owners (id, name, default_locale, platform, alert_email, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        owner.id,
        owner.name,
        owner.defaultLocale,
        owner.platform,
        owner.alertEmail,
        owner.createdAt,
      ],
    );
  }

  async updateOwner(owner: Owner): Promise<void> {
    await this.pool.query(
      'UPDATE owners SET name = $1, default_locale = $2, alert_email = $3 WHERE id = $4',
      [owner.name, owner.defaultLocale, owner.alertEmail, owner.id],
    );
  }

  async getOwner(id: string): Promise<Owner | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM owners WHERE id = $1', [id]);
    return rows[0] ? toOwner(rows[0]) : undefined;
  }

  async countOwners(): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*) AS n FROM owners');
    return rows[0].n;
  }

  async listOwners(): Promise<Owner[]> {
    const { rows } = await this.pool.query('SELECT * FROM owners ORDER BY created_at, id COLLATE "C"');
    return rows.map(toOwner);
  }

  async createApiKey(key: ApiKey, secretHash: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_keys (id, owner_id, name, prefix, secret_hash, scopes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        key.id,
        key.ownerId,
        key.name,
        key.prefix,
        secretHash,
        JSON.stringify(key.scopes),
        key.createdAt,
      ],
    );
  }

  async findApiKeyByHash(secretHash: string): Promise<ApiKey | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM api_keys WHERE secret_hash = $1', [
      secretHash,
    ]);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }

  async listApiKeys(ownerId: string): Promise<ApiKey[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM api_keys WHERE owner_id = $1 ORDER BY created_at, id COLLATE "C"',
      [ownerId],
    );
    return rows.map(toApiKey);
  }

  async deleteApiKey(ownerId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM api_keys WHERE owner_id = $1 AND id = $2', [
      ownerId,
      id,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async getRecord<T>(ownerId: string, kind: RecordKind, id: string) {
    const { rows } = await this.pool.query(
      'SELECT * FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3',
      [ownerId, kind, id],
    );
    return rows[0] ? toRecord<T>(rows[0]) : undefined;
  }

  async listRecords<T>(ownerId: string, kind: RecordKind) {
    const { rows } = await this.pool.query(
      'SELECT * FROM records WHERE owner_id = $1 AND kind = $2 ORDER BY created_at, id COLLATE "C"',
      [ownerId, kind],
    );
    return rows.map((row) => toRecord<T>(row));
  }

  async findRecordByUniqueKey<T>(ownerId: string, kind: RecordKind, uniqueKey: string) {
    const { rows } = await this.pool.query(
      'SELECT * FROM records WHERE owner_id = $1 AND kind = $2 AND unique_key = $3',
      [ownerId, kind, uniqueKey],
    );
    return rows[0] ? toRecord<T>(rows[0]) : undefined;
  }

  async putRecords(writes: RecordWrite<unknown>[]): Promise<void> {
    const now = Date.now();
    let current: RecordWrite<unknown> | undefined;
    try {
      await inTransaction(this.pool, async (client) => {
        // Clear every unique key first so that a swap (moving a contact type name
        // from one record to another in one call) does not trip the index halfway.
        for (const w of writes) {
          if (w.uniqueKey === undefined) continue;
          await client.query(
            'UPDATE records SET unique_key = NULL WHERE owner_id = $1 AND kind = $2 AND id = $3',
            [w.ownerId, w.kind, w.id],
          );
        }
        for (const w of writes) {
          current = w;
          await client.query(
            `INSERT INTO records (owner_id, kind, id, doc, unique_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
             ON CONFLICT (owner_id, kind, id) DO UPDATE SET
               doc = excluded.doc, updated_at = excluded.updated_at,
               unique_key = CASE WHEN $7 THEN records.unique_key ELSE excluded.unique_key END`,
            [
              w.ownerId,
              w.kind,
              w.id,
              JSON.stringify(w.doc),
              w.uniqueKey ?? null,
              now,
              w.uniqueKey === undefined,
            ],
          );
        }
      });
    } catch (error) {
      if (pgCode(error) === PG_UNIQUE_VIOLATION) {
        throw new UniqueViolation(current?.uniqueKey ?? 'unknown');
      }
      throw error;
    }
  }

  async deleteRecord(ownerId: string, kind: RecordKind, id: string): Promise<boolean> {
    const result = await this.pool.query(
      'DELETE FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3',
      [ownerId, kind, id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Under READ COMMITTED two concurrent calls would each clear the default they
   * saw and set their own, and the second would trip the unique index. A
   * transaction-level advisory lock per (owner, kind) makes them take turns; each
   * statement after the lock sees the previous call's committed default.
   */
  async makeDefault(ownerId: string, kind: RecordKind, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        LOCKS.defaults,
        `${ownerId}/${kind}`,
      ]);
      const found = await client.query(
        'SELECT 1 FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3',
        [ownerId, kind, id],
      );
      if (found.rowCount === 0) return false;
      const now = Date.now();
      await client.query(
        `UPDATE records SET unique_key = NULL, updated_at = $3,
           doc = jsonb_set(doc, '{isDefault}', 'false')
         WHERE owner_id = $1 AND kind = $2 AND unique_key = 'default'`,
        [ownerId, kind, now],
      );
      await client.query(
        `UPDATE records SET unique_key = 'default', updated_at = $4,
           doc = jsonb_set(doc, '{isDefault}', 'true')
         WHERE owner_id = $1 AND kind = $2 AND id = $3`,
        [ownerId, kind, id, now],
      );
      return true;
    });
  }

  async mergeRecord(ownerId: string, kind: RecordKind, id: string, patch: object) {
    const result = await this.pool.query(
      `UPDATE records SET doc = herald_merge_patch(doc, $4::jsonb), updated_at = $5
       WHERE owner_id = $1 AND kind = $2 AND id = $3`,
      [ownerId, kind, id, JSON.stringify(patch), Date.now()],
    );
    return (result.rowCount ?? 0) > 0;
  }

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
    return inTransaction(this.pool, (client) =>
      acceptEventsIn(client, ownerId, events, idempotency),
    );
  }

  async getEvent(ownerId: string, id: string): Promise<EventRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM events WHERE owner_id = $1 AND id = $2', [
      ownerId,
      id,
    ]);
    return rows[0] ? toEvent(rows[0]) : undefined;
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
    await queue.completeDelivery(this.pool, delivery, outcome, now);
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

  async requeueDelivery(ownerId: string, id: string, now: number): Promise<boolean> {
    const changed = await this.changeAndNotify(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3,
         completed_at = NULL, updated_at = $3
       WHERE owner_id = $1 AND id = $2 AND status IN ('failed', 'succeeded', 'cancelled')
         AND ${NOT_WITHDRAWN}`,
      [ownerId, id, now],
    );
    return changed > 0;
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

  // Event changes and the outcome feed: see event-changes.ts.

  async updateEventData(ownerId: string, id: string, data: Record<string, unknown>) {
    return changes.updateEventData(this.pool, ownerId, id, data);
  }

  async withdrawEvent(ownerId: string, id: string, now: number) {
    return changes.withdrawEvent(this.pool, ownerId, id, now);
  }

  async listDeliveryOutcomes(ownerId: string, afterOutcomeSeq: number, limit: number) {
    return changes.listDeliveryOutcomes(this.pool, ownerId, afterOutcomeSeq, limit);
  }

  // Scheduled notifications and the trigger inbox: see scheduled.ts.

  async scheduleNotifications(rows: NewScheduled[], options: { reschedule?: boolean } = {}) {
    const reschedule = options.reschedule ?? false;
    return inTransaction(this.pool, (client) =>
      scheduled.insertScheduled(client, rows, reschedule, Date.now()),
    );
  }

  async getScheduled(ownerId: string, id: string) {
    return scheduled.getScheduled(this.pool, ownerId, id);
  }

  async listScheduled(ownerId: string, filter: ScheduledFilter) {
    return scheduled.listScheduled(this.pool, ownerId, filter);
  }

  async listDueScheduled(now: number, limit: number) {
    return scheduled.listDueScheduled(this.pool, now, limit);
  }

  async nextScheduledDueAt() {
    return scheduled.nextScheduledDueAt(this.pool);
  }

  async updateScheduled(
    ownerId: string,
    id: string,
    change: { dueAt?: number; dueLocal?: string; data?: Record<string, unknown> },
    now: number,
  ) {
    return scheduled.updateScheduled(this.pool, ownerId, id, change, now);
  }

  async cancelScheduled(
    ownerId: string,
    target: { id: string } | { type: string; subject: string },
    note: string,
    now: number,
  ) {
    return scheduled.cancelScheduled(this.pool, ownerId, target, note, now);
  }

  async deletePendingScheduled(ownerId: string, type: string, subject: string) {
    return scheduled.deletePendingScheduled(this.pool, ownerId, type, subject);
  }

  async fireScheduled(ownerId: string, id: string, outcome: ScheduledOutcome, now: number) {
    return scheduled.fireScheduled(this.pool, ownerId, id, outcome, now);
  }

  async listTriggerInbox(limit: number) {
    return scheduled.listTriggerInbox(this.pool, limit);
  }

  async removeFromTriggerInbox(eventIds: string[]) {
    await scheduled.removeFromTriggerInbox(this.pool, eventIds);
  }

  // Invoice facts, usage and SIMs: see facts.ts.

  async putInvoiceFacts(fact: InvoiceWrite, now: number) {
    return facts.putInvoiceFacts(this.pool, fact, now);
  }

  async getInvoice(ownerId: string, id: string) {
    return facts.getInvoice(this.pool, ownerId, id);
  }

  async listInvoices(
    ownerId: string,
    filter: { accountId?: string; open?: boolean; limit: number },
  ) {
    return facts.listInvoices(this.pool, ownerId, filter);
  }

  async recordPayment(
    ownerId: string,
    eventId: string,
    allocations: PaymentAllocation[],
    now: number,
  ) {
    return facts.recordPayment(this.pool, ownerId, eventId, allocations, now);
  }

  async settleInvoice(ownerId: string, id: string, now: number) {
    return facts.settleInvoice(this.pool, ownerId, id, now);
  }

  async recordUsage(usage: UsageWrite, plan: (state: UsageState) => UsagePlan) {
    return facts.recordUsage(this.pool, usage, plan);
  }

  async sumUsage(ownerId: string, query: UsageSumQuery) {
    return facts.sumUsage(this.pool, ownerId, query);
  }

  async getSim(ownerId: string, iccid: string) {
    return facts.getSim(this.pool, ownerId, iccid);
  }

  async listUsageTotals(ownerId: string, accountId: string) {
    return facts.listUsageTotals(this.pool, ownerId, accountId);
  }

  /**
   * Runs one UPDATE that makes deliveries due and announces them in the same
   * transaction, so listeners hear of the work only once it is committed.
   */
  private async changeAndNotify(sql: string, values: unknown[]): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const changed = (await client.query(sql, values)).rowCount ?? 0;
      if (changed > 0) await client.query(NOTIFY_WORK);
      return changed;
    });
  }
}

/** A withdrawn event is never delivered again, whatever resend is asked for. */
const NOT_WITHDRAWN = `NOT EXISTS (SELECT 1 FROM events w
  WHERE w.id = deliveries.event_id AND w.status = 'withdrawn')`;
