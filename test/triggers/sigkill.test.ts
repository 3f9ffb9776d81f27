/**
 * Kills a real `herald start` (a child process, SIGKILL: no shutdown code runs)
 * while scheduled notifications fire: some have fired, one may be mid-transaction,
 * the rest are not due yet. Restarted on the same data folder, it must fire each
 * exactly once and none before its time. (test/triggers/restart.test.ts stops an
 * in-process Herald around due times with the test clock.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, client, type Client } from './clocked-herald.ts';

const REPO = join(import.meta.dirname, '..', '..');
const FIRST_BATCH = 60;
const SECOND_BATCH = 10;
const SPACING = 10;
const TOTAL = FIRST_BATCH + SECOND_BATCH;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

interface Child {
  process: ChildProcess;
  api: Client;
  kill(): Promise<void>;
}

async function startChild(dataDir: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: REPO,
    env: {
      ...process.env,
      HERALD_DATA_DIR: dataDir,
      HERALD_PORT: String(port),
      HERALD_ADMIN_KEY: ADMIN_KEY,
      HERALD_SECRET_KEY: 'test-secret-key-for-sigkill-tests',
      HERALD_POLL_INTERVAL_MS: '20',
      HERALD_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald exited with ${child.exitCode}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error('herald did not start within 30 s');
    await sleep(50);
  }
  return {
    process: child,
    api: client(url, ADMIN_KEY),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const listAll = async (api: Client, path: string) =>
  (await api.ok('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1000`)).data as any[];

test(
  'SIGKILL before, during and after due times loses no notification and fires none twice ' + '',
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-sigkill-'));
    let child: Child | undefined;
    t.after(async () => {
      await child?.kill();
      await rm(dataDir, { recursive: true, force: true });
    });

    // Run 1: report invoices (overdue far in the future), move their rows close in
    // two batches, and kill while the first batch fires: the second is still pending.
    child = await startChild(dataDir);
    const api = () => child!.api;
    await api().ok('POST', '/v1/accounts', { id: 'acc', timezone: 'Europe/London' });
    const events = Array.from({ length: TOTAL }, (_, i) => ({
      type: 'invoice.posted',
      accountId: 'acc',
      data: {
        invoice: {
          id: `inv-${i}`,
          number: `INV-${i}`,
          date: '2026-01-01',
          dueDate: '2099-01-31',
          total: 10,
          balance: 10,
          currency: 'GBP',
        },
      },
    }));
    await api().ok('POST', '/v1/events/batch', { events }, 202);
    const pending = await until('the planned rows', async () => {
      const rows = await listAll(api(), '/v1/scheduled?type=invoice.overdue');
      return rows.length === TOTAL ? rows : undefined;
    });
    // The first batch falls due one row every SPACING ms, and the kill lands in the
    // middle of that window: rows before it fired, the one at it may be mid-commit,
    // those after it are pending. The second batch is not due before the restart.
    // The window starts once every row has been moved (timed from the second batch,
    // moved first), so a slow machine shifts it rather than the kill outside it.
    const first = pending.slice(0, FIRST_BATCH);
    const later = new Date(Date.now() + 3600_000).toISOString();
    const started = Date.now();
    for (const row of pending.slice(FIRST_BATCH)) {
      await api().ok('PATCH', `/v1/scheduled/${row.id}`, { dueAt: later });
    }
    const perPatch = (Date.now() - started) / SECOND_BATCH;
    const base = Date.now() + 2 * perPatch * FIRST_BATCH + 300;
    await Promise.all(
      first.map((row, i) =>
        api().ok('PATCH', `/v1/scheduled/${row.id}`, {
          dueAt: new Date(base + i * SPACING).toISOString(),
        }),
      ),
    );
    await sleep(Math.max(0, base + (FIRST_BATCH * SPACING) / 2 - Date.now()));
    await child.kill();

    // Run 2: bring the second batch forward, and wait until everything fired; what
    // fired before the kill must not fire again.
    child = await startChild(dataDir);
    const second = await listAll(api(), '/v1/scheduled?type=invoice.overdue');
    assert.ok(
      second.filter((r) => r.dueAt === later).length === SECOND_BATCH,
      'the second batch was still pending at the kill',
    );
    const soon = new Date(Date.now() + 100).toISOString();
    for (const row of second.filter((r) => r.dueAt === later)) {
      await api().ok('PATCH', `/v1/scheduled/${row.id}`, { dueAt: soon });
    }
    await until('every row fired', async () => {
      const left = await listAll(api(), '/v1/scheduled?type=invoice.overdue');
      return left.length === 0 ? true : undefined;
    });
    await sleep(200);

    const rows = await listAll(api(), '/v1/scheduled?type=invoice.overdue&status=all');
    const fired = (await listAll(api(), '/v1/events')).filter((e) => e.type === 'invoice.overdue');
    assert.equal(rows.length, TOTAL);
    assert.deepEqual(new Set(rows.map((r) => r.status)), new Set(['fired']));
    assert.equal(fired.length, TOTAL, 'one event per row, none twice');
    const byId = new Map(fired.map((e) => [e.id, e]));
    for (const row of rows) {
      const event = byId.get(row.eventId);
      assert.ok(event, `row ${row.id} names event ${row.eventId}`);
      assert.equal(event.data.invoice.id, row.data.invoice.id);
      assert.ok(
        event.acceptedAt >= row.dueAt,
        `${row.id} fired at ${event.acceptedAt}, due ${row.dueAt}`,
      );
    }
  },
);
