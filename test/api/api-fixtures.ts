/**
 * Shared ground for the API tests: one of every record for an owner, a fresh owner
 * per test, wrong values for a schema, and the error-body assertion. The route
 * table lives in route-table.ts and is re-exported here.
 */
import assert from 'node:assert/strict';
import { hashKey } from '../../src/api/auth.ts';
import { sampleData } from '../../src/catalog/index.ts';
import type { ApiAnswer, TestHerald } from '../helpers/herald-harness.ts';
import { serviceEvent, type Seeded } from './route-table.ts';

export * from './route-table.ts';

/** Creates one of every record for the owner behind `adminKey`. */
export async function seedOwner(
  h: TestHerald,
  adminKey: string,
  options: { accountId: string; endpointUrl: string; label: string },
): Promise<Seeded> {
  const call = async (method: string, path: string, body: unknown, status: number) => {
    const r = await h.api(method, path, body, { key: adminKey });
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const { label } = options;
  const self = (await h.herald.store.findKeyWithRecordsVersion(hashKey(adminKey)))?.key;
  assert.ok(self, 'seedOwner needs a valid admin key');
  const contactType = await call(
    'POST',
    '/v1/contact-types',
    { name: 'billing', isEmailDefault: true, isBilling: true },
    201,
  );
  await call(
    'POST',
    '/v1/accounts',
    {
      id: options.accountId,
      name: `Account of ${label}`,
      timezone: 'Europe/London',
      locale: 'en-GB',
      contacts: { billing: { name: `Bea ${label}`, email: 'bea@example.com' } },
    },
    201,
  );
  const endpoint = await call(
    'POST',
    '/v1/endpoints',
    { name: `ops ${label}`, url: options.endpointUrl, eventTypes: ['service.state_changed'] },
    201,
  );
  const profile = await call(
    'POST',
    '/v1/smtp-profiles',
    {
      name: `main ${label}`,
      host: '127.0.0.1',
      port: 2525,
      tls: 'none',
      fromAddress: 'noreply@example.com',
      password: `smtp-password-${label}`,
    },
    201,
  );
  const template = await call(
    'POST',
    '/v1/email-templates',
    {
      name: `suspended ${label}`,
      eventType: 'service.state_changed',
      subject: '{{service.name}} is {{service.newState}}',
      text: 'Hello {{contact.name}}',
      to: [{ contactType: 'billing' }],
    },
    201,
  );
  const subscription = await call('POST', '/v1/subscriptions', { endpointId: endpoint.id }, 201);
  const event = await call('POST', '/v1/events', serviceEvent(options.accountId), 202);
  const stored = await call('GET', `/v1/events/${event.id}`, undefined, 200);
  assert.equal(stored.deliveries.length, 1, JSON.stringify(stored));
  const key = await call('POST', '/v1/keys', { name: 'reader', scopes: ['events:read'] }, 201);
  const triggers = await seedTriggerRecords(h, adminKey, options.accountId, label);
  return {
    ownerId: self.ownerId,
    adminKey,
    keyId: key.id,
    keySecret: key.secret,
    accountId: options.accountId,
    contactTypeId: contactType.id,
    endpointId: endpoint.id,
    endpointSecret: endpoint.secret,
    smtpProfileId: profile.id,
    templateId: template.id,
    subscriptionId: subscription.id,
    eventId: event.id,
    deliveryId: stored.deliveries[0].id,
    ...triggers,
  };
}

/**
 * The records the triggers keep: a bucket, a contract, an invoice fact with its
 * overdue notification (due in 2099, so it stays pending), and a SIM. Invoice facts
 * are kept after the event is committed, so they are polled for.
 */
async function seedTriggerRecords(h: TestHerald, key: string, accountId: string, label: string) {
  const call = async (method: string, path: string, body: unknown, status: number) => {
    const r = await h.api(method, path, body, { key });
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const bucket = await call(
    'POST',
    '/v1/buckets',
    { name: 'data', unit: 'GB', allowance: 10, tiers: [80, 100], period: 'monthly' },
    201,
  );
  const contract = await call(
    'POST',
    '/v1/contracts',
    { accountId, period: 'monthly', tiers: [{ name: 'base', commitAmount: 100 }] },
    201,
  );
  const simId = `894400000000000${label.charCodeAt(0)}`;
  await call('POST', '/v1/usage', { accountId, identifier: simId, quantity: 1 }, 202);
  const data = sampleData('invoice.posted') as { invoice: Record<string, unknown> };
  const invoiceId = `inv-${label}`;
  data.invoice = { ...data.invoice, id: invoiceId, dueDate: '2099-01-31' };
  await call('POST', '/v1/events', { type: 'invoice.posted', accountId, data }, 202);

  const deadline = Date.now() + 5000;
  for (;;) {
    const rows = await call('GET', '/v1/scheduled?type=invoice.overdue', undefined, 200);
    const row = rows.data.find((r: { key: string }) => r.key === `overdue:${invoiceId}`);
    if (row) {
      return {
        bucketId: bucket.id,
        contractId: contract.id,
        invoiceId,
        scheduledId: row.id,
        simId,
      };
    }
    assert.ok(Date.now() < deadline, 'the invoice fact and its overdue row were never kept');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Asserts the contract's error body: the status, a stable code, a message, and when
 * `field` is given, that field named, and mentioned in the message unless `quiet`.
 */
export function assertApiError(
  r: ApiAnswer,
  status: number,
  expected: { field?: string; code?: string; mentions?: string[]; quiet?: boolean } = {},
): void {
  const shown = `${r.status} ${JSON.stringify(r.body)}`;
  assert.equal(r.status, status, shown);
  const error = r.body?.error;
  assert.equal(typeof error?.code, 'string', shown);
  assert.ok(typeof error.message === 'string' && error.message.length > 0, shown);
  if (expected.code) assert.equal(error.code, expected.code, shown);
  if (expected.field !== undefined) {
    assert.equal(error.field, expected.field, shown);
    if (!expected.quiet) {
      assert.ok(error.message.includes(expected.field), `message should name the field: ${shown}`);
    }
  }
  for (const word of expected.mentions ?? []) {
    assert.ok(error.message.includes(word), `message should mention ${word}: ${shown}`);
  }
}

/** The JSON types a schema admits, reading through anyOf and OpenAPI's nullable. */
function typesOf(schema: any, types = new Set<string>()): Set<string> {
  for (const type of [schema.type ?? []].flat()) types.add(type);
  if (schema.type === 'integer') types.add('number');
  if (schema.nullable) types.add('null');
  for (const branch of schema.anyOf ?? schema.oneOf ?? []) typesOf(branch, types);
  return types;
}

const CANDIDATES: [string, unknown][] = [
  ['number', 12345],
  ['string', 'not-the-right-type'],
  ['boolean', true],
  ['array', ['x']],
  ['object', { x: 1 }],
  ['null', null],
];

/** A value of a JSON type that `schema` does not admit. */
export function wrongValue(schema: any): unknown {
  const types = typesOf(schema);
  const found = CANDIDATES.find(([type]) => !types.has(type));
  assert.ok(found, `no wrong value for ${JSON.stringify(schema)}`);
  return found[1];
}

export type OwnerApi = TestHerald['api'];

/**
 * A new owner of its own for one test, created by the platform admin: the API bound
 * to its admin key (another key may still be passed), and its id.
 */
export async function freshOwner(h: TestHerald, name = 'Test owner') {
  const r = await h.api('POST', '/v1/owners', { name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const key: string = r.body.key.secret;
  const api: OwnerApi = (method, path, body, options = {}) =>
    h.api(method, path, body, { key, ...options });
  return { api, key, id: r.body.id as string };
}
