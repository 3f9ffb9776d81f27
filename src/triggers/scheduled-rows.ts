import { newId } from '../ids.ts';
import type { AccountDoc } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { NewScheduled } from '../store/trigger-store.ts';
import { localIso } from './local-time.ts';
import {
  DEFAULT_TRIGGER_SETTINGS,
  TRIGGER_SETTINGS_ID,
  type TriggerSettingsDoc,
} from './trigger-records.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The owner's trigger settings, with the defaults for what was never set. */
export async function triggerSettings(store: Store, ownerId: string): Promise<TriggerSettingsDoc> {
  const stored = await store.getRecord<Partial<TriggerSettingsDoc>>(
    ownerId,
    'trigger-settings',
    TRIGGER_SETTINGS_ID,
  );
  return { ...DEFAULT_TRIGGER_SETTINGS, ...stored?.doc };
}

/** An account's time zone: its own, else the owner's, else UTC. */
export function zoneOf(account: Pick<AccountDoc, 'timezone'> | null | undefined, owner: string) {
  return account?.timezone || owner || 'UTC';
}

/** The time zone the triggers use for one account of an owner. */
export async function accountZone(
  store: Store,
  ownerId: string,
  accountId: string | null,
): Promise<{ zone: string; account: AccountDoc | undefined }> {
  const settings = await triggerSettings(store, ownerId);
  const account = accountId
    ? (await store.getRecord<AccountDoc>(ownerId, 'account', accountId))?.doc
    : undefined;
  return { zone: zoneOf(account, settings.timezone), account };
}

/** A scheduled row, with its id and its due time written out in the zone. */
export function scheduledRow(row: Omit<NewScheduled, 'id' | 'dueLocal'>): NewScheduled {
  return { ...row, id: newId('sch'), dueLocal: localIso(row.dueAt, row.timezone) };
}

export const isoOf = (ms: number): string => new Date(ms).toISOString();
