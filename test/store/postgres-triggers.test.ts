/**
 * The triggers' writes from two PostgresStore instances at once, as two worker
 * processes make them: a scheduled notification fires once, a credit is applied
 * once, a usage record counts once. Runs when HERALD_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { NewScheduled } from '../../src/store/store.ts';
import {
  createTestDatabase,
  testDatabaseServer,
  type TestDatabase,
} from '../helpers/postgres-database.ts';
import { delivery, event, owner } from './fixtures.ts';

const skip = testDatabaseServer() ? false : 'HERALD_TEST_DATABASE_URL is not set';
let db: TestDatabase;
let stores: PostgresStore[] = [];

before(async () => {
  if (skip) return;
  db = (await createTestDatabase())!;
  stores = [new PostgresStore(db.url), new PostgresStore(db.url)];
  await Promise.all(stores.map((store) => store.migrate()));
  await stores[0].createOwner(owner('own-1'));
});
after(async () => {
  for (const store of stores) await store.close();
  await db?.drop();
});

/** Each planner names its rows afresh (newId), as two processes would. */
const scheduled = (n: number, planner: string): NewScheduled => ({
  id: `sch-${planner}-${n}`,
  ownerId: 'own-1',
  dedupeKey: `overdue:inv-${n}`,
  type: 'invoice.overdue',
  accountId: 'acc-1',
  subscriptionId: null,
  subject: `inv-${n}`,
  dueAt: 1000 + n,
  dueLocal: '2026-03-01T09:00:00+01:00',
  timezone: 'Europe/Berlin',
  data: { invoice: { id: `inv-${n}` } },
});

test('two stores planning and firing the same rows fire each once', { skip }, async () => {
  const rows = (planner: string) => Array.from({ length: 30 }, (_, n) => scheduled(n, planner));
  const planned = await Promise.all([
    stores[0].scheduleNotifications(rows('a')),
    stores[1].scheduleNotifications(rows('b')),
  ]);
  assert.equal(planned[0] + planned[1], 30, 'a dedupe key is planned once');

  // Both list every due row and race to fire each with an event of its own.
  const fire = async (store: PostgresStore, name: string) => {
    const due = await store.listDueScheduled(5000, 100);
    const fired = await Promise.all(
      due.map((row) => {
        const outcome = {
          event: event('own-1', `evt-${row.id}-${name}`, [delivery(`dlv-${row.id}-${name}`)]),
        };
        return store.fireScheduled('own-1', row.id, outcome, 5000);
      }),
    );
    return fired.filter(Boolean).length;
  };
  const [a, b] = await Promise.all([fire(stores[0], 'a'), fire(stores[1], 'b')]);
  assert.equal(a + b, 30);
  const events = await stores[0].listEvents('own-1', 0, 100);
  assert.equal((await stores[1].countDeliveries('own-1')).pending, 30);
  const all = await stores[0].listScheduled('own-1', { limit: 100 });
  assert.ok(
    all.every((row) => row.status === 'fired'),
    JSON.stringify(all),
  );
  assert.deepEqual(
    all.map((row) => row.eventId).sort(),
    events.map((e) => e.id).sort(),
    'each row names the one event it fired',
  );
  assert.equal(await stores[0].nextScheduledDueAt(), undefined);
});

test('a credit event applied from two stores at once is applied once', { skip }, async () => {
  const invoice = {
    ownerId: 'own-1',
    id: 'inv-pay',
    accountId: 'acc-1',
    number: 'F-1',
    date: '2026-03-01',
    dueDate: '2026-03-15',
    total: 100,
    balance: 100,
    currency: 'EUR',
    deliveredAt: null,
    deliveryMethod: null,
  };
  await stores[0].putInvoiceFacts(invoice, 1000);
  const allocations = [{ invoiceId: 'inv-pay', amount: 60 }];
  const applied = await Promise.all(
    [0, 1, 0, 1].map((i) => stores[i].recordPayment('own-1', 'evt-credit', allocations, 2000)),
  );
  assert.equal(applied.filter(Boolean).length, 1);
  const stored = await stores[1].getInvoice('own-1', 'inv-pay');
  assert.equal(stored?.paid, 60);
  assert.equal(stored?.settledAt, null);
});

test('a usage record sent to two stores at once counts once', { skip }, async () => {
  const usage = {
    ownerId: 'own-1',
    recordId: 'use-1',
    accountId: 'acc-1',
    identifier: '8944000000000000001',
    msisdn: null,
    bucketId: 'data',
    periodStart: '2026-03-01',
    quantity: 2.5,
    amount: null,
    at: 3000,
  };
  const results = await Promise.all(
    stores.map((store) => store.recordUsage(usage, () => ({ schedule: [] }))),
  );
  assert.deepEqual(results.map((r) => r.duplicate).sort(), [false, true]);
  assert.deepEqual(await stores[0].listUsageTotals('own-1', 'acc-1'), [
    { accountId: 'acc-1', bucketId: 'data', periodStart: '2026-03-01', used: 2.5 },
  ]);
  assert.equal((await stores[1].getSim('own-1', usage.identifier))?.lastUsageAt, 3000);
});
