/**
 * Faults outside Herald, injected while events flow: the owner's SMTP server goes
 * down for a while and comes back; the webhook receiver refuses connections, then
 * answers too slowly, then is healthy. Each fault sits behind a TCP relay, so the
 * server "comes back" on the very address Herald was given. Every event must be
 * delivered once the fault is over, with the failed attempts in the log. The disk
 * filling up is in disk-full.test.ts.
 */
import assert from 'node:assert/strict';
import { after, test, type TestContext } from 'node:test';
import { startRelay, type Relay } from '../e2e/tcp-relay.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { countsFor } from './resilience-counts.ts';
import {
  emailMarker,
  markedEvent,
  missing,
  subscribeOwner,
  until,
  webhookMarker,
} from './subscribed-owner.ts';

const EVENTS = 20;
const WEBHOOK_TIMEOUT_MS = 500;
/** Long enough a fault phase, short enough a test: each lasts about this long. */
const PHASE_MS = 1200;

const { counts, report } = countsFor('faults.test.ts', ['faultsInjected', 'eventsLost']);
after(report);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Rig {
  h: TestHerald;
  receiver: Receiver;
  sink: SmtpSink;
  /** The relay in front of the server under test. */
  relay: Relay;
  markers: string[];
  post(): Promise<void>;
}

/** A Herald whose webhook or SMTP server is reached through a relay the test can switch. */
async function rig(t: TestContext, faulty: 'webhook' | 'smtp'): Promise<Rig> {
  const h = await startTestHerald({
    // Enough retries for every fault phase, at a fast pace.
    retrySchedule: Array.from({ length: 60 }, () => 100),
    webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
    apiRateLimitPerSecond: 0,
  });
  const receiver = await startReceiver();
  const sink = await startSmtpSink();
  const relay = await startRelay(faulty === 'webhook' ? portOf(receiver.url) : sink.port);
  t.after(async () => {
    await h.stop();
    await relay.close();
    await receiver.close();
    await sink.close();
  });
  const owner = await subscribeOwner(h.api, {
    webhookUrl:
      faulty === 'webhook' ? receiver.url.replace(/:\d+\//, `:${relay.port}/`) : receiver.url,
    smtpPort: faulty === 'smtp' ? relay.port : sink.port,
  });
  receiver.setSecret(owner.endpointSecret);
  const markers = Array.from({ length: EVENTS }, (_, i) => `${faulty}-fault-${i}`);
  const post = async () => {
    const r = await h.api('POST', '/v1/events/batch', {
      events: markers.map((m) => markedEvent(m)),
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.accepted, EVENTS, JSON.stringify(r.body));
  };
  return { h, receiver, sink, relay, markers, post };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Waits for every marker on both channels; what never came counts as lost. */
async function everyEventArrives(r: Rig): Promise<void> {
  const lost = () =>
    new Set([
      ...missing(r.markers, r.receiver.received.map(webhookMarker)),
      ...missing(r.markers, r.sink.received.map(emailMarker)),
    ]);
  try {
    await until('every event on both channels', () => lost().size === 0, 20_000);
  } catch (error) {
    counts.eventsLost += lost().size;
    throw error;
  }
  await r.h.drain(20_000);
}

/** The failed attempts of the channel's deliveries, by error code. */
async function failedAttempts(h: TestHerald, channel: 'webhook' | 'email') {
  const list = await h.api('GET', `/v1/deliveries?channel=${channel}&limit=100`);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const codes = new Map<string, number>();
  for (const delivery of list.body.data) {
    assert.equal(delivery.status, 'succeeded', JSON.stringify(delivery));
    const detail = await h.api('GET', `/v1/deliveries/${delivery.id}`);
    for (const attempt of detail.body.attempts) {
      if (!attempt.ok) codes.set(attempt.errorCode, (codes.get(attempt.errorCode) ?? 0) + 1);
    }
  }
  return codes;
}

test('emails wait out an SMTP server that is down, and all go out once it is back', async (t) => {
  const r = await rig(t, 'smtp');
  await r.relay.down();
  counts.faultsInjected += 1;
  await r.post();

  await r.receiver.waitFor(EVENTS, 10_000);
  await sleep(PHASE_MS);
  assert.equal(r.sink.received.length, 0, 'nothing reaches a server that is down');
  const waiting = await r.h.herald.store.countDeliveries();
  assert.equal(waiting.failed, 0, `no email is given up on: ${JSON.stringify(waiting)}`);

  await r.relay.up();
  await everyEventArrives(r);
  const codes = await failedAttempts(r.h, 'email');
  assert.ok(codes.size > 0, 'the attempts made while it was down are in the log');
  assert.ok(
    [...codes.keys()].every((code) => code.startsWith('smtp_')),
    `failures carry SMTP error codes: ${JSON.stringify([...codes])}`,
  );
  assert.equal(new Set(r.sink.received.map(emailMarker)).size, EVENTS);
  t.diagnostic(`failed email attempts: ${JSON.stringify(Object.fromEntries(codes))}`);
});

test('webhooks survive a receiver that refuses, then is slow, then is healthy', async (t) => {
  const r = await rig(t, 'webhook');
  await r.relay.down();
  counts.faultsInjected += 1;
  await r.post();

  await r.sink.waitFor(EVENTS, 10_000);
  await sleep(PHASE_MS);
  assert.equal(r.receiver.received.length, 0, 'nothing reaches a receiver that refuses');

  // Slow: answers only after Herald's timeout, so these attempts fail too.
  r.receiver.setResponder(async () => {
    await sleep(WEBHOOK_TIMEOUT_MS * 2);
    return { status: 200, body: 'late' };
  });
  await r.relay.up();
  counts.faultsInjected += 1;
  await until('the slow receiver to be called', () => r.receiver.received.length > 0, 10_000);
  await sleep(PHASE_MS);
  const stillWaiting = await r.h.herald.store.countDeliveries();
  assert.equal(stillWaiting.failed, 0, JSON.stringify(stillWaiting));

  r.receiver.setResponder(() => ({ status: 200, body: 'ok' }));
  await everyEventArrives(r);
  assert.ok(
    r.receiver.received.every((hook) => hook.verified),
    'every call is signed, retries too',
  );
  const codes = await failedAttempts(r.h, 'webhook');
  const shown = JSON.stringify(Object.fromEntries(codes));
  assert.ok(codes.size >= 2, `refusals and timeouts are both logged: ${shown}`);
  t.diagnostic(`failed webhook attempts: ${shown}`);
});
