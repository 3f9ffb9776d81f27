/**
 * An endpoint's rate limit end to end: 100 events to an endpoint limited to 20 calls
 * a second must go out, and arrive, at about 20 a second. One run serves every test:
 * when Herald started each call (its attempt log) and when the receiver got it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import { ACCOUNT_ID, startBench } from './fixtures-herald.ts';
import type { Arrival } from './fixtures-receiver-thread.ts';
import { startReceiverThread } from './fixtures-receiver-thread.ts';

const RATE = 20;
const EVENTS = 100;

/** The most arrivals inside any window of `ms` milliseconds. */
function busiestWindow(times: number[], ms: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

interface Run {
  hooks: Arrival[];
  /** Arrival times at the receiver, sorted. */
  arrived: number[];
  /** Start times from the attempt log, sorted. */
  started: number[];
  attempts: number[];
}

/** Sends the hundred events in one batch and collects both sets of times. */
async function run(): Promise<Run> {
  const s = await startBench({ after: (fn) => after(fn) });
  // Its own thread, so arrivals are stamped on time while Herald keeps this one busy.
  const receiver = await startReceiverThread();
  after(() => receiver.close());
  const endpoint = await s.endpoint(receiver.url, { rateLimit: RATE });
  receiver.setSecret(endpoint.secret);

  // One batch, so all hundred are due at once and only the limit spaces them.
  const events = Array.from({ length: EVENTS }, () => ({
    type: 'service.state_changed',
    accountId: ACCOUNT_ID,
    data: sampleData('service.state_changed'),
  }));
  await s.call('POST', '/v1/events/batch', { events });
  const hooks = await receiver.waitFor(EVENTS, 30_000);
  await s.h.drain();

  const started: number[] = [];
  const attempts: number[] = [];
  for (const hook of hooks) {
    const delivery = await s.call('GET', `/v1/deliveries/${hook.id}`);
    attempts.push(delivery.attempts.length);
    started.push(Date.parse(delivery.attempts[0].startedAt));
  }
  const arrived = hooks.map((hook) => hook.receivedAt);
  const byTime = (a: number, b: number) => a - b;
  return { hooks, arrived: arrived.sort(byTime), started: started.sort(byTime), attempts };
}

describe('an endpoint rate limit of 20 a second', () => {
  let r: Run;
  before(async () => {
    r = await run();
  });

  test('starts at most 22 calls in any second, over at least 4.5 s', () => {
    const busiest = busiestWindow(r.started, 1000);
    assert.ok(busiest <= RATE * 1.1, `${busiest} calls started within one second`);
    const span = (r.started.at(-1)! - r.started[0]) / 1000;
    assert.ok(span >= (EVENTS / RATE) * 0.9, `all ${EVENTS} started within ${span} s`);
    assert.deepEqual(new Set(r.attempts), new Set([1]), 'waiting for the limit is no attempt');
  });

  test('delivers every event once, verified, at close to the limit', () => {
    assert.equal(new Set(r.hooks.map((hook) => hook.id)).size, EVENTS, 'each delivery once');
    assert.ok(
      r.hooks.every((hook) => hook.verified),
      'every call verifies',
    );
    const span = (r.arrived.at(-1)! - r.arrived[0]) / 1000;
    assert.ok(span >= (EVENTS / RATE) * 0.9, `all ${EVENTS} arrived within ${span} s`);
    // Not held back much more than it must be either, on a machine that is not starved.
    const rate = (EVENTS - 1) / span;
    assert.ok(rate >= RATE * 0.75, `only ${rate.toFixed(1)} calls a second`);
  });

  // Arrival times add the network and both event loops to Herald's start times; on a
  // loaded machine a few calls bunch up inside one second. Over three seconds that
  // jitter averages out, and the limit must still hold there within ten per cent.
  test('lets at most 66 calls arrive in any three seconds', () => {
    const busiest = busiestWindow(r.arrived, 3000);
    const started = busiestWindow(r.started, 3000);
    assert.ok(
      busiest <= 3 * RATE * 1.1,
      `${busiest} calls arrived within three seconds (at most ${started} started in three)`,
    );
  });
});
