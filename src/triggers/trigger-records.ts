/**
 * The configuration documents the triggers keep in the store's records, and the
 * subscription fields they add.
 */
import type { SubscriptionDoc } from '../store/records.ts';
import type { Period } from './local-time.ts';

/** Owner-wide trigger settings, one record (kind `trigger-settings`, id `settings`). */
export interface TriggerSettingsDoc {
  /** The time zone of accounts that have none. */
  timezone: string;
  /** Days without usage after which a SIM is dormant; null turns the owner rule off. */
  dormantDays: number | null;
}

export const TRIGGER_SETTINGS_ID = 'settings';

export const DEFAULT_TRIGGER_SETTINGS: TriggerSettingsDoc = { timezone: 'UTC', dormantDays: 30 };

/** A usage bucket: an allowance per period, with tiers as percentages of it. */
export interface BucketDoc {
  id: string;
  name: string;
  unit: string;
  allowance: number;
  /** Ascending percentages, each fired once per account and period when reached. */
  tiers: number[];
  period: Period;
}

export interface CommitTier {
  name: string;
  commitAmount: number;
}

/** A commitment: per period, usage is held against each tier at the period's end. */
export interface ContractDoc {
  id: string;
  accountId: string;
  name?: string;
  period: Period;
  tiers: CommitTier[];
  /** What counts: the usage records' amounts (the default) or their quantities. */
  measure: 'amount' | 'quantity';
  /** Only this bucket's usage counts; every record of the account when unset. */
  bucketId?: string | null;
  currency?: string | null;
}

/**
 * A subscription as the triggers read it. `dormantDays` (sim.dormant only) gives the
 * subscription its own dormancy period instead of the owner's; such a subscription
 * hears only of the dormancies it scheduled.
 */
export type TriggerSubscription = SubscriptionDoc & { dormantDays?: number | null };

/** Reported events whose facts the triggers keep (invoices, and what pays them). */
export const FACT_EVENT_TYPES: ReadonlySet<string> = new Set([
  'invoice.posted',
  'invoice.delivered',
  'credit.processed',
  'refund.processed',
  'invoice.overdue',
]);
