/**
 * The workers' record cache over a real store: reads are served from it until they
 * age out, and a write made through either view of the store empties it.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, test } from 'node:test';
import { RecordCache } from '../../src/store/record-cache.ts';
import type { Store } from '../../src/store/store.ts';
import { backends, closeBackends, type OpenedStore } from './backends.ts';
import { owner } from './fixtures.ts';

const [sqlite] = backends();
let opened: OpenedStore;
let clock = 0;
let cache: RecordCache;
let api: Store;
let workers: Store;

after(() => closeBackends());
afterEach(() => opened.cleanup());
beforeEach(async () => {
  opened = await sqlite.open();
  await opened.store.createOwner(owner('own-1'));
  clock = 0;
  cache = new RecordCache(1000, () => clock);
  api = cache.clearing(opened.store);
  workers = cache.reading(opened.store);
  await api.putRecords([endpoint('v1')]);
});

const endpoint = (version: string) => ({
  ownerId: 'own-1',
  kind: 'endpoint' as const,
  id: 'e1',
  doc: { id: 'e1', version },
});

async function version(): Promise<unknown> {
  const record = await workers.getRecord<{ version: string }>('own-1', 'endpoint', 'e1');
  return record?.doc.version;
}

test('a worker keeps what it read until the entry ages out', async () => {
  assert.equal(await version(), 'v1');
  // Written behind the cache's back, as another process would.
  await opened.store.putRecords([endpoint('v2')]);
  clock = 999;
  assert.equal(await version(), 'v1');
  clock = 1000;
  assert.equal(await version(), 'v2');
});

test('a write through the API view applies to the very next read', async () => {
  assert.equal(await version(), 'v1');
  await api.putRecords([endpoint('v2')]);
  assert.equal(await version(), 'v2');
  await api.mergeRecord('own-1', 'endpoint', 'e1', { version: 'v3' });
  assert.equal(await version(), 'v3');
  assert.equal(await api.deleteRecord('own-1', 'endpoint', 'e1'), true);
  assert.equal(await version(), undefined);
});

test("a worker's own write clears what it read", async () => {
  assert.equal(await version(), 'v1');
  await workers.mergeRecord('own-1', 'endpoint', 'e1', { version: 'v2' });
  assert.equal(await version(), 'v2');
});

test('lists and unique-key reads are cached and cleared the same way', async () => {
  const listed = async () =>
    (await workers.listRecords<{ version: string }>('own-1', 'endpoint')).map((r) => r.doc.version);
  const byKey = async () =>
    (await workers.findRecordByUniqueKey<{ id: string }>('own-1', 'smtp-profile', 'default'))?.doc
      .id;
  assert.deepEqual(await listed(), ['v1']);
  assert.equal(await byKey(), undefined);
  await opened.store.putRecords([endpoint('v2')]);
  await opened.store.putRecords([
    { ownerId: 'own-1', kind: 'smtp-profile', id: 'p1', doc: { id: 'p1' }, uniqueKey: 'default' },
  ]);
  assert.deepEqual(await listed(), ['v1'], 'kept while fresh');
  assert.equal(await byKey(), undefined, 'kept while fresh');
  clock = 1000;
  assert.deepEqual(await listed(), ['v2'], 'read again once aged out');
  assert.equal(await byKey(), 'p1', 'read again once aged out');
  await api.deleteRecord('own-1', 'smtp-profile', 'p1');
  assert.equal(await byKey(), undefined, 'cleared by a write through the API view');
});

test('owners are cached and cleared the same way', async () => {
  assert.equal((await workers.getOwner('own-1'))?.name, owner('own-1').name);
  await api.updateOwner({ ...owner('own-1'), name: 'Renamed' });
  assert.equal((await workers.getOwner('own-1'))?.name, 'Renamed');
});

test('a failed read is not remembered', async () => {
  let fail = true;
  const flaky = new Proxy(opened.store, {
    get(target, property) {
      if (property === 'getRecord' && fail) return async () => Promise.reject(new Error('down'));
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const reading = cache.reading(flaky);
  await assert.rejects(reading.getRecord('own-1', 'endpoint', 'e1'), /down/);
  fail = false;
  assert.ok(await reading.getRecord('own-1', 'endpoint', 'e1'), 'the record is read');
});

test('everything else passes through untouched', async () => {
  assert.equal(await workers.countOwners(), 1);
  assert.deepEqual(
    (await api.listRecords('own-1', 'endpoint')).map((r) => r.id),
    ['e1'],
  );
});
