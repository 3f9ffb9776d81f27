import type {
  DeliveryOutcomeRecord,
  EventChange,
  InvoiceWrite,
  NewScheduled,
  PaymentAllocation,
  ScheduledFilter,
  ScheduledOutcome,
  TriggerStore,
  UsagePlan,
  UsageState,
  UsageSumQuery,
  UsageWrite,
} from '../trigger-store.ts';
import { toDelivery } from './rows.ts';
import { SqliteDatabase } from './sqlite-database.ts';
import { SqliteFacts } from './sqlite-facts.ts';
import { SqliteScheduled } from './sqlite-scheduled.ts';

/**
 * SqliteStore's layer for the triggers and the subscribers' queue: changes to
 * events not yet delivered, the delivery outcome feed, and (through the helpers it
 * holds) scheduled notifications, the fact inbox, invoices and usage.
 */
export abstract class SqliteTriggerStore extends SqliteDatabase implements TriggerStore {
  private readonly scheduled: SqliteScheduled;
  private readonly facts: SqliteFacts;

  constructor(file: string) {
    super(file);
    const sql = (text: string) => this.sql(text);
    this.scheduled = new SqliteScheduled(this.db, sql, (ownerId, events) =>
      this.insertEvents(ownerId, events),
    );
    this.facts = new SqliteFacts(
      this.db,
      sql,
      (rows, reschedule, now) => this.scheduled.insert(rows, reschedule, now),
      (ownerId, type, subject) => this.scheduled.deletePending(ownerId, type, subject),
    );
  }

  /** For insertEvents: an event that feeds the triggers goes to their inbox. */
  protected enqueueFacts(eventId: string): void {
    this.scheduled.enqueueFacts(eventId);
  }

  async updateEventData(
    ownerId: string,
    id: string,
    data: Record<string, unknown>,
  ): Promise<EventChange> {
    return this.writeTransaction((): EventChange => {
      const refused = this.eventChangeRefused(ownerId, id, 'attempted');
      if (refused) return refused;
      this.sql('UPDATE events SET data = ? WHERE owner_id = ? AND id = ?').run(
        JSON.stringify(data),
        ownerId,
        id,
      );
      return { kind: 'changed' };
    })();
  }

  async withdrawEvent(ownerId: string, id: string, now: number): Promise<EventChange> {
    return this.writeTransaction((): EventChange => {
      const refused = this.eventChangeRefused(ownerId, id, 'delivered');
      if (refused) return refused;
      this.sql("UPDATE events SET status = 'withdrawn' WHERE owner_id = ? AND id = ?").run(
        ownerId,
        id,
      );
      const pending = this.sql(
        "SELECT id FROM deliveries WHERE event_id = ? AND status = 'pending'",
      ).all(id) as { id: string }[];
      const cancel = this.sql(
        `UPDATE deliveries SET status = 'cancelled', last_error = 'the event was withdrawn',
           completed_at = @now, updated_at = @now, outcome_seq = @outcomeSeq
         WHERE id = @id AND status = 'pending'`,
      );
      for (const d of pending)
        cancel.run({ id: d.id, now, outcomeSeq: this.nextOutcomeSeq(ownerId) });
      return { kind: 'changed' };
    })();
  }

  /**
   * Why an event may not be changed: unknown, withdrawn, or a delivery past the
   * point of no return. `attempted` (a change of data) refuses any delivery tried
   * once; `delivered` (a withdrawal) refuses only one that succeeded or is in flight.
   */
  private eventChangeRefused(
    ownerId: string,
    id: string,
    strictness: 'attempted' | 'delivered',
  ): EventChange | undefined {
    const event = this.sql('SELECT status FROM events WHERE owner_id = ? AND id = ?').get(
      ownerId,
      id,
    ) as { status: string } | undefined;
    if (!event) return { kind: 'not_found' };
    if (event.status === 'withdrawn') return { kind: 'withdrawn' };
    const blocking =
      strictness === 'attempted'
        ? "(attempts > 0 OR status IN ('in_flight', 'succeeded', 'failed'))"
        : "status IN ('in_flight', 'succeeded')";
    const row = this.sql(
      `SELECT id, status, attempts FROM deliveries WHERE event_id = ? AND ${blocking}
       ORDER BY seq LIMIT 1`,
    ).get(id) as { id: string; status: string; attempts: number } | undefined;
    if (!row) return undefined;
    return {
      kind: 'delivered',
      deliveryId: row.id,
      deliveryStatus: row.status,
      attempts: row.attempts,
    };
  }

