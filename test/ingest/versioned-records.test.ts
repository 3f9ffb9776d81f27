/**
 * The rules of intake's record cache (src/ingest/versioned-records.ts): reads are
 * kept while the version stands, read again once it changes, never served to a
 * request holding another version, and a failed read is not kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VersionedRecords, type RecordReads } from '../../src/ingest/versioned-records.ts';

/** A store of one account whose name can change, counting its reads. */
function countingStore() {
  const state = { name: 'first', reads: 0, fail: false };
  const store: RecordReads = {
    getRecord: async (ownerId, kind, id) => {
      state.reads += 1;
      if (state.fail) throw new Error('database down');
      return { ownerId, kind, id, doc: { name: state.name } } as never;
    },
    listRecords: async () => {
      state.reads += 1;
      return [];
    },
  };
  return { state, store };
}

const nameOf = async (reads: RecordReads) =>
  ((await reads.getRecord('own-1', 'account', 'a1')) as { doc: { name: string } }).doc.name;

test('keeps reads while the version stands and reads again once it changes', async () => {
  const { state, store } = countingStore();
  const cache = new VersionedRecords(store);
  assert.equal(await nameOf(cache.reads('own-1', 'v1')), 'first');
  state.name = 'second';
  assert.equal(await nameOf(cache.reads('own-1', 'v1')), 'first', 'kept at version v1');
  assert.equal(state.reads, 1, 'one read for two requests');
  assert.equal(await nameOf(cache.reads('own-1', 'v2')), 'second', 'read again at version v2');
  assert.equal(state.reads, 2);
});

test('any other version replaces what is kept, and an old one never returns it', async () => {
  const { state, store } = countingStore();
  const cache = new VersionedRecords(store);
  await nameOf(cache.reads('own-1', 'v5'));
  state.name = 'changed';
  // A request authenticated just before a change, or a version set back by a
  // restored backup: either way what was kept under v5 is not what it gets.
  assert.equal(await nameOf(cache.reads('own-1', 'v4')), 'changed', 'not served v5');
  state.name = 'later';
  assert.equal(await nameOf(cache.reads('own-1', 'v5')), 'later', 'v5 was let go, read again');
});

test('a read repeated within a request is made once, and lists are kept too', async () => {
  const { state, store } = countingStore();
  const cache = new VersionedRecords(store);
  const reads = cache.reads('own-1', 'v1');
  await Promise.all([nameOf(reads), nameOf(reads)]);
  assert.equal(state.reads, 1, 'one read for the request');
  await reads.listRecords('own-1', 'subscription');
  await cache.reads('own-1', 'v1').listRecords('own-1', 'subscription');
  assert.equal(state.reads, 2, 'one list read for two requests');
  await cache.reads('own-1', 'v2').listRecords('own-1', 'subscription');
  assert.equal(state.reads, 3, 'the list read again at another version');
});

test('a failed read is not kept', async () => {
  const { state, store } = countingStore();
  const cache = new VersionedRecords(store);
  state.fail = true;
  await assert.rejects(nameOf(cache.reads('own-1', 'v1')), /database down/);
  state.fail = false;
  assert.equal(await nameOf(cache.reads('own-1', 'v1')), 'first', 'the next request reads again');
});

test("another owner's reads are neither kept under this owner nor served from it", async () => {
  const { state, store } = countingStore();
  const cache = new VersionedRecords(store);
  const reads = cache.reads('own-1', 'v1');
  await reads.getRecord('own-2', 'account', 'a1');
  await reads.getRecord('own-2', 'account', 'a1');
  assert.equal(state.reads, 2, 'each read of own-2 went to the store');
});

test('keeps a bounded number of reads, dropping the least recently used', async () => {
  const { state, store } = countingStore();
  const cache = new VersionedRecords(store, 3);
  const read = (id: string) => cache.reads('own-1', 'v1').getRecord('own-1', 'account', id);
  await read('a1');
  await read('a2');
  await read('a3');
  await read('a1'); // a1 is used again, so a2 is now the oldest
  await read('a4');
  assert.equal(cache.size, 3);
  assert.equal(state.reads, 4);
  await read('a1');
  assert.equal(state.reads, 4, 'a1 was kept');
  await read('a2');
  assert.equal(state.reads, 5, 'a2 was dropped and read again');
});
