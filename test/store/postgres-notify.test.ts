/**
 * LISTEN/NOTIFY between two PostgresStore instances: new or newly due work in one
 * wakes a listener on the other at once. Runs when HERALD_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { createTestDatabase, testDatabaseServer } from '../helpers/postgres-database.ts';
import { delivery, event, owner, queue } from './fixtures.ts';

const skip = testDatabaseServer() ? false : 'HERALD_TEST_DATABASE_URL is not set';

test('work committed in one store wakes a listener on another', { skip }, async (t) => {
  const db = (await createTestDatabase())!;
  const writer = new PostgresStore(db.url);
  const listener = new PostgresStore(db.url);
  t.after(async () => {
    await writer.close();
    await listener.close();
    await db.drop();
  });
  await writer.migrate();
  await writer.createOwner(owner('own-1'));

  let calls = 0;
  let wake: () => void = () => {};
  const stop = await listener.onWork(() => {
    calls++;
    wake();
  });
  const woken = (what: Promise<unknown>) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no notification in 2 s')), 2000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      what.catch(reject);
    });

  await woken(queue(writer, 'own-1', [delivery('d1')]));
  const [d1] = await writer.claimDeliveries(1000, 1, 60_000);
  await writer.completeDelivery(d1, { status: 'failed', lastError: 'gone' }, 1001);
  await woken(writer.requeueDelivery('own-1', 'd1', 1002));
  await writer.completeDelivery(
    (await writer.claimDeliveries(1002, 1, 60_000))[0],
    { status: 'pending', nextAttemptAt: 90_000 },
    1003,
  );
  await woken(writer.wakeTarget('own-1', 'end-1', 1004));

  // An event with no deliveries, and a change that changes nothing, announce nothing.
  const before = calls;
  await writer.acceptEvents('own-1', [event('own-1', 'evt-quiet')]);
  await writer.wakeTarget('own-1', 'end-none', 1005);
  stop();
  await queue(writer, 'own-1', [delivery('d2')]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(calls, before, 'nothing heard after nothing to do, or after stopping');
});

test(
  'facts and planned notifications wake a trigger listener on another store',
  { skip },
  async (t) => {
    const db = (await createTestDatabase())!;
    const writer = new PostgresStore(db.url);
    const listener = new PostgresStore(db.url);
    t.after(async () => {
      await writer.close();
      await listener.close();
      await db.drop();
    });
    await writer.migrate();
    await writer.createOwner(owner('own-1'));

    const heard: string[] = [];
    await listener.onTriggerWork(() => heard.push('triggers'));
    await listener.onWork(() => heard.push('work'));
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

    await writer.acceptEvents('own-1', [{ ...event('own-1', 'evt-fact'), feedsTriggers: true }]);
    await settle();
    assert.deepEqual(heard, ['triggers'], 'a fact with no deliveries is trigger work only');

    heard.length = 0;
    const row = {
      id: 'sch-1',
      ownerId: 'own-1',
      dedupeKey: 'overdue:inv-1',
      type: 'invoice.overdue',
      accountId: 'acc-1',
      subscriptionId: null,
      subject: 'inv-1',
      dueAt: 5000,
      dueLocal: '2026-03-01T09:00:00+01:00',
      timezone: 'Europe/Berlin',
      data: {},
    };
    await writer.scheduleNotifications([row]);
    await settle();
    assert.deepEqual(heard, ['triggers']);
    heard.length = 0;
    await writer.scheduleNotifications([row]);
    await settle();
    assert.deepEqual(heard, [], 'planning an existing row again changes nothing');
  },
);
