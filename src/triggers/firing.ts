import type { Store } from '../store/store.ts';
import type { NewScheduled, ScheduledRecord } from '../store/trigger-store.ts';
import { UNDER_COMMIT, type ContractPlanner } from './contract-plan.ts';
import { FOLLOWUP, invoiceTokens, outstanding, OVERDUE } from './invoice-facts.ts';
import { daysBetween, parseDate, wallAt } from './local-time.ts';
import { DAY_MS, isoOf } from './scheduled-rows.ts';
import type { TriggerSubscription } from './trigger-records.ts';
import { DORMANT } from './usage-recorder.ts';

/** What a due row becomes: an event with this data, or nothing, for the reason given. */
export type Resolution =
  | { data: Record<string, unknown>; next?: NewScheduled[] }
  | { note: string; next?: NewScheduled[] };

type Data = Record<string, any>;

/**
 * Decides, when a row falls due, whether it still fires and with what data. The
 * facts may have moved since it was planned: an invoice paid, a SIM used again, a
 * subscription deleted. Values that depend on the moment of firing (days overdue,
 * days dormant, the invoice's balance, the follow-up's due time) are filled in now,
 * unless a subscriber set the data with PATCH /v1/scheduled/:id: then it fires as
 * given.
 */
export class Firing {
  constructor(
    private readonly store: Store,
    private readonly contracts: ContractPlanner,
  ) {}

  async resolve(row: ScheduledRecord, now: number): Promise<Resolution> {
    if (row.accountId && !(await this.store.getRecord(row.ownerId, 'account', row.accountId))) {
      return { note: `account ${row.accountId} no longer exists` };
    }
    if (row.subscriptionId) {
      const gone = await this.subscriptionGone(row);
      if (gone) return { note: gone };
    }
    switch (row.type) {
      case OVERDUE:
        return this.overdue(row, now);
      case FOLLOWUP:
        return this.followup(row);
      case DORMANT:
        return this.dormant(row, now);
      case UNDER_COMMIT: {
        const { data, note, next } = await this.contracts.resolve(row);
        return data ? { data: data as unknown as Data, next } : { note: note!, next };
      }
      default:
        return { data: row.data };
    }
  }

  private async subscriptionGone(row: ScheduledRecord): Promise<string | undefined> {
    const stored = await this.store.getRecord<TriggerSubscription>(
      row.ownerId,
      'subscription',
      row.subscriptionId!,
    );
    if (!stored) return `subscription ${row.subscriptionId} no longer exists`;
    if (!stored.doc.enabled) return `subscription ${row.subscriptionId} is disabled`;
    if (!stored.doc.eventTypes.includes(row.type)) {
      return `subscription ${row.subscriptionId} no longer takes ${row.type}`;
    }
    return undefined;
  }

  private async overdue(row: ScheduledRecord, now: number): Promise<Resolution> {
    const fact = await this.store.getInvoice(row.ownerId, row.subject!);
    if (fact && outstanding(fact) === 0) return { note: 'the invoice was settled first' };
    if (row.edited || !fact) return { data: row.data };
    const today = wallAt(now, row.timezone);
    const daysOverdue = Math.max(1, daysBetween(parseDate(fact.dueDate), today));
    return { data: { ...row.data, invoice: invoiceTokens(fact), overdue: { daysOverdue } } };
  }

  private async followup(row: ScheduledRecord): Promise<Resolution> {
    if (row.edited) return { data: row.data };
    const fact = await this.store.getInvoice(row.ownerId, row.subject!);
    const data: Data = { ...row.data, followup: { ...(row.data.followup as Data) } };
    if (fact) data.invoice = invoiceTokens(fact);
    data.followup.scheduledAt = isoOf(row.dueAt);
    return { data };
  }

  private async dormant(row: ScheduledRecord, now: number): Promise<Resolution> {
    const sim = await this.store.getSim(row.ownerId, row.subject!);
    const data = row.data as Data;
    const since = Date.parse(data.sim.lastUsageAt);
    if (sim && sim.lastUsageAt > since) return { note: 'the SIM was used again' };
    if (row.edited) return { data };
    const daysDormant = Math.floor((now - since) / DAY_MS);
    const msisdn = data.sim.msisdn ?? sim?.msisdn ?? undefined;
    return {
      data: { ...data, sim: { ...data.sim, daysDormant, ...(msisdn ? { msisdn } : {}) } },
    };
  }
}
