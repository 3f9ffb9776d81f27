/**
 * The sixteen billing event types, and Herald's own endpoint.disabled, declared as
 * data: what each means and which payload groups and fields it carries. Everything
 * else (schemas, token lists, samples) is derived from this list and groups.ts, so
 * the API, the validator and the docs cannot disagree.
 *
 * Field lists are written as words; a trailing `?` marks a field that may be left out.
 */

import type { PayloadGroupUse } from './types.ts';

/** One event type as written here, before its schema and tokens are derived. */
export interface EventTypeDeclaration {
  type: string;
  description: string;
  hasAccount: boolean;
  payload: readonly PayloadGroupUse[];
}

const use = (group: string, fieldWords: string, optional: boolean): PayloadGroupUse => {
  const words = fieldWords.split(/\s+/).filter(Boolean);
  return {
    group,
    optional,
    fields: words.map((w) => w.replace(/\?$/, '')),
    optionalFields: words.filter((w) => w.endsWith('?')).map((w) => w.slice(0, -1)),
  };
};

/** A group every event of the type carries. */
const needs = (group: string, fields: string): PayloadGroupUse => use(group, fields, false);

/** A group an event of the type may leave out. */
const mayHave = (group: string, fields: string): PayloadGroupUse => use(group, fields, true);

const INVOICE = 'id number date dueDate total balance currency';

export const DECLARATIONS: readonly EventTypeDeclaration[] = [
  {
    type: 'service.state_changed',
    description: 'A service moved from one state to another (Preactive to Active, ...).',
    hasAccount: true,
    payload: [needs('service', 'id name previousState newState'), mayHave('package', 'id name')],
  },
  {
    type: 'account.status_changed',
    description: "An account's status changed.",
    hasAccount: true,
    payload: [needs('statusChange', 'previousStatus newStatus reason?')],
  },
  {
    type: 'account.cancelled',
    description: 'An account was cancelled.',
    hasAccount: true,
    payload: [needs('cancellation', 'date reason?')],
  },
  {
    type: 'bill_run.started',
    description: 'A bill run was initiated; it spans many accounts, so it carries none.',
    hasAccount: false,
    payload: [needs('billRun', 'id periodStart periodEnd startedAt')],
  },
  {
    type: 'bill_run.completed',
    description: 'A bill run completed; it spans many accounts, so it carries none.',
    hasAccount: false,
    payload: [
      needs(
        'billRun',
        'id periodStart periodEnd startedAt? completedAt invoiceCount total currency ' +
          'durationSeconds',
      ),
    ],
  },
  {
    type: 'invoice.posted',
    description: 'An invoice was posted.',
    hasAccount: true,
    payload: [needs('invoice', INVOICE)],
  },
  {
    type: 'invoice.overdue',
    description: 'An invoice breached its payment terms without being paid or credited.',
    hasAccount: true,
    payload: [needs('invoice', INVOICE), needs('overdue', 'daysOverdue')],
  },
  {
    type: 'invoice.delivered',
    description: 'An invoice was delivered to the customer.',
    hasAccount: true,
    payload: [needs('invoice', INVOICE), needs('delivery', 'method deliveredAt')],
  },
  {
    type: 'invoice.delivery_followup',
    description:
      'A set number of days after an invoice was delivered, at a set local time of day ' +
      '(both chosen per subscription, in the account time zone).',
    hasAccount: true,
    payload: [
      needs('invoice', INVOICE),
      needs('followup', 'offsetDays at scheduledAt'),
      mayHave('delivery', 'method? deliveredAt'),
    ],
  },
  {
    type: 'refund.processed',
    description: 'A refund was processed on the account.',
    hasAccount: true,
    payload: [needs('refund', 'id? amount currency reason? processedAt?')],
  },
  {
    type: 'credit.processed',
    description: 'A credit was processed on the account.',
    hasAccount: true,
    payload: [needs('credit', 'id? amount currency reason? invoiceId? processedAt?')],
  },
  {
    type: 'contract.under_commit',
    description: 'A contract fell short of one of its commitment tiers; once per tier.',
    hasAccount: true,
    payload: [
      needs('contract', 'id periodStart? periodEnd?'),
      needs('commitment', 'tier committed actual shortfall currency?'),
    ],
  },
  {
    type: 'sim.dormant',
    description: 'A SIM has had no usage for the configured number of days.',
    hasAccount: true,
    payload: [
      needs('sim', 'iccid msisdn? lastUsageAt? daysDormant'),
      mayHave('service', 'id name'),
    ],
  },
  {
    type: 'package.added',
    description: 'A package was added to an account.',
    hasAccount: true,
    payload: [needs('package', 'id name effectiveDate'), mayHave('service', 'id name')],
  },
  {
    type: 'package.cancelled',
    description: 'A package was cancelled.',
    hasAccount: true,
    payload: [needs('package', 'id name effectiveDate?'), mayHave('service', 'id name')],
  },
  {
    type: 'usage.threshold_exceeded',
    description: 'A bucket tier was used up; once per tier and period.',
    hasAccount: true,
    payload: [
      needs('usage', 'bucket tier allowance used unit identifier? periodStart? periodEnd?'),
    ],
  },
  {
    // Herald's own event, not reported by the billing platform: it tells the owner
    // that an endpoint failing for too long was switched off.
    type: 'endpoint.disabled',
    description: 'Herald disabled a webhook endpoint whose every attempt failed for too long.',
    hasAccount: false,
    payload: [needs('endpoint', 'id name url reason failingSince disabledAt')],
  },
];
