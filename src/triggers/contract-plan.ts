import type { Store } from '../store/store.ts';
import type { NewScheduled, ScheduledRecord } from '../store/trigger-store.ts';
import type { Clock } from './clock.ts';
import { nextPeriod, periodAt, parseDate, startOfDay, type PeriodBounds } from './local-time.ts';
import { accountZone, scheduledRow } from './scheduled-rows.ts';
import type { ContractDoc } from './trigger-records.ts';

export const UNDER_COMMIT = 'contract.under_commit';

interface CommitData {
  contract: { id: string; periodStart: string; periodEnd: string };
  commitment: {
    tier: string;
    committed: number;
    actual: number;
    shortfall: number;
    currency?: string;
  };
}

/**
 * Contract commitments. A contract has one pending row per tier, due when its
 * current period ends (calendar periods in the account's time zone); when a row
 * falls due the usage of the period is summed and held against the tier, and the
 * row of the next period is planned in the same transaction. Saving a contract
 * plans its current period afresh.
 */
export class ContractPlanner {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async plan(ownerId: string, contract: ContractDoc): Promise<void> {
    await this.store.deletePendingScheduled(ownerId, UNDER_COMMIT, contract.id);
    const { zone } = await accountZone(this.store, ownerId, contract.accountId);
    const period = periodAt(this.clock.now(), contract.period, zone);
    await this.store.scheduleNotifications(this.rows(ownerId, contract, period, zone));
  }

  async remove(ownerId: string, contractId: string): Promise<void> {
    await this.store.deletePendingScheduled(ownerId, UNDER_COMMIT, contractId);
  }

  /** One row per tier, due at the period's end; actual and shortfall are filled then. */
  rows(ownerId: string, contract: ContractDoc, period: PeriodBounds, zone: string) {
    return contract.tiers.map((tier): NewScheduled => {
      const data: CommitData = {
        contract: { id: contract.id, periodStart: period.startDate, periodEnd: period.endDate },
        commitment: {
          tier: tier.name,
          committed: tier.commitAmount,
          actual: 0,
          shortfall: tier.commitAmount,
          ...(contract.currency ? { currency: contract.currency } : {}),
        },
      };
      return scheduledRow({
        ownerId,
        dedupeKey: `commit:${contract.id}:${period.startDate}:${tier.name}`,
        type: UNDER_COMMIT,
        accountId: contract.accountId,
        subscriptionId: null,
        subject: contract.id,
        dueAt: period.end,
        timezone: zone,
        data: data as unknown as Record<string, unknown>,
      });
    });
  }

  /**
   * Settles a due row: the event data when the tier was missed, or why not, and
   * the next period's row of the same tier while the contract still has it.
   */
  async resolve(
    row: ScheduledRecord,
  ): Promise<{ data?: CommitData; note?: string; next: NewScheduled[] }> {
    const stored = await this.store.getRecord<ContractDoc>(row.ownerId, 'contract', row.subject!);
    const planned = row.data as unknown as CommitData;
    if (!stored) return { note: 'the contract no longer exists', next: [] };
    const contract = stored.doc;
    const tier = contract.tiers.find((t) => t.name === planned.commitment.tier);
    const zone = row.timezone;
    const period = periodAt(
      startOfDay(parseDate(planned.contract.periodStart), zone),
      contract.period,
      zone,
    );
    const following = nextPeriod(period.startDate, contract.period, zone);
    const next = tier
      ? this.rows(row.ownerId, { ...contract, tiers: [tier] }, following, zone)
      : [];
    if (!tier) return { note: `the contract no longer has tier ${planned.commitment.tier}`, next };
    if (row.edited) return { data: planned, next };

    const actual = await this.store.sumUsage(row.ownerId, {
      accountId: contract.accountId,
      from: period.start,
      to: period.end,
      bucketId: contract.bucketId ?? undefined,
      measure: contract.measure,
    });
    if (actual >= tier.commitAmount) {
      return { note: `commitment met: ${actual} of ${tier.commitAmount}`, next };
    }
    const data: CommitData = {
      contract: planned.contract,
      commitment: {
        ...planned.commitment,
        committed: tier.commitAmount,
        actual: round(actual),
        shortfall: round(tier.commitAmount - actual),
      },
    };
    return { data, next };
  }
}

/** Sums of money in floating point pick up noise (0.1 + 0.2); keep cents-level digits. */
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