  async listDeliveryOutcomes(
    ownerId: string,
    afterOutcomeSeq: number,
    limit: number,
  ): Promise<DeliveryOutcomeRecord[]> {
    const rows = this.sql(
      `SELECT * FROM deliveries WHERE owner_id = ? AND outcome_seq > ?
       ORDER BY outcome_seq LIMIT ?`,
    ).all(ownerId, afterOutcomeSeq, limit) as any[];
    return rows.map((row) => ({ ...toDelivery(row), outcomeSeq: row.outcome_seq }));
  }

  // Scheduled notifications and the trigger inbox: see sqlite-scheduled.ts.

  async scheduleNotifications(rows: NewScheduled[], options: { reschedule?: boolean } = {}) {
    return this.writeTransaction(() =>
      this.scheduled.insert(rows, options.reschedule ?? false, Date.now()),
    )();
  }

  async getScheduled(ownerId: string, id: string) {
    return this.scheduled.get(ownerId, id);
  }

  async listScheduled(ownerId: string, filter: ScheduledFilter) {
    return this.scheduled.list(ownerId, filter);
  }

  async listDueScheduled(now: number, limit: number) {
    return this.scheduled.listDue(now, limit);
  }

  async nextScheduledDueAt() {
    return this.scheduled.nextDueAt();
  }

  async updateScheduled(
    ownerId: string,
    id: string,
    change: { dueAt?: number; dueLocal?: string; data?: Record<string, unknown> },
    now: number,
  ) {
    return this.scheduled.update(ownerId, id, change, now);
  }

  async cancelScheduled(
    ownerId: string,
    target: { id: string } | { type: string; subject: string },
    note: string,
    now: number,
  ) {
    return this.scheduled.cancel(ownerId, target, note, now);
  }

  async deletePendingScheduled(ownerId: string, type: string, subject: string) {
    return this.scheduled.deletePending(ownerId, type, subject);
  }

  async fireScheduled(ownerId: string, id: string, outcome: ScheduledOutcome, now: number) {
    return this.scheduled.fire(ownerId, id, outcome, now);
  }

  async listTriggerInbox(limit: number) {
    return this.scheduled.listInbox(limit);
  }

  async removeFromTriggerInbox(eventIds: string[]) {
    this.scheduled.removeFromInbox(eventIds);
  }

  // Invoice facts, usage and SIMs: see sqlite-facts.ts.

  async putInvoiceFacts(fact: InvoiceWrite, now: number) {
    return this.facts.putInvoice(fact, now);
  }

  async getInvoice(ownerId: string, id: string) {
    return this.facts.getInvoice(ownerId, id);
  }

  async listInvoices(
    ownerId: string,
    filter: { accountId?: string; open?: boolean; limit: number },
  ) {
    return this.facts.listInvoices(ownerId, filter);
  }

  async recordPayment(
    ownerId: string,
    eventId: string,
    allocations: PaymentAllocation[],
    now: number,
  ) {
    return this.facts.recordPayment(ownerId, eventId, allocations, now);
  }

  async settleInvoice(ownerId: string, id: string, now: number) {
    return this.facts.settleInvoice(ownerId, id, now);
  }

  async recordUsage(usage: UsageWrite, plan: (state: UsageState) => UsagePlan) {
    return this.facts.recordUsage(usage, plan);
  }

  async sumUsage(ownerId: string, query: UsageSumQuery) {
    return this.facts.sumUsage(ownerId, query);
  }

  async getSim(ownerId: string, iccid: string) {
    return this.facts.getSim(ownerId, iccid);
  }

  async listUsageTotals(ownerId: string, accountId: string) {
    return this.facts.listUsageTotals(ownerId, accountId);
  }
}
