/**
 * Several PostgresStore instances (as several processes would hold) accepting and
 * claiming at once on one database: no delivery is claimed twice, and an ordered
 * key never has two deliveries in flight. Runs when HERALD_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { DeliveryRecord, NewDelivery } from '../../src/store/store.ts';
import { createTestDatabase, testDatabaseServer } from '../helpers/postgres-database.ts';
import { delivery, event, owner } from './fixtures.ts';

const skip = testDatabaseServer() ? false : 'HERALD_TEST_DATABASE_URL is not set';
const KEYS = 8;
const PER_KEY = 30;
const UNORDERED = 120;
const BATCH = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(
  'workers on two stores claim each delivery once and ordered keys one at a time',
  { skip },
  async (t) => {
    const db = (await createTestDatabase())!;
    const stores = [new PostgresStore(db.url), new PostgresStore(db.url)];
    t.after(async () => {
      for (const store of stores) await store.close();
      await db.drop();
    });
    await Promise.all(stores.map((store) => store.migrate()));
    await stores[0].createOwner(owner('own-1'));

    // The work, interleaved: ordered deliveries of several keys beside unordered ones.
    const items: NewDelivery[] = [];
    for (let i = 0; i < KEYS * PER_KEY; i++) {
      const key = `acc-${i % KEYS}`;
      items.push(delivery(`ord-${i}`, { ordered: true, orderingKey: key, targetId: 'end-o' }));
      if (i < UNORDERED) items.push(delivery(`un-${i}`, { targetId: 'end-u' }));
    }
    const total = items.length;

    const claims = new Map<string, number>();
    const inFlight = new Map<string, string>();
    const completedSeqs = new Map<string, number[]>();
    let completed = 0;
    const violations: string[] = [];

    const run = async (store: PostgresStore, d: DeliveryRecord) => {
      const key = d.ordered ? `${d.targetId}/${d.orderingKey}` : undefined;
      if (key) {
        const other = inFlight.get(key);
        if (other) violations.push(`${d.id} claimed while ${other} of ${key} was in flight`);
        inFlight.set(key, d.id);
      }
      await sleep(Math.random() * 3);
      if (key) {
        inFlight.delete(key);
        completedSeqs.set(key, [...(completedSeqs.get(key) ?? []), d.seq]);
      }
      await store.completeDelivery(d, { status: 'succeeded', lastError: null }, Date.now());
      completed++;
    };

    const worker = async (store: PostgresStore) => {
      const deadline = Date.now() + 30_000;
      while (completed < total && Date.now() < deadline) {
        const claimed = await store.claimDeliveries(Date.now(), 4, 60_000);
        for (const d of claimed) claims.set(d.id, (claims.get(d.id) ?? 0) + 1);
        if (claimed.length === 0) await sleep(2);
        await Promise.all(claimed.map((d) => run(store, d)));
      }
    };

    // Intake runs from both stores while the workers claim, so seq order and
    // commit order are put to the test too.
    const intake = async () => {
      for (let start = 0; start < items.length; start += BATCH) {
        const store = stores[(start / BATCH) % 2];
        const batch = items.slice(start, start + BATCH);
        const events = batch.map((d) => event('own-1', `evt-${d.id}`, [d], Date.now()));
        await store.acceptEvents('own-1', events);
      }
    };

    await Promise.all([intake(), ...stores.flatMap((store) => [worker(store), worker(store)])]);

    assert.deepEqual(violations, []);
    assert.equal(completed, total);
    assert.equal(claims.size, total);
    const twice = [...claims].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no delivery is claimed twice');
    for (const [key, seqs] of completedSeqs) {
      assert.equal(seqs.length, PER_KEY, key);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `${key} delivered in seq order`,
      );
    }
    const counts = await stores[1].countDeliveries('own-1');
    assert.equal(counts.succeeded, total);
  },
);
