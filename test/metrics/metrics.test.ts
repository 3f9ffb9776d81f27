import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { HeraldConfig } from '../../src/config.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { caller, type Call } from '../e2e/api-steps.ts';
import { parseSamples, sampleValue, type Sample } from './prometheus-text.ts';

interface Setup {
  h: TestHerald;
  receiver: Receiver;
  call: Call;
  endpointId: string;
  post(count: number, accountId?: string): Promise<void>;
  scrape(): Promise<Sample[]>;
}

async function setUp(t: TestContext, config: Partial<HeraldConfig> = {}, ordering = 'unordered') {
  const h = await startTestHerald(config);
  const receiver = await startReceiver();
  t.after(async () => {
    await h.stop();
    await receiver.close();
  });
  const call = caller(h);
  await call('POST', '/v1/accounts', { id: 'acc-1', name: 'Metered account' });
  const endpoint = await call('POST', '/v1/endpoints', {
    name: 'metered',
    url: receiver.url,
    eventTypes: ['service.state_changed'],
    ordering,
  });
  await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });

  const setup: Setup = {
    h,
    receiver,
    call,
    endpointId: endpoint.id,
    async post(count, accountId = 'acc-1') {
      for (let i = 0; i < count; i++) {
        await call('POST', '/v1/events', {
          type: 'service.state_changed',
          accountId,
          data: {
            service: {
              id: `svc-${i}`,
              name: 'Fibre',
              previousState: 'Active',
              newState: 'Suspended',
            },
          },
        });
      }
    },
    async scrape() {
      const r = await fetch(`${h.url}/metrics`, {
        headers: { authorization: `Bearer ${h.adminKey}` },
      });
      assert.equal(r.status, 200, await r.clone().text());
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parseSamples(await r.text());
    },
  };
  return setup;
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('five delivered events count as five accepted, succeeded and timed', async (t) => {
  const s = await setUp(t);
  await s.post(5);
  await s.receiver.waitFor(5);
  await s.h.drain();

  const samples = await s.scrape();
  const webhook = { channel: 'webhook' };
  const type = { type: 'service.state_changed' };
  assert.equal(sampleValue(samples, 'herald_events_accepted_total', type), 5);
  assert.equal(
    sampleValue(samples, 'herald_deliveries_total', { ...webhook, outcome: 'succeeded' }),
    5,
  );
  assert.equal(
    sampleValue(samples, 'herald_deliveries_total', { ...webhook, outcome: 'failed' }),
    0,
  );
  assert.equal(sampleValue(samples, 'herald_delivery_attempt_duration_seconds_count', webhook), 5);
  const sum = sampleValue(samples, 'herald_delivery_attempt_duration_seconds_sum', webhook);
  assert.ok(sum > 0 && sum < 5, `five local attempts took ${sum} s in all`);
  const inf = { ...webhook, le: '+Inf' };
  assert.equal(sampleValue(samples, 'herald_delivery_attempt_duration_seconds_bucket', inf), 5);
  assert.equal(
    sampleValue(samples, 'herald_delivery_attempt_duration_seconds_count', { channel: 'email' }),
    0,
  );
  assert.equal(
    sampleValue(samples, 'herald_queue_deliveries', { ...webhook, state: 'pending' }),
    0,
  );
  assert.equal(sampleValue(samples, 'herald_attempts_in_flight', webhook), 0);
  assert.equal(sampleValue(samples, 'herald_worker_capacity'), s.h.herald.config.workerConcurrency);
  assert.equal(sampleValue(samples, 'herald_store_up'), 1);
  assert.ok(
    samples.some((sample) => sample.name === 'process_resident_memory_bytes'),
    'no process_resident_memory_bytes sample',
  );
});

test('an idempotent replay is not counted as a second accepted event', async (t) => {
  const s = await setUp(t);
  const event = {
    type: 'service.state_changed',
    accountId: 'acc-1',
    data: { service: { id: 'svc', name: 'Fibre', previousState: 'Active', newState: 'Active' } },
  };
  const headers = { 'idempotency-key': 'once' };
  assert.equal((await s.h.api('POST', '/v1/events', event, { headers })).status, 202);
  const replay = await s.h.api('POST', '/v1/events', event, { headers });
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  const batch = await s.h.api('POST', '/v1/events/batch', { events: [event, event] });
  assert.equal(batch.status, 202, JSON.stringify(batch.body));

  const samples = await s.scrape();
  assert.equal(
    sampleValue(samples, 'herald_events_accepted_total', { type: 'service.state_changed' }),
    3,
  );
});

