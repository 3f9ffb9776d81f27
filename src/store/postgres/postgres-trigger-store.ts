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
import { inTransaction } from './connection.ts';
import * as changes from './event-changes.ts';
import * as facts from './facts.ts';
import { PostgresRecords } from './postgres-records.ts';
import * as scheduled from './scheduled.ts';

/**
 * The triggers' part of the store interface (trigger-store.ts), for PostgresStore:
 * each method hands its pool to the module that holds the SQL.
 */
export abstract class PostgresTriggerStore extends PostgresRecords {
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
}
