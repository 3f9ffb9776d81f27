/**
 * Herald past one machine: one API process and three worker processes on one
 * PostgreSQL database deliver 3000 events to an ordered endpoint, and one worker
 * is killed with SIGKILL mid-run. Its leases run out and the others take its
 * deliveries over. Runs when HERALD_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { issueKey } from '../../src/api/auth.ts';
import { sampleData } from '../../src/catalog/index.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { createTestDatabase, testDatabaseServer } from '../helpers/postgres-database.ts';
import { spawnHerald, stopAll, type HeraldProcess } from './herald-process.ts';

const skip = testDatabaseServer() ? false : 'HERALD_TEST_DATABASE_URL is not set';
const EVENTS = 3000;
const ACCOUNTS = 40;
const BATCH = 500;
const CONCURRENCY = 8;
const ADMIN_KEY = 'hk_multi_worker_test_admin_key_0123456789';
const TYPE = 'service.state_changed';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface DeliveryRow {
  id: string;
  ordering_key: string;
  status: string;
  attempts: number;
  /** Attempts in the attempt log; a worker killed mid-attempt records none. */
  recorded: number;
  /** When each logged attempt started, in order. */
  starts: number[];
}

test(
  'three workers deliver every event in order and take over a killed one',
  { skip },
  async (t) => {
    const db = (await createTestDatabase())!;
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-multi-'));
    const receiver = await startReceiver({
      // A few milliseconds per call, so that a worker always has calls in flight.
      respond: async () => {
        await sleep(2 + Math.random() * 6);
        return { status: 200, body: 'ok' };
      },
    });
    const sql = new pg.Client({ connectionString: db.url });
    const processes: HeraldProcess[] = [];
    t.after(async () => {
      await stopAll(processes);
      await sql.end().catch(() => {});
      await receiver.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    // The schema and the platform owner exist before the processes start, so that
    // they all start at once (and each runs the migrations again, harmlessly).
    const store = new PostgresStore(db.url);
    await store.migrate();
    const owner = { id: 'own-platform', name: 'Platform', defaultLocale: 'en', alertEmail: null };
    await store.createOwner({ ...owner, platform: true, createdAt: Date.now() });
    await issueKey(store, owner.id, 'test admin key', ['admin'], ADMIN_KEY);
    await store.close();

    const caFile = join(dataDir, 'receiver-ca.pem');
    await writeFile(caFile, receiver.ca);
    const env = {
      HERALD_DATABASE_URL: db.url,
      HERALD_DATA_DIR: dataDir,
      HERALD_SECRET_KEY: 'multi-worker-test-secret-key',
      HERALD_PORT: '0',
      HERALD_ALLOW_PRIVATE_TARGETS: '1',
      HERALD_LEASE_MS: '2000',
      HERALD_POLL_INTERVAL_MS: '200',
      HERALD_RETRY_SCHEDULE_MS: '100,200,400',
      HERALD_WORKER_CONCURRENCY: String(CONCURRENCY),
      HERALD_LOG_LEVEL: 'info',
      // The workers' webhook client trusts the receiver's self-signed certificate.
      NODE_EXTRA_CA_CERTS: caFile,
    };
    const api = spawnHerald('api', env);
    const workers = [1, 2, 3].map(() => spawnHerald('workers', env));
    processes.push(api, ...workers);
    const workersUp = Promise.all(
      workers.map((w) => w.waitForLog((line) => line.role === 'workers')),
    );
    const listening = await api.waitForLog((line) => typeof line.url === 'string');
    const call = caller(listening.url as string);

    await Promise.all(
      Array.from({ length: ACCOUNTS }, (_, i) => call('POST', '/v1/accounts', { id: `acc-${i}` })),
    );
    const endpoint = await call('POST', '/v1/endpoints', {
      name: 'ordered',
      url: receiver.url,
      eventTypes: [TYPE],
      ordering: 'ordered',
    });
    receiver.setSecret(endpoint.secret);
    await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });

    // Each account's events are its ordering key's sequence. One event per account
    // goes first, once the workers are up, so that no worker meets its first
    // calls (connections, TLS, cold code) with a full claim of a 2 s lease. The
    // rest follow in batches sent together: their order is the one seq records.
    const post = async (count: number, from: number) => {
      const events = Array.from({ length: count }, (_, i) => ({
        type: TYPE,
        accountId: `acc-${(from + i) % ACCOUNTS}`,
        data: sampleData(TYPE),
      }));
      const answer = await call('POST', '/v1/events/batch', { events });
      assert.ok(
        answer.results.every((r: { status: string }) => r.status === 'accepted'),
        JSON.stringify(answer.results),
      );
    };
    await workersUp;
    await post(ACCOUNTS, 0);
    await receiver.waitFor(ACCOUNTS, 20_000);
    const rest = EVENTS - ACCOUNTS;
    await Promise.all(
      Array.from({ length: Math.ceil(rest / BATCH) }, (_, b) =>
        post(Math.min(BATCH, rest - b * BATCH), ACCOUNTS + b * BATCH),
      ),
    );

    // Mid-run, one worker dies without a chance to finish anything.
    await receiver.waitFor(EVENTS / 3, 40_000);
    const victim = workers[1];
    victim.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');

    await sql.connect();
    const deliveries = await drained(sql, 40_000);
    assert.equal(deliveries.length, EVENTS);
    assert.ok(
      deliveries.every((d) => d.status === 'succeeded'),
      'a delivery did not succeed',
    );
    checkArrivals(t, receiver, deliveries);
  },
);

