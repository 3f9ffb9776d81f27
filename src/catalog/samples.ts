/**
 * Sample values for previews and test-sends, built from the examples declared with
 * each field, so a preview shows every token a type carries, optional ones included.
 */

import { requireEventType } from './catalog.ts';
import { COMMON_GROUPS, CONTACT_GROUP } from './groups.ts';
import { fieldOf } from './schema.ts';
import type { GroupDef } from './types.ts';

const examplesOf = (group: GroupDef): Record<string, string | number | boolean> =>
  Object.fromEntries(Object.entries(group.fields).map(([name, def]) => [name, def.example]));

const commonGroup = (name: string): GroupDef => {
  const group = COMMON_GROUPS.find((g) => g.name === name);
  if (!group) throw new Error(`catalogue lacks common group "${name}"`);
  return group;
};

/**
 * A realistic payload of `type`, valid against its schema, with every optional group
 * and field filled in. A fresh object each call; an unknown type throws a 422.
 */
export const sampleData = (type: string): Record<string, unknown> => {
  const def = requireEventType(type);
  const data: Record<string, unknown> = {};
  for (const use of def.payload) {
    data[use.group] = Object.fromEntries(
      use.fields.map((field) => [field, fieldOf(use, field).example]),
    );
  }
  return data;
};

/** Sample values of the common groups, shaped as `buildTokenContext` takes them. */
export interface SampleCommon {
  event: { id: string; type: string; occurredAt: string };
  owner: { name: string };
  account: {
    id: string;
    number: string;
    name: string;
    status: string;
    balance: number;
    currency: string;
  } | null;
  contact: { name: string; email: string; type: string };
}

/**
 * Sample event, owner, account and contact values. With a type, the event names it
 * and the account is null when the type has none (bill runs).
 */
export const sampleCommon = (type?: string): SampleCommon => {
  const def = type === undefined ? undefined : requireEventType(type);
  const event = examplesOf(commonGroup('event')) as SampleCommon['event'];
  if (def) event.type = def.type;
  const hasAccount = def?.hasAccount ?? true;
  return {
    event,
    owner: examplesOf(commonGroup('owner')) as SampleCommon['owner'],
    account: hasAccount
      ? (examplesOf(commonGroup('account')) as NonNullable<SampleCommon['account']>)
      : null,
    contact: examplesOf(CONTACT_GROUP) as SampleCommon['contact'],
  };
};
