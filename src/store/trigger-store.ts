/**
 * The part of the storage interface that the triggers (src/triggers/) and the
 * subscribers' queue routes use: scheduled notifications, the fact inbox, invoice
 * facts, usage, and changes to events not yet delivered. `Store` extends it.
 *
 * Every method is one transaction. The SQL is kept to what SQLite and PostgreSQL
 * share: INSERT ... ON CONFLICT, UPDATE ... RETURNING, no JSON operators.
 */
import type { DeliveryRecord, EventRecord, NewEvent } from './store.ts';

export type ScheduledStatus = 'pending' | 'fired' | 'cancelled';

/**
 * One occurrence of a derived or scheduled notification. Its dedupe key is unique
 * per owner, so planning the same occurrence twice (after a restart, say) keeps one.
 */
export interface ScheduledRecord {
  seq: number;
  id: string;
  ownerId: string;
  /** `followup:<subscriptionId>:<invoiceId>`, `overdue:<invoiceId>`, ... */
  dedupeKey: string;
  type: string;
  accountId: string | null;
  /** Set when only this subscription is told (follow-ups, per-subscription dormancy). */
  subscriptionId: string | null;
  /** What the row is about (invoice id, ICCID, contract id), to cancel or supersede it. */
  subject: string | null;
  /** UTC epoch ms. */
  dueAt: number;
  /** The due moment in `timezone`, ISO 8601 with its offset. */
  dueLocal: string;
  timezone: string;
  data: Record<string, unknown>;
  /** A subscriber changed `data`: Herald fires it exactly as given. */
  edited: boolean;
  status: ScheduledStatus;
  eventId: string | null;
  /** Why a row was cancelled or resolved without an event. */
  note: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewScheduled = Omit<
  ScheduledRecord,
  'seq' | 'status' | 'eventId' | 'note' | 'edited' | 'createdAt' | 'updatedAt'
>;

export interface ScheduledFilter {
  status?: ScheduledStatus;
  type?: string;
  accountId?: string;
  /** Cursor: rows with seq greater than this. */
  afterSeq?: number;
  limit: number;
}

/** How a due row ends: with an event (and its deliveries), or resolved without one. */
export type ScheduledOutcome =
  { event: NewEvent; next?: NewScheduled[] } | { note: string; next?: NewScheduled[] };

/** What Herald keeps of an invoice, from invoice events and settle calls. */
export interface InvoiceFact {
  ownerId: string;
  id: string;
  accountId: string;
  number: string;
  date: string;
  dueDate: string;
  total: number;
  /** The balance last reported by the billing platform. */
  balance: number;
  /** Credits and refunds Herald applied since that report. */
  paid: number;
  currency: string;
  deliveredAt: number | null;
  deliveryMethod: string | null;
  settledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type InvoiceWrite = Omit<InvoiceFact, 'paid' | 'settledAt' | 'createdAt' | 'updatedAt'>;

export interface PaymentAllocation {
  invoiceId: string;
  amount: number;
}

export interface UsageWrite {
  ownerId: string;
  /** The client's id for the record; a repeat of it is ignored. */
  recordId: string | null;
  accountId: string;
  /** A SIM's ICCID or another usage identifier; drives dormancy. */
  identifier: string | null;
  msisdn: string | null;
  bucketId: string | null;
  /** The bucket period the record counts in (its first day), with bucketId. */
  periodStart: string | null;
  quantity: number;
  amount: number | null;
  at: number;
}

/** What recording one usage record found, inside its transaction. */
export interface UsageState {
  /** The bucket's total for the period, this record included; null without a bucket. */
  used: number | null;
  /** The identifier's last usage before this record; null when first seen. */
  previousLastUsageAt: number | null;
}

/** The rows one usage record schedules, decided from its UsageState. */
export interface UsagePlan {
  schedule: NewScheduled[];
  /** Pending rows of this type and subject are dropped first (a new dormancy period). */
  supersede?: { type: string; subject: string };
}

export interface UsageResult {
  duplicate: boolean;
  state?: UsageState;
  /** Rows newly scheduled. */
  scheduled: number;
}

export interface SimRecord {
  ownerId: string;
  iccid: string;
  accountId: string;
  msisdn: string | null;
  lastUsageAt: number;
}

export interface UsageTotal {
  accountId: string;
  bucketId: string;
  periodStart: string;
  used: number;
}

export interface UsageSumQuery {
  accountId: string;
  from: number;
  /** Exclusive. */
  to: number;
  bucketId?: string;
  measure: 'quantity' | 'amount';
}

/** Why a change to an event was refused, or that it was made. */
export type EventChange =
  | { kind: 'changed' }
  | { kind: 'not_found' }
  | { kind: 'withdrawn' }
  | { kind: 'delivered'; deliveryId: string; deliveryStatus: string; attempts: number };

export type DeliveryOutcomeRecord = DeliveryRecord & { outcomeSeq: number };

export interface TriggerStore {
  /**
   * Inserts scheduled rows. A row whose (owner, dedupe key) exists is kept as it is;
   * with `reschedule`, a still pending row that no subscriber edited takes the new
   * dueAt, dueLocal, timezone and data. Returns how many rows were inserted or changed.
   */
  scheduleNotifications(rows: NewScheduled[], options?: { reschedule?: boolean }): Promise<number>;
  getScheduled(ownerId: string, id: string): Promise<ScheduledRecord | undefined>;
  listScheduled(ownerId: string, filter: ScheduledFilter): Promise<ScheduledRecord[]>;
  /** Pending rows due at or before `now`, every owner, by due time then seq. */
  listDueScheduled(now: number, limit: number): Promise<ScheduledRecord[]>;
  /** The earliest due time of a pending row, to time the scheduler's next wake-up. */
  nextScheduledDueAt(): Promise<number | undefined>;
  /** A subscriber's change to a pending row; setting data marks it edited. */
  updateScheduled(
    ownerId: string,
    id: string,
    change: { dueAt?: number; dueLocal?: string; data?: Record<string, unknown> },
    now: number,
  ): Promise<boolean>;
  /** Cancels pending rows: one by id, or all of a type about a subject. */
  cancelScheduled(
    ownerId: string,
    target: { id: string } | { type: string; subject: string },
    note: string,
    now: number,
  ): Promise<number>;
  /** Deletes pending rows of a type about a subject, so they can be planned anew. */
  deletePendingScheduled(ownerId: string, type: string, subject: string): Promise<number>;
  /**
   * Ends a pending row in one transaction: marks it fired and inserts the event with
   * its deliveries, or marks it cancelled with the note; then inserts `next` (kept
   * as they are on a dedupe clash). Returns false, changing nothing, when the row
   * was no longer pending (fired or cancelled meanwhile, by another process even).
   */
  fireScheduled(
    ownerId: string,
    id: string,
    outcome: ScheduledOutcome,
    now: number,
  ): Promise<boolean>;