test('a refused delivery counts as failed, with its error code', async (t) => {
  const s = await setUp(t);
  s.receiver.setResponder(() => ({ status: 400, body: 'no thanks' }));
  await s.post(2);
  await s.h.drain();

  const samples = await s.scrape();
  const webhook = { channel: 'webhook' };
  assert.equal(
    sampleValue(samples, 'herald_deliveries_total', { ...webhook, outcome: 'failed' }),
    2,
  );
  assert.equal(
    sampleValue(samples, 'herald_delivery_attempt_errors_total', { ...webhook, code: 'http_400' }),
    2,
  );
  assert.equal(sampleValue(samples, 'herald_delivery_attempt_duration_seconds_count', webhook), 2);
});

test('queue depth, in-flight attempts and oldest pending age follow the queue', async (t) => {
  // Ordered: the first event's call hangs, the two behind it wait, due.
  const s = await setUp(t, {}, 'ordered');
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  s.receiver.setResponder(async () => {
    await held;
    return { status: 200 };
  });
  await s.post(3);
  await s.receiver.waitFor(1);
  await new Promise((resolve) => setTimeout(resolve, 150));

  const samples = await s.scrape();
  const webhook = { channel: 'webhook' };
  const depth = (state: string) =>
    sampleValue(samples, 'herald_queue_deliveries', { ...webhook, state });
  assert.deepEqual(
    { pending: depth('pending'), due: depth('due'), inFlight: depth('in_flight') },
    { pending: 2, due: 2, inFlight: 1 },
  );
  assert.equal(sampleValue(samples, 'herald_attempts_in_flight', webhook), 1);
  const oldest = sampleValue(samples, 'herald_queue_oldest_pending_age_seconds', webhook);
  assert.ok(oldest >= 0.1 && oldest < 10, `oldest pending delivery is ${oldest} s old`);
  const lag = sampleValue(samples, 'herald_queue_oldest_due_age_seconds', webhook);
  assert.ok(lag >= 0.1 && lag < 10, `oldest due delivery waits for ${lag} s`);
  assert.equal(
    sampleValue(samples, 'herald_queue_deliveries', { channel: 'email', state: 'pending' }),
    0,
  );

  release();
  await s.h.drain();
  await until('the queue to empty in the metrics', async () => {
    const after = await s.scrape();
    return sampleValue(after, 'herald_queue_deliveries', { ...webhook, state: 'pending' }) === 0;
  });
  const after = await s.scrape();
  assert.equal(sampleValue(after, 'herald_queue_oldest_pending_age_seconds', webhook), 0);
  assert.equal(sampleValue(after, 'herald_attempts_in_flight', webhook), 0);
});

test('/metrics takes an admin key of the platform owner', async (t) => {
  const s = await setUp(t);
  const get = (key?: string) =>
    fetch(`${s.h.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  let r = await get();
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error.code, 'unauthenticated');

  const reader = await s.call('POST', '/v1/keys', { name: 'reader', scopes: ['events:read'] });
  r = await get(reader.secret);
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, 'missing_scope');

  const other = await s.call('POST', '/v1/owners', { name: 'Another owner' });
  r = await get(other.key.secret);
  assert.equal(r.status, 403);
  const body = await r.json();
  assert.equal(body.error.code, 'platform_key_required');
  assert.match(body.error.message, /HERALD_METRICS_PUBLIC=1/);
});

test('HERALD_METRICS_PUBLIC=1 serves /metrics without a key', async (t) => {
  const s = await setUp(t, { metricsPublic: true });
  const r = await fetch(`${s.h.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /^# HELP herald_/m);
});

test('two Heralds in one process keep separate counts', async (t) => {
  const a = await setUp(t);
  const b = await setUp(t);
  await a.post(2);
  await b.post(1);
  const type = { type: 'service.state_changed' };
  assert.equal(sampleValue(await a.scrape(), 'herald_events_accepted_total', type), 2);
  assert.equal(sampleValue(await b.scrape(), 'herald_events_accepted_total', type), 1);
});