function caller(base: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
}

/** Waits until nothing is pending or in flight, then reads every delivery. */
async function drained(sql: pg.Client, timeoutMs: number): Promise<DeliveryRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql.query(
      "SELECT count(*)::int AS n FROM deliveries WHERE status IN ('pending', 'in_flight')",
    );
    if (rows[0].n === 0) break;
    assert.ok(Date.now() < deadline, `${rows[0].n} deliveries still queued`);
    await sleep(100);
  }
  const { rows } = await sql.query<DeliveryRow>(
    `SELECT d.id, d.ordering_key, d.status, d.attempts,
       (SELECT count(*)::int FROM attempts a WHERE a.delivery_id = d.id) AS recorded,
       (SELECT array_agg(a.started_at ORDER BY a.number) FROM attempts a
        WHERE a.delivery_id = d.id) AS starts
     FROM deliveries d ORDER BY d.seq`,
  );
  return rows;
}

function checkArrivals(t: TestContext, receiver: Receiver, deliveries: DeliveryRow[]): void {
  // Every event arrived, signed; the receiver saw nothing Herald did not queue.
  const seen = new Map<string, number>();
  for (const hook of receiver.received) {
    assert.equal(hook.verified, true, hook.verifyError);
    seen.set(hook.id, (seen.get(hook.id) ?? 0) + 1);
  }
  const missing = deliveries.filter((d) => !seen.has(d.id)).map((d) => d.id);
  assert.deepEqual(missing, [], 'every delivery arrived');
  assert.equal(seen.size, EVENTS);

  // Taken over from the killed worker: claimed once more than attempts were
  // logged, since a live worker logs every attempt, even one it finishes late.
  const takenOver = new Set(deliveries.filter((d) => d.attempts > d.recorded).map((d) => d.id));
  assert.ok(takenOver.size > 0, 'the killed worker had deliveries in flight');
  assert.ok(takenOver.size <= CONCURRENCY, `${takenOver.size} taken over: more than one worker's`);

  // A live worker may still outlive a 2 s lease on a starved machine: then two
  // attempts are logged, the second begun once the lease ran out, not at the same
  // moment (that would be one delivery claimed twice). Such overruns are allowed,
  // and counted; they are what a lease is for.
  const overrun = deliveries.filter((d) => d.recorded > 1);
  for (const d of overrun) {
    const gaps = d.starts.slice(1).map((start, i) => Number(start) - Number(d.starts[i]));
    assert.ok(
      gaps.every((gap) => gap >= 1000),
      `${d.id} was claimed twice at once: attempts ${gaps} ms apart`,
    );
  }
  if (overrun.length > 0) {
    t.diagnostic(`${overrun.length} deliveries outlived their lease on a live worker`);
  }
  const repeated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const allowed = new Set([...takenOver, ...overrun.map((d) => d.id)]);
  assert.deepEqual(
    repeated.filter((id) => !allowed.has(id)),
    [],
    'duplicates are only deliveries in flight on the killed worker (or overrun)',
  );

  // Per account, first arrivals follow the order of acceptance, and a delivery
  // taken over from the killed worker arrives again right after itself.
  const keyOf = new Map(deliveries.map((d) => [d.id, d.ordering_key]));
  const expected = new Map<string, string[]>();
  for (const d of deliveries) {
    expected.set(d.ordering_key, [...(expected.get(d.ordering_key) ?? []), d.id]);
  }
  const arrived = new Map<string, string[]>();
  for (const hook of receiver.received) {
    const key = keyOf.get(hook.id)!;
    arrived.set(key, [...(arrived.get(key) ?? []), hook.id]);
  }
  assert.equal(arrived.size, ACCOUNTS);
  for (const [key, ids] of expected) {
    const sequence = arrived.get(key)!;
    assert.deepEqual([...new Set(sequence)], ids, `order of ${key}`);
    sequence.forEach((id, i) => {
      if (sequence.indexOf(id) === i || !takenOver.has(id)) return;
      assert.equal(sequence[i - 1], id, `${id} of ${key} arrived again right after itself`);
    });
  }
}
