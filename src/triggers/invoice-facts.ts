import type { Logger } from '../logger.ts';
import type { EventRecord, Store } from '../store/store.ts';
import type { InvoiceFact, NewScheduled, PaymentAllocation } from '../store/trigger-store.ts';
import type { Clock } from './clock.ts';
import { followupDueAt, overdueAt } from './local-time.ts';
import { accountZone, isoOf, scheduledRow } from './scheduled-rows.ts';
import type { TriggerSubscription } from './trigger-records.ts';

export const OVERDUE = 'invoice.overdue';
export const FOLLOWUP = 'invoice.delivery_followup';

interface InvoiceData {
  id: string;
  number: string;
  date: string;
  dueDate: string;
  total: number;
  balance: number;
  currency: string;
}

/** What is still owed on an invoice, as far as Herald knows. */
export function outstanding(fact: InvoiceFact): number {
  return fact.settledAt === null ? Math.max(0, fact.balance - fact.paid) : 0;
}

/** The invoice token group of an invoice, with the balance still owed. */
export function invoiceTokens(fact: InvoiceFact): InvoiceData {
  return {
    id: fact.id,
    number: fact.number,
    date: fact.date,
    dueDate: fact.dueDate,
    total: fact.total,
    balance: outstanding(fact),
    currency: fact.currency,
  };
}

/**
 * Keeps the invoice facts the triggers need, from the events that report them, and
 * plans what follows from each:
 *
 * - invoice.posted and invoice.delivered record the invoice (due date, balance) and
 *   plan its overdue notification for the start of the local day after the due date;
 *   a later report with another due date moves a still pending one;
 * - invoice.delivered also plans one follow-up per subscription with a schedule;
 * - credit.processed (to its invoiceId, else the account's open invoices) and
 *   refund.processed (the account's open invoices, oldest due date first) pay
 *   invoices down; an invoice paid in full is settled and its overdue cancelled;
 * - invoice.overdue reported by the platform cancels Herald's own pending one.
 *
 * Every step may run twice for one event (a crash before the inbox entry is
 * removed): rows are deduplicated by key and payments by event id.
 */
