/**
 * The delivery thread (HERALD_DELIVERY_THREAD, on by default with more than one
 * core): the workers of a process that also serves the API run on a thread of
 * their own, with their own connection to the store. What the API does must reach
 * them as if they shared its event loop: new work wakes them, a record written
 * applies to the next attempt, /metrics counts their attempts; and a thread that
 * dies is started again, a stop releases what it still runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHerald } from '../../src/app.ts';
import { sampleData } from '../../src/catalog/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { caller } from '../e2e/api-steps.ts';
import { PATIENCE_MS, sleep } from '../e2e/api-steps.ts';
import { setUp } from '../e2e/webhook-fixture.ts';

// Long enough that a cache emptied only by time would show in these tests.
const THREADED = { deliveryThread: true, recordCacheMs: 60_000 };

test('delivers signed webhooks from the thread, and the API wakes it at once', async (t) => {
  const s = await setUp(t, { ...THREADED, pollIntervalMs: 60_000 });
  assert.ok(s.h.herald.deliveryThread, 'the workers run on a thread');
  const endpoint = await s.endpoint();
  s.receiver.setSecret(endpoint.secret);

  const started = performance.now();
  const id = await s.post(endpoint.id);
  const [hook] = await s.receiver.waitFor(1, PATIENCE_MS);
  // With the poll a minute away, only the wake can have brought it this soon.
  assert.ok(performance.now() - started < 5000, 'delivered without waiting for a poll');
  assert.equal(hook.verified, true, hook.verifyError);
  assert.equal(hook.id, id);
  const delivery = await s.settled(id, 'succeeded');
  assert.equal(delivery.attempts.length, 1);
});

test("an endpoint changed through the API applies to the thread's next attempt", async (t) => {
  const s = await setUp(t, THREADED);
  const endpoint = await s.endpoint();
  s.receiver.setSecret(endpoint.secret);
  await s.settled(await s.post(endpoint.id), 'succeeded');

  // The thread has read the endpoint (enabled) into its cache; disable it here.
  await s.call('PATCH', `/v1/endpoints/${endpoint.id}`, { enabled: false });
  const paused = await s.post(endpoint.id);
  await sleep(500);
  assert.equal(s.receiver.received.length, 1, 'nothing sent to a disabled endpoint');
  const waiting = await s.call('GET', `/v1/deliveries/${paused}`);
  assert.equal(waiting.status, 'pending');
  assert.equal(waiting.attempts.length, 0);

  await s.call('PATCH', `/v1/endpoints/${endpoint.id}`, { enabled: true });
  await s.settled(paused, 'succeeded');
  assert.equal(s.receiver.received.length, 2);
});

test("/metrics counts the thread's attempts in the process's own series", async (t) => {
  const s = await setUp(t, { ...THREADED, shutdownGraceMs: 200 });
  const endpoint = await s.endpoint();
  for (let i = 0; i < 3; i++) await s.settled(await s.post(endpoint.id), 'succeeded');
  // A fourth attempt the receiver never answers: in flight on the thread at the scrape.
  s.receiver.setResponder(() => new Promise(() => undefined));
  await s.post(endpoint.id);
  await s.receiver.waitFor(4, PATIENCE_MS);

  const answer = await s.h.api('GET', '/metrics');
  assert.equal(answer.status, 200);
  const text = String(answer.body);
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    assert.ok(line, `${series} is in the scrape`);
    return Number(line.slice(series.length + 1));
  };
  assert.equal(value('herald_deliveries_total{channel="webhook",outcome="succeeded"}'), 3);
  assert.equal(value('herald_delivery_attempt_duration_seconds_count{channel="webhook"}'), 3);
  assert.equal(value('herald_events_accepted_total{type="service.state_changed"}'), 4);
  assert.equal(value('herald_worker_capacity'), s.h.herald.config.workerConcurrency);
  assert.equal(value('herald_attempts_in_flight{channel="webhook"}'), 1);
  assert.equal(value('herald_queue_deliveries{channel="webhook",state="in_flight"}'), 1);
  // The process's own series are there once.
  assert.equal(text.match(/^# TYPE process_start_time_seconds /gm)?.length, 1);
  assert.equal(text.match(/^# TYPE herald_deliveries_total /gm)?.length, 1);
});

test('a delivery thread that dies is started again, and the counters run on', async (t) => {
  const s = await setUp(t, THREADED);
  const endpoint = await s.endpoint();
  await s.settled(await s.post(endpoint.id), 'succeeded');
  await s.settled(await s.post(endpoint.id), 'succeeded');

  // What a crash of the thread looks like from the process: it is gone.
  const thread = s.h.herald.deliveryThread as unknown as { worker: { terminate(): unknown } };
  await thread.worker.terminate();
  const id = await s.post(endpoint.id);
  await s.settled(id, 'succeeded', PATIENCE_MS);
  assert.equal(s.receiver.received.length, 3);

  // A counter of a process that did not restart never goes back.
  const text = String((await s.h.api('GET', '/metrics')).body);
  const succeeded = 'herald_deliveries_total{channel="webhook",outcome="succeeded"} ';
  const line = text.split('\n').find((l) => l.startsWith(succeeded));
  assert.equal(Number(line?.slice(succeeded.length)), 3, line);
});

test('a start that cannot listen has claimed nothing', async (t) => {
  // The port taken, and the receiver: it accepts connections and never answers,
  // so an attempt that had begun would still be in flight.
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => taken.close(resolve)));
  const port = (taken.address() as AddressInfo).port;

  const first = await startTestHerald({ deliveryThread: false });
  t.after(() => first.stop());
  await first.herald.dispatcher.stop();
  const call = caller(first);
  await call('POST', '/v1/accounts', { id: 'acc-1', name: 'Waiting' });
  const endpoint = await call('POST', '/v1/endpoints', {
    name: 'never called',
    url: `https://127.0.0.1:${port}/hooks`,
    eventTypes: ['service.state_changed'],
  });
  await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });
  for (let i = 0; i < 3; i++) {
    await call('POST', '/v1/events', {
      type: 'service.state_changed',
      accountId: 'acc-1',
      data: sampleData('service.state_changed'),
    });
  }
  await first.herald.stop();

  const config = { ...first.herald.config, port, deliveryThread: true };
  await assert.rejects(startHerald({ config }), { code: 'EADDRINUSE' });
  await new Promise((resolve) => setTimeout(resolve, 500));

  const store = await openStore(config);
  t.after(() => store.close());
  const counts = await store.countDeliveries();
  assert.equal(counts.in_flight, 0, JSON.stringify(counts));
  assert.equal(counts.pending, 3, JSON.stringify(counts));
});

test('stopping gives running attempts the grace period, then releases them', async (t) => {
  const s = await setUp(t, { ...THREADED, shutdownGraceMs: 300 });
  s.receiver.setResponder(() => new Promise(() => undefined));
  const endpoint = await s.endpoint();
  const id = await s.post(endpoint.id);
  await s.receiver.waitFor(1, PATIENCE_MS);

  const started = performance.now();
  const report = await s.h.herald.stop();
  assert.deepEqual(report, { finished: 0, released: 1 });
  assert.ok(performance.now() - started < 3000, 'stopped soon after the grace period');

  // Back in the queue, due, the attempt uncounted: the next worker takes it at once.
  const store = await openStore(s.h.herald.config);
  t.after(() => store.close());
  const [owner] = await store.listOwners();
  const delivery = await store.getDelivery(owner.id, id);
  assert.equal(delivery?.status, 'pending');
  assert.equal(delivery?.attempts, 0);
});
