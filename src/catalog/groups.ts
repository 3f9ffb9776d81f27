/**
 * Every token group Herald knows, each field declared once with its type, meaning and
 * an example. Event types pick fields from here, so one field means the same thing
 * (and has the same example in previews) wherever it appears.
 */

import type { FieldDef, GroupDef } from './types.ts';

const CURRENCY: FieldDef['pattern'] = {
  regex: '^[A-Z]{3}$',
  hint: 'a 3-letter ISO 4217 currency code in capitals, such as "EUR"',
};

const str = (description: string, example: string): FieldDef => ({
  type: 'string',
  description,
  example,
});

const num = (description: string, example: number, minimum?: number): FieldDef => ({
  type: 'number',
  description,
  example,
  ...(minimum === undefined ? {} : { minimum }),
});

const currency = (description: string): FieldDef => ({
  type: 'string',
  description,
  example: 'EUR',
  pattern: CURRENCY,
});

const count = (description: string, example: number): FieldDef => ({
  type: 'integer',
  description,
  example,
  minimum: 0,
});

const date = (description: string, example: string): FieldDef => ({
  type: 'date',
  description,
  example,
});

const dateTime = (description: string, example: string): FieldDef => ({
  type: 'date-time',
  description,
  example,
});

const group = (name: string, description: string, fields: Record<string, FieldDef>): GroupDef => ({
  name,
  description,
  fields,
});

/** Groups filled from Herald's records rather than the payload, in token-list order. */
export const COMMON_GROUPS: readonly GroupDef[] = [
  group('event', 'The event itself', {
    id: str('Herald id of the event', 'evt_01J9Z8Q4V1N7C2D3E4F5G6H7J8'),
    type: str('Catalogue type of the event', 'service.state_changed'),
    occurredAt: dateTime('When the fact happened, UTC', '2025-03-14T09:30:00.000Z'),
  }),
  group('now', 'The moment of rendering, UTC', {
    date: date('Rendering date, UTC', '2025-03-14'),
    time: { type: 'time', description: 'Rendering time of day, UTC, as HH:MM', example: '09:31' },
  }),
  group('owner', 'The tenant the event belongs to', {
    name: str('Name of the owner', 'Northwind Telecom'),
  }),
  group('account', 'The customer account the event concerns', {
    id: str('Account id in the billing platform', 'acc-20417'),
    number: str('Account number shown to the customer', 'A-20417'),
    name: str('Account name', 'Brightwater Cafés Ltd'),
    status: str('Account status', 'Active'),
    balance: num('Account balance, in the account currency', 182.4),
    currency: currency('Currency of the account'),
  }),
];

/** Common fields that Herald may not know for every account. */
export const OPTIONAL_COMMON_TOKENS: ReadonlySet<string> = new Set([
  'account.number',
  'account.name',
  'account.status',
  'account.balance',
  'account.currency',
]);

/** The recipient of an email; never part of a webhook. */
export const CONTACT_GROUP: GroupDef = group('contact', 'The email recipient', {
  name: str('Name of the contact', 'Aoife Ní Bhriain'),
  email: str('Email address of the contact', 'aoife@brightwater.example'),
  type: str('Contact type the recipient was chosen by', 'billing'),
});

/** Contact fields an account's contact may lack. */
export const OPTIONAL_CONTACT_TOKENS: ReadonlySet<string> = new Set(['contact.name']);

const INVOICE_FIELDS: Record<string, FieldDef> = {
  id: str('Invoice id in the billing platform', 'inv-88123'),
  number: str('Invoice number printed on the invoice', 'INV-2025-000981'),
  date: date('Invoice date', '2025-03-01'),
  dueDate: date('Date payment is due', '2025-03-31'),
  total: num('Invoice total, tax included', 249.9),
  balance: num('Amount still owed on the invoice', 249.9),
  currency: currency('Currency of the invoice'),
};