export class InvoiceFacts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async apply(event: EventRecord): Promise<void> {
    // A fact withdrawn before the triggers read it never happened. One withdrawn (or
    // changed) after they read it stays as read: settle the invoice or withdraw its
    // scheduled notification instead.
    if (!event.accountId || event.status === 'withdrawn') return;
    if (event.type === 'invoice.posted' || event.type === 'invoice.delivered') {
      await this.recordInvoice(event);
    } else if (event.type === 'credit.processed' || event.type === 'refund.processed') {
      await this.recordPayment(event);
    } else if (event.type === OVERDUE) {
      // The platform reported the overdue itself: Herald's own would tell it twice.
      const invoiceId = (event.data.invoice as InvoiceData).id;
      const reason = `the billing platform reported it overdue (event ${event.id})`;
      const cancel = { type: OVERDUE, subject: invoiceId };
      await this.store.cancelScheduled(event.ownerId, cancel, reason, this.clock.now());
    }
  }

  /** POST /v1/invoices/:id/settle: paid outside Herald's view. */
  async settle(ownerId: string, id: string): Promise<InvoiceFact | undefined> {
    const now = this.clock.now();
    if (!(await this.store.settleInvoice(ownerId, id, now))) return undefined;
    await this.store.cancelScheduled(
      ownerId,
      { type: OVERDUE, subject: id },
      'the invoice was settled',
      now,
    );
    return this.store.getInvoice(ownerId, id);
  }

  private async recordInvoice(event: EventRecord): Promise<void> {
    const now = this.clock.now();
    const invoice = event.data.invoice as InvoiceData;
    const delivery = event.data.delivery as { method: string; deliveredAt: string } | undefined;
    const deliveredAt = delivery ? Date.parse(delivery.deliveredAt) : null;
    const fact = await this.store.putInvoiceFacts(
      {
        ownerId: event.ownerId,
        accountId: event.accountId!,
        ...invoice,
        deliveredAt,
        deliveryMethod: delivery?.method ?? null,
      },
      now,
    );
    const { zone } = await accountZone(this.store, event.ownerId, event.accountId);

    if (outstanding(fact) > 0) {
      const row = scheduledRow({
        ownerId: event.ownerId,
        dedupeKey: `overdue:${fact.id}`,
        type: OVERDUE,
        accountId: fact.accountId,
        subscriptionId: null,
        subject: fact.id,
        dueAt: overdueAt(fact.dueDate, zone),
        timezone: zone,
        data: { invoice: invoiceTokens(fact), overdue: { daysOverdue: 1 } },
      });
      await this.store.scheduleNotifications([row], { reschedule: true });
    } else {
      await this.store.cancelScheduled(
        event.ownerId,
        { type: OVERDUE, subject: fact.id },
        `event ${event.id} reported nothing owed`,
        now,
      );
    }
    if (deliveredAt !== null) {
      await this.planFollowups(event, fact, deliveredAt, delivery!.method, zone);
    }
  }

  private async planFollowups(
    event: EventRecord,
    fact: InvoiceFact,
    deliveredAt: number,
    method: string,
    zone: string,
  ): Promise<void> {
    const subscriptions = await this.store.listRecords<TriggerSubscription>(
      event.ownerId,
      'subscription',
    );
    const rows: NewScheduled[] = [];
    for (const { doc: sub } of subscriptions) {
      if (!sub.enabled || !sub.schedule || !sub.eventTypes.includes(FOLLOWUP)) continue;
      const { offsetDays, at } = sub.schedule;
      const dueAt = followupDueAt(deliveredAt, offsetDays, at, zone);
      rows.push(
        scheduledRow({
          ownerId: event.ownerId,
          dedupeKey: `followup:${sub.id}:${fact.id}`,
          type: FOLLOWUP,
          accountId: fact.accountId,
          subscriptionId: sub.id,
          subject: fact.id,
          dueAt,
          timezone: zone,
          data: {
            invoice: invoiceTokens(fact),
            followup: { offsetDays, at, scheduledAt: isoOf(dueAt) },
            delivery: { method, deliveredAt: isoOf(deliveredAt) },
          },
        }),
      );
    }
    // A second delivery of the same invoice keeps the follow-ups already planned.
    if (rows.length > 0) await this.store.scheduleNotifications(rows);
  }

  private async recordPayment(event: EventRecord): Promise<void> {
    const group = (event.data.credit ?? event.data.refund) as {
      amount: number;
      currency: string;
      invoiceId?: string;
    };
    const allocations = await this.allocate(event, group);
    const now = this.clock.now();
    const applied = await this.store.recordPayment(event.ownerId, event.id, allocations, now);
    if (!applied) return;
    for (const { invoiceId } of allocations) {
      const fact = await this.store.getInvoice(event.ownerId, invoiceId);
      if (fact && outstanding(fact) === 0) {
        await this.store.cancelScheduled(
          event.ownerId,
          { type: OVERDUE, subject: invoiceId },
          `settled by ${event.type} ${event.id}`,
          now,
        );
      }
    }
  }

  /** Which invoices a payment goes to; other currencies are never mixed in. */
  private async allocate(
    event: EventRecord,
    payment: { amount: number; currency: string; invoiceId?: string },
  ): Promise<PaymentAllocation[]> {
    if (payment.invoiceId) {
      const fact = await this.store.getInvoice(event.ownerId, payment.invoiceId);
      if (fact && fact.currency === payment.currency && fact.accountId === event.accountId) {
        return [{ invoiceId: fact.id, amount: payment.amount }];
      }
      this.logger.warn(
        { ownerId: event.ownerId, eventId: event.id, invoiceId: payment.invoiceId },
        'a credit names an invoice Herald does not know in its currency; it pays none',
      );
      return [];
    }
    const open = await this.store.listInvoices(event.ownerId, {
      accountId: event.accountId!,
      open: true,
      limit: 1000,
    });
    const allocations: PaymentAllocation[] = [];
    let left = payment.amount;
    for (const fact of open) {
      if (left <= 0) break;
      const owed = outstanding(fact);
      if (fact.currency !== payment.currency || owed <= 0) continue;
      const amount = Math.min(owed, left);
      allocations.push({ invoiceId: fact.id, amount });
      left -= amount;
    }
    return allocations;
  }
}
