/**
 * EventPrefetch: a claimed batch's events are read in one query per owner, held
 * while the batch's attempts run, and let go when the last of them ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventPrefetch } from '../../src/queue/event-prefetch.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { DeliveryRecord } from '../../src/store/store.ts';
import { delivery, event, owner } from '../store/fixtures.ts';

async function storeWithEvents() {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  await store.createOwner(owner('own-1'));
  await store.acceptEvents('own-1', [
    event('own-1', 'evt-1', [delivery('d1'), delivery('d2', { targetId: 'end-2' })]),
    event('own-1', 'evt-2', [delivery('d3')]),
  ]);
  const batches: string[][] = [];
  const getEvents = store.getEvents.bind(store);
  store.getEvents = async (ownerId, ids) => {
    batches.push([...ids]);
    return getEvents(ownerId, ids);
  };
  return { store, batches };
}

test('reads a batch once, holds it while its attempts run, then lets go', async (t) => {
  const { store, batches } = await storeWithEvents();
  t.after(() => store.close());
  const prefetch = new EventPrefetch(store);
  const claimed = (await store.claimDeliveries(Date.now(), 10, 60_000)) as DeliveryRecord[];
  assert.equal(claimed.length, 3);

  prefetch.claimed(claimed);
  assert.deepEqual(batches, [['evt-1', 'evt-2']], 'one read for the whole batch');
  const view = prefetch.reading(store);
  const first = await view.getEvent('own-1', 'evt-1');
  assert.deepEqual(first, await store.getEvent('own-1', 'evt-1'));
  assert.equal((await view.getEvent('own-1', 'evt-2'))?.id, 'evt-2');
  assert.equal(batches.length, 1, 'answered from the batch');

  // evt-1 has two deliveries: held until both attempts end.
  const [d1, d2, d3] = claimed;
  prefetch.done(d1);
  prefetch.done(d3);
  assert.equal(prefetch.size, 1);
  prefetch.done(d2);
  assert.equal(prefetch.size, 0, 'nothing outlives its attempts');
  // Not held any more: read from the store, as without the prefetch.
  assert.equal((await view.getEvent('own-1', 'evt-2'))?.id, 'evt-2');
});

test('an event the batch read did not find is read by the attempt itself', async (t) => {
  const { store } = await storeWithEvents();
  t.after(() => store.close());
  const prefetch = new EventPrefetch({ getEvents: async () => [] });
  const [claimed] = await store.claimDeliveries(Date.now(), 1, 60_000);
  prefetch.claimed([claimed]);
  const found = await prefetch.reading(store).getEvent('own-1', claimed.eventId);
  assert.equal(found?.id, claimed.eventId);

  const failing = new EventPrefetch({ getEvents: () => Promise.reject(new Error('down')) });
  failing.claimed([claimed]);
  assert.equal((await failing.reading(store).getEvent('own-1', claimed.eventId))?.id, 'evt-1');
});
