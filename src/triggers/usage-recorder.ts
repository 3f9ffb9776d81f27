import type { AccountDoc } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { NewScheduled, UsagePlan, UsageState } from '../store/trigger-store.ts';
import type { Clock } from './clock.ts';
import { periodAt, type PeriodBounds } from './local-time.ts';
import { DAY_MS, isoOf, scheduledRow, triggerSettings, zoneOf } from './scheduled-rows.ts';
import type { BucketDoc, TriggerSettingsDoc, TriggerSubscription } from './trigger-records.ts';

export const THRESHOLD = 'usage.threshold_exceeded';
export const DORMANT = 'sim.dormant';

/** One usage record, checked by the route: its account and bucket exist. */
export interface UsageInput {
  id?: string;
  account: AccountDoc;
  identifier?: string;
  msisdn?: string;
  bucket?: BucketDoc;
  quantity: number;
  amount?: number;
  at?: number;
}

export interface UsageRecordResult {
  status: 'recorded' | 'duplicate';
  /** Bucket tiers this record reached for the first time in its period. */
  tiersReached: number[];
  used: number | null;
}

/**
 * Records usage and plans what it triggers, in the record's own transaction:
 *
 * - threshold: the record's quantity adds to its account's bucket total for the
 *   bucket period holding `at` (calendar periods in the account's time zone); every
 *   tier the total has reached gets a row due now, keyed by account, bucket, period
 *   and tier, so each tier fires once per period and a record that crosses several
 *   fires one event per tier, in tier order;
 * - dormancy: a record newer than the identifier's last usage starts a new dormancy
 *   period: pending dormant rows of the identifier are dropped and new ones planned
 *   N days after this usage (N from the owner's settings, and from each sim.dormant
 *   subscription that sets its own dormantDays). A row keyed by the usage time fires
 *   once; only newer usage can plan another.
 */
export class UsageRecorder {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly onScheduled: () => void,
  ) {}

  async record(ownerId: string, inputs: UsageInput[]): Promise<UsageRecordResult[]> {
    const settings = await triggerSettings(this.store, ownerId);
    const subscriptions = await this.store.listRecords<TriggerSubscription>(
      ownerId,
      'subscription',
    );
    const dormantSubs = subscriptions
      .map((r) => r.doc)
      .filter((s) => s.enabled && s.dormantDays && s.eventTypes.includes(DORMANT));

    const results: UsageRecordResult[] = [];
    let scheduled = 0;
    for (const input of inputs) {
      const now = this.clock.now();
      const at = input.at ?? now;
      const zone = zoneOf(input.account, settings.timezone);
      const period = input.bucket ? periodAt(at, input.bucket.period, zone) : null;
      let reached: number[] = [];
      const result = await this.store.recordUsage(
        {
          ownerId,
          recordId: input.id ?? null,
          accountId: input.account.id,
          identifier: input.identifier ?? null,
          msisdn: input.msisdn ?? null,
          bucketId: input.bucket?.id ?? null,
          periodStart: period?.startDate ?? null,
          quantity: input.quantity,
          amount: input.amount ?? null,
          at,
        },
        (state) => {
          const plan = this.plan(ownerId, input, { now, zone, period, state });
          reached = crossedBy(input, state);
          return this.addDormancy(plan, ownerId, input, { at, zone, state, settings, dormantSubs });
        },
      );
      scheduled += result.scheduled;
      results.push({
        status: result.duplicate ? 'duplicate' : 'recorded',
        tiersReached: result.duplicate ? [] : reached,
        used: result.state?.used ?? null,
      });
    }
    if (scheduled > 0) this.onScheduled();
    return results;
  }

  /** Threshold rows for every tier the period total has reached. */
  private plan(
    ownerId: string,
    input: UsageInput,
    c: { now: number; zone: string; period: PeriodBounds | null; state: UsageState },
  ): UsagePlan {
    const { bucket } = input;
    const schedule: NewScheduled[] = [];
    if (!bucket || !c.period || c.state.used === null) return { schedule };
    const used = c.state.used;
    // Every tier reached is planned, not only those this record crossed: the keys
    // keep one row per tier, and a tier whose row a crash lost is caught up here.
    for (const tier of bucket.tiers) {
      if (!reaches(used, bucket, tier)) break;
      schedule.push(
        scheduledRow({
          ownerId,
          dedupeKey: `threshold:${input.account.id}:${bucket.id}:${c.period.startDate}:${tier}`,
          type: THRESHOLD,
          accountId: input.account.id,
          subscriptionId: null,
          subject: `${bucket.id}:${c.period.startDate}`,
          dueAt: c.now,
          timezone: c.zone,
          data: {
            usage: {
              bucket: bucket.name,
              tier,
              allowance: bucket.allowance,
              used,
              unit: bucket.unit,
              ...(input.identifier ? { identifier: input.identifier } : {}),
              periodStart: c.period.startDate,
              periodEnd: c.period.endDate,
            },
          },
        }),
      );
    }
    return { schedule };
  }

  private addDormancy(
    plan: UsagePlan,
    ownerId: string,
    input: UsageInput,
    c: {
      at: number;
      zone: string;
      state: UsageState;
      settings: TriggerSettingsDoc;
      dormantSubs: TriggerSubscription[];
    },
  ): UsagePlan {
    const iccid = input.identifier;
    const last = c.state.previousLastUsageAt;
    if (!iccid || (last !== null && c.at <= last)) return plan;

    const row = (days: number, subscriptionId: string | null) =>
      scheduledRow({
        ownerId,
        dedupeKey: `dormant:${subscriptionId ? `${subscriptionId}:` : ''}${iccid}:${c.at}`,
        type: DORMANT,
        accountId: input.account.id,
        subscriptionId,
        subject: iccid,
        dueAt: c.at + days * DAY_MS,
        timezone: c.zone,
        data: {
          sim: {
            iccid,
            ...(input.msisdn ? { msisdn: input.msisdn } : {}),
            lastUsageAt: isoOf(c.at),
            daysDormant: days,
          },
        },
      });
    const rows: NewScheduled[] = [];
    if (c.settings.dormantDays) rows.push(row(c.settings.dormantDays, null));
    for (const sub of c.dormantSubs) rows.push(row(sub.dormantDays!, sub.id));
    return {
      schedule: [...plan.schedule, ...rows],
      supersede: { type: DORMANT, subject: iccid },
    };
  }
}

/** Compared in percent units, so that 80% of 50 GB is reached at exactly 40 GB. */
function reaches(used: number, bucket: BucketDoc, tier: number): boolean {
  return used * 100 >= bucket.allowance * tier;
}

/** The tiers this record took its period total across. */
function crossedBy(input: UsageInput, state: UsageState): number[] {
  const { bucket } = input;
  if (!bucket || state.used === null) return [];
  const before = state.used - input.quantity;
  return bucket.tiers.filter(
    (tier) => reaches(state.used!, bucket, tier) && !reaches(before, bucket, tier),
  );
}
