/**
 * An endpoint's rate limit end to end: 100 events to an endpoint limited to 20 calls
 * a second must arrive at about 20 a second, judged by when the receiver got them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import { ACCOUNT_ID, startBench } from './fixtures-herald.ts';
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

test('holds an endpoint to its rate limit within ten per cent', async (t) => {
  const s = await startBench(t);
  // Its own thread, so arrivals are stamped on time while Herald keeps this one busy.
  const receiver = await startReceiverThread();
  t.after(() => receiver.close());
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

  const times = hooks.map((hook) => hook.receivedAt).sort((a, b) => a - b);
  const span = (times.at(-1)! - times[0]) / 1000;
  const busiest = busiestWindow(times, 1000);
  console.log(times.map((x) => x - times[0]).join(" "));
  assert.ok(busiest <= RATE * 1.1, `${busiest} calls arrived within one second`);
  assert.ok(span >= (EVENTS / RATE) * 0.9, `all ${EVENTS} arrived within ${span} s`);
  // Not held back more than it must be either: the mean rate stays within 10 %.
  const rate = (EVENTS - 1) / span;
  assert.ok(rate >= RATE * 0.9, `only ${rate.toFixed(1)} calls a second`);
  assert.equal(new Set(hooks.map((hook) => hook.id)).size, EVENTS, 'each delivery once');
  assert.ok(
    hooks.every((hook) => hook.verified),
    'every call verifies',
  );
  assert.equal(receiver.arrivals.length, EVENTS);
});