  /**
   * Events accepted with `feedsTriggers`, oldest first. acceptEvents puts them here
   * in the event's own transaction, so no fact is lost between intake and triggers.
   */
  listTriggerInbox(limit: number): Promise<EventRecord[]>;
  removeFromTriggerInbox(eventIds: string[]): Promise<void>;

  /**
   * Inserts or updates an invoice's facts. A changed balance supersedes the credits
   * applied so far (paid goes back to 0); deliveredAt and deliveryMethod keep their
   * value when given null. Settled stays settled.
   */
  putInvoiceFacts(fact: InvoiceWrite, now: number): Promise<InvoiceFact>;
  getInvoice(ownerId: string, id: string): Promise<InvoiceFact | undefined>;
  /** An account's invoices (or all), by due date then id; `open` keeps unsettled ones. */
  listInvoices(
    ownerId: string,
    filter: { accountId?: string; open?: boolean; limit: number },
  ): Promise<InvoiceFact[]>;
  /**
   * Applies one credit or refund event to invoices: adds each amount to paid and
   * settles an invoice whose paid reaches its balance. Returns false, changing
   * nothing, when this event was applied before.
   */
  recordPayment(
    ownerId: string,
    eventId: string,
    allocations: PaymentAllocation[],
    now: number,
  ): Promise<boolean>;
  /** Marks an invoice settled (paid); false when it is unknown. */
  settleInvoice(ownerId: string, id: string, now: number): Promise<boolean>;

  /**
   * Records one usage record in one transaction: ignores a repeated recordId; adds
   * the quantity to its bucket's period total; moves the identifier's last usage
   * forward; then calls `plan` (synchronously, with what it found) and inserts the
   * rows it returns, as scheduleNotifications does.
   */
  recordUsage(usage: UsageWrite, plan: (state: UsageState) => UsagePlan): Promise<UsageResult>;
  /** Sums usage of an account over [from, to), of one bucket or all. */
  sumUsage(ownerId: string, query: UsageSumQuery): Promise<number>;
  getSim(ownerId: string, iccid: string): Promise<SimRecord | undefined>;
  listUsageTotals(ownerId: string, accountId: string): Promise<UsageTotal[]>;

  /**
   * Replaces an event's data while none of its deliveries has been attempted, under
   * the same lock a claim takes (PostgreSQL: lock its delivery rows FOR UPDATE first).
   */
  updateEventData(ownerId: string, id: string, data: Record<string, unknown>): Promise<EventChange>;
  /**
   * Withdraws an event none of whose deliveries succeeded or is in flight: the event
   * becomes withdrawn and its pending deliveries cancelled, all at once.
   */
  withdrawEvent(ownerId: string, id: string, now: number): Promise<EventChange>;
  /**
   * Deliveries by their latest outcome, for the pull feed. outcome_seq is taken from
   * a per-owner counter row inside the completing transaction, so numbers follow
   * commit order and a cursor over them has no gaps or repeats.
   */
  listDeliveryOutcomes(
    ownerId: string,
    afterOutcomeSeq: number,
    limit: number,
  ): Promise<DeliveryOutcomeRecord[]>;
}
