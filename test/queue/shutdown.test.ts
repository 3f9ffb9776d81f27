/**
 * SIGTERM to a real `herald start` (a child process) in the middle of a burst of
 * events to a slow receiver, some of whose calls never end: Herald must exit 0
 * within its grace period, leave no delivery claimed, and, started again on the
 * same data, deliver every event it had accepted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { createTestDatabase } from '../helpers/postgres-database.ts';
import { spawnHerald, stopAll, type HeraldProcess } from '../store/herald-process.ts';

const ADMIN_KEY = 'hk_shutdown_test_admin_key_0123456789abcdef';
const GRACE_MS = 1500;
const EVENTS = 200;
/** Every this-many-th call to the receiver hangs until the test ends. */
const HANG_EVERY = 5;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

test('SIGTERM in a burst exits 0 in time, leaves nothing claimed, loses nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-shutdown-'));
  const database = await createTestDatabase();
  const receiver = await startReceiver();
  const hanging = new Set<() => void>();
  const children: HeraldProcess[] = [];
  t.after(async () => {
    await stopAll(children);
    for (const release of hanging) release();
    await receiver.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const caFile = join(dir, 'receiver-ca.pem');
  await writeFile(caFile, receiver.ca);
  const dataDir = join(dir, 'data');
  const openStore = (): Store =>
    database ? new PostgresStore(database.url) : new SqliteStore(join(dataDir, 'herald.db'));
  const start = async () => {
    const port = await freePort();
    const child = spawnHerald('all', {
      HERALD_DATA_DIR: dataDir,
      HERALD_DATABASE_URL: database?.url ?? '',
      HERALD_PORT: String(port),
      HERALD_ADMIN_KEY: ADMIN_KEY,
      HERALD_SECRET_KEY: 'shutdown-test-secret-key',
      HERALD_ALLOW_PRIVATE_TARGETS: '1',
      NODE_EXTRA_CA_CERTS: caFile,
      HERALD_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      HERALD_POLL_INTERVAL_MS: '50',
      HERALD_LOG_LEVEL: 'info',
    });
    children.push(child);
    await child.waitForLog((line) => String(line.msg).startsWith('Herald started'));
    return { herald: child, url: `http://127.0.0.1:${port}` };
  };

  // The receiver is slow, and some of its calls never end.
  let calls = 0;
  receiver.setResponder(async () => {
    calls += 1;
    if (calls % HANG_EVERY === 0) await new Promise<void>((resolve) => hanging.add(resolve));
    else await sleep(100);
    return { status: 200 };
  });

  const first = await start();
  let r = await api(first.url, 'POST', '/v1/accounts', { id: 'acc-1', name: 'Burst' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api(first.url, 'POST', '/v1/endpoints', {
    name: 'slow receiver',
    url: receiver.url,
    eventTypes: ['service.state_changed'],
    ordering: 'unordered',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const endpointId = r.body.id;
  r = await api(first.url, 'POST', '/v1/subscriptions', { endpointId });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  // The burst: ten clients posting at once; refusals after SIGTERM are expected.
  const accepted: string[] = [];
  let next = 0;
  const client = async () => {
    while (next < EVENTS) {
      const i = next++;
      const answer = await api(first.url, 'POST', '/v1/events', {
        type: 'service.state_changed',
        accountId: 'acc-1',
        data: { service: { id: `s${i}`, name: 'Fibre', previousState: 'Active', newState: 'Off' } },
      }).catch(() => undefined);
      if (answer?.status === 202) accepted.push(answer.body.id);
    }
  };
  const burst = Promise.all(Array.from({ length: 10 }, client));

  await receiver.waitFor(20, 20_000);
  assert.ok(next < EVENTS, 'the burst is still under way when the signal goes');
  const signalledAt = performance.now();
  first.herald.kill('SIGTERM');
  const exit = await first.herald.exited;
  const tookMs = performance.now() - signalledAt;
  await burst;

  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(tookMs < GRACE_MS + 3000, `stopped ${Math.round(tookMs)} ms after SIGTERM`);
  const summary = first.herald.lines.find((l) => String(l.msg).startsWith('stopped in'));
  assert.ok(summary, 'the shutdown summary is logged');
  assert.ok(
    Number(summary.released) >= 1,
    `hanging calls were released: ${JSON.stringify(summary)}`,
  );

  const store = openStore();
  const counts = await store.countDeliveries();
  await store.close();
  assert.equal(counts.in_flight, 0, `nothing stays claimed: ${JSON.stringify(counts)}`);
  assert.equal(counts.pending + counts.succeeded, accepted.length, JSON.stringify(counts));
  assert.ok(counts.pending > 0, 'work was left for the next start');

  // Started again, with a receiver that answers at once, it delivers every event.
  receiver.setResponder(() => ({ status: 200 }));
  const second = await start();
  const deadline = Date.now() + 20_000;
  let deliveries: any[] = [];
  for (;;) {
    const list = await api(second.url, 'GET', '/v1/deliveries?limit=1000');
    deliveries = list.body.data;
    if (deliveries.every((d) => d.status === 'succeeded')) break;
    if (Date.now() > deadline) assert.fail(`still queued: ${JSON.stringify(deliveries.at(-1))}`);
    await sleep(100);
  }
  assert.deepEqual(
    deliveries.map((d) => d.eventId).sort(),
    [...accepted].sort(),
    'one delivery per accepted event',
  );
  const arrived = new Set(receiver.received.map((hook) => hook.id));
  const missing = deliveries.filter((d) => !arrived.has(d.id));
  assert.deepEqual(missing, [], 'every delivery reached the receiver');

  second.herald.kill('SIGTERM');
  assert.deepEqual(await second.herald.exited, { code: 0, signal: null });
});
