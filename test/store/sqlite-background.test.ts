/**
 * What the SQLite store does beside the event loop: WAL checkpoints on a thread of
 * their own, intake's syncs on libuv's pool (shared by commits that overlap), and
 * the wake-up of workers as soon as intake commits.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { WalFlusher } from '../../src/store/sqlite/wal-flusher.ts';
import { delivery, event, owner } from './fixtures.ts';

const run = promisify(execFile);
const STORE_MODULE = fileURLToPath(
  new URL('../../src/store/sqlite/sqlite-store.ts', import.meta.url),
);

async function freshStore(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'herald-sqlite-bg-'));
  const file = join(dir, 'herald.db');
  const store = new SqliteStore(file);
  await store.migrate();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  await store.createOwner(owner('own-1'));
  return { store, file };
}

test('the WAL is checkpointed into the database file without a call from the store', async (t) => {
  const { store, file } = await freshStore(t);
  const before = (await stat(file)).size;
  const doc = { padding: 'x'.repeat(2000) };
  for (let i = 0; i < 50; i++) {
    const writes = Array.from({ length: 20 }, (_, j) => ({
      ownerId: 'own-1',
      kind: 'account' as const,
      id: `acc-${i}-${j}`,
      doc,
    }));
    await store.putRecords(writes);
  }
  // The main connection never checkpoints: only the thread can grow the file.
  let grown = false;
  for (let waited = 0; waited < 5000 && !grown; waited += 100) {
    await sleep(100);
    grown = (await stat(file)).size > before + 1_000_000;
  }
  assert.ok(grown, 'the records reached the database file');
  assert.equal((await store.listRecords('own-1', 'account')).length, 1000);
});

test('closing the store stops its checkpoint thread, even with nothing else running', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-sqlite-bg-'));
  const store = new SqliteStore(join(dir, 'herald.db'));
  await store.migrate();
  // A timer of our own would keep the process alive and hide a close that waits on
  // an unreferenced thread; the check instead runs in a child with nothing else.
  const closed = await closesAlone(join(dir, 'herald.db'));
  assert.equal(closed, 'closed');
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('syncs asked for while one runs share the next one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-wal-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const wal = join(dir, 'any-wal');
  await writeFile(wal, 'frames');

  // The real sync, counted and made slow enough for the calls to overlap it.
  let syncs = 0;
  const flusher = new WalFlusher(wal);
  const inner = flusher as unknown as { sync: () => Promise<void> };
  const sync = inner.sync.bind(flusher);
  inner.sync = async () => {
    syncs += 1;
    await sync();
    await sleep(20);
  };

  await Promise.all(Array.from({ length: 10 }, () => flusher.flush()));
  assert.equal(syncs, 2, 'the first sync, and one after it for all that came meanwhile');
  await flusher.flush();
  assert.equal(syncs, 3);
});

test('a sync of a WAL that is gone fails the flush, and the next one tries again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-wal-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const wal = join(dir, 'later-wal');
  const flusher = new WalFlusher(wal);
  await assert.rejects(flusher.flush(), { code: 'ENOENT' });
  await writeFile(wal, 'frames');
  await flusher.flush();
});

test('workers hear of an intake commit before it is synced, once per commit', async (t) => {
  const { store } = await freshStore(t);
  let woken = 0;
  const stop = await store.onWork(() => {
    woken += 1;
  });
  const accepted = store.acceptEvents('own-1', [event('own-1', 'evt-1', [delivery('d1')])]);
  const second = store.acceptEvents('own-1', [event('own-1', 'evt-2', [delivery('d2')])]);
  assert.deepEqual(await Promise.all([accepted, second]), [
    { kind: 'created' },
    { kind: 'created' },
  ]);
  assert.equal(woken, 1, 'the two requests of one turn made one commit');
  stop();
  await store.acceptEvents('own-1', [event('own-1', 'evt-3', [delivery('d3')])]);
  assert.equal(woken, 1, 'a listener that stopped hears nothing more');
});

test("writes wait for another connection's write lock without blocking the loop", async (t) => {
  const { store, file } = await freshStore(t);
  await store.acceptEvents('own-1', [event('own-1', 'evt-1', [delivery('d1')])]);
  // The delivery thread, or another process, in the middle of a write.
  const other = new Database(file);
  t.after(() => other.close());
  other.prepare('BEGIN IMMEDIATE').run();

  let ticks = 0;
  const ticker = setInterval(() => (ticks += 1), 5);
  const accepted = store.acceptEvents('own-1', [event('own-1', 'evt-2', [delivery('d2')])]);
  const claimed = store.claimDeliveries(Date.now(), 10, 60_000);
  await sleep(100);
  clearInterval(ticker);
  assert.ok(ticks >= 5, `the event loop ran while the writes waited (${ticks} ticks)`);
  other.prepare('COMMIT').run();

  assert.deepEqual(await accepted, { kind: 'created' });
  const ids = (await claimed).map((d) => d.id).sort();
  assert.ok(ids.includes('d1'), JSON.stringify(ids));
  assert.ok(await store.getEvent('own-1', 'evt-2'), 'the waiting intake committed');
});

/** Opens and closes a store in a child process that does nothing else. */
async function closesAlone(file: string): Promise<string> {
  const script =
    `import { SqliteStore } from ${JSON.stringify(STORE_MODULE)};\n` +
    `const store = new SqliteStore(${JSON.stringify(file)});\n` +
    'await store.close();\n' +
    "process.stdout.write('closed');\n";
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script],
    { timeout: 20_000 },
  );
  return stdout;
}