/** Groups that arrive in an event's `data`. */
export const PAYLOAD_GROUPS: readonly GroupDef[] = [
  group('service', 'The service the event concerns', {
    id: str('Service id in the billing platform', 'svc-55012'),
    name: str('Service name', 'Fibre 100'),
    previousState: str('State the service left', 'Preactive'),
    newState: str('State the service entered', 'Active'),
  }),
  group('package', 'The package the event concerns', {
    id: str('Package id in the billing platform', 'pkg-310'),
    name: str('Package name', 'Business Broadband Plus'),
    effectiveDate: date('Date the change takes effect', '2025-03-15'),
  }),
  group('statusChange', 'An account status change', {
    previousStatus: str('Status the account left', 'Active'),
    newStatus: str('Status the account entered', 'Suspended'),
    reason: str('Why the status changed', 'Payment overdue'),
  }),
  group('cancellation', 'An account cancellation', {
    date: date('Date the cancellation takes effect', '2025-03-31'),
    reason: str('Why the account was cancelled', 'Moved to another provider'),
  }),
  group('billRun', 'A bill run, which spans many accounts', {
    id: str('Bill run id in the billing platform', 'br-2025-03'),
    periodStart: date('First day of the billed period', '2025-02-01'),
    periodEnd: date('Last day of the billed period', '2025-02-28'),
    startedAt: dateTime('When the bill run started, UTC', '2025-03-01T02:00:00.000Z'),
    completedAt: dateTime('When the bill run completed, UTC', '2025-03-01T02:47:12.000Z'),
    invoiceCount: count('Number of invoices produced', 12840),
    total: num('Sum of the invoices produced', 1932877.35),
    currency: currency('Currency of the total'),
    durationSeconds: count('How long the bill run took, in seconds', 2832),
  }),
  group('invoice', 'The invoice the event concerns', INVOICE_FIELDS),
  group('overdue', 'How far an invoice is past its payment terms', {
    daysOverdue: count('Whole days since the due date', 7),
  }),
  group('delivery', 'How an invoice was delivered', {
    method: str('Delivery method (email, print, portal, ...)', 'email'),
    deliveredAt: dateTime('When the invoice was delivered, UTC', '2025-03-01T06:15:00.000Z'),
  }),
  group('followup', 'A follow-up scheduled after an invoice was delivered', {
    offsetDays: count('Days after delivery the follow-up was set for', 5),
    at: { type: 'time', description: 'Local time of day it was set for, HH:MM', example: '10:00' },
    scheduledAt: dateTime('The moment it was due, UTC', '2025-03-06T10:00:00.000Z'),
  }),
  group('refund', 'A refund processed on the account', {
    id: str('Refund id in the billing platform', 'rf-7781'),
    amount: num('Amount refunded', 35, 0),
    currency: currency('Currency of the refund'),
    reason: str('Why the refund was made', 'Duplicate payment'),
    processedAt: dateTime('When the refund was processed, UTC', '2025-03-14T09:30:00.000Z'),
  }),
  group('credit', 'A credit processed on the account', {
    id: str('Credit id in the billing platform', 'cr-4410'),
    amount: num('Amount credited', 20, 0),
    currency: currency('Currency of the credit'),
    reason: str('Why the credit was given', 'Service outage 12 March'),
    invoiceId: str('Invoice the credit was applied to', 'inv-88123'),
    processedAt: dateTime('When the credit was processed, UTC', '2025-03-14T09:30:00.000Z'),
  }),
  group('contract', 'The contract the event concerns', {
    id: str('Contract id in the billing platform', 'ct-901'),
    periodStart: date('First day of the commitment period', '2025-01-01'),
    periodEnd: date('Last day of the commitment period', '2025-03-31'),
  }),
  group('commitment', 'One commitment tier of a contract', {
    tier: str('Name of the commitment tier', 'Gold'),
    committed: num('Amount committed for the tier', 10000),
    actual: num('Amount actually reached', 8250.5),
    shortfall: num('Amount missing to meet the commitment', 1749.5),
    currency: currency('Currency of the amounts'),
  }),
  group('sim', 'A SIM card', {
    iccid: str('ICCID of the SIM', '8935301234567890123'),
    msisdn: str('Phone number of the SIM', '+353871234567'),
    lastUsageAt: dateTime('Last usage seen, UTC', '2025-01-12T17:04:00.000Z'),
    daysDormant: count('Whole days without usage', 60),
  }),
  group('usage', 'Usage of a bucket against its tiers', {
    bucket: str('Bucket name', 'Mobile data'),
    tier: num('Tier crossed, as a percentage of the allowance', 80, 0),
    allowance: num('Allowance of the bucket for the period', 50),
    used: num('Amount used so far in the period', 40.2),
    unit: str('Unit of the allowance and usage', 'GB'),
    identifier: str('Usage identifier, such as a SIM ICCID', '8935301234567890123'),
    periodStart: date('First day of the usage period', '2025-03-01'),
    periodEnd: date('Last day of the usage period', '2025-03-31'),
  }),
  group('endpoint', 'A webhook endpoint of the owner', {
    id: str('Endpoint id in Herald', 'ep_0190b3c4d5e6'),
    name: str('Endpoint name', 'Provisioning system'),
    url: str('Endpoint URL', 'https://hooks.example.com/herald'),
    reason: str('Why Herald disabled it', 'every attempt failed for 5 days'),
    failingSince: dateTime('When its attempts began to fail, UTC', '2025-03-01T08:00:00.000Z'),
    disabledAt: dateTime('When Herald disabled it, UTC', '2025-03-06T08:00:00.000Z'),
  }),
];

const BY_NAME = new Map(
  [...COMMON_GROUPS, CONTACT_GROUP, ...PAYLOAD_GROUPS].map((g) => [g.name, g]),
);

/** The group of that name, or undefined. */
export const getGroup = (name: string): GroupDef | undefined => BY_NAME.get(name);

/** Names of the common groups, which a payload may never use as a key. */
export const COMMON_GROUP_NAMES: readonly string[] = [
  ...COMMON_GROUPS.map((g) => g.name),
  CONTACT_GROUP.name,
];
