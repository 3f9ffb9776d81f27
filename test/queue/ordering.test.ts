/**
 * Ordered and unordered webhook delivery, end to end through a real Herald and a
 * real HTTPS receiver. Ordered: the events of one account reach the endpoint one at
 * a time in the order they were accepted, and a failing head holds only its own
 * account. Unordered: deliveries to one endpoint run side by side.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { HeraldConfig } from '../../src/config.ts';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Responder } from '../helpers/https-receiver.ts';
import { PATIENCE_MS, caller, sleep } from '../e2e/api-steps.ts';

const ACCOUNTS = ['acc-a', 'acc-b', 'acc-c'];

/** One arrival at the receiver: which account's event, its place in that account's order. */
interface Arrival {
  account: string;
  index: number;
  at: number;
  status: number;
  verified: boolean;
}

async function setUp(
  t: TestContext,
  ordering: 'ordered' | 'unordered',
  config: Partial<HeraldConfig>,
) {
  const h = await startTestHerald(config);
  const receiver = await startReceiver();
  t.after(async () => {
    await h.stop();
    await receiver.close();
  });
  const call = caller(h);
  for (const id of ACCOUNTS) await call('POST', '/v1/accounts', { id, name: `Konto ${id}` });
  const endpoint = await call('POST', '/v1/endpoints', {
    name: ordering,
    url: receiver.url,
    eventTypes: ['service.state_changed'],
    ordering,
  });
  await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });
  receiver.setSecret(endpoint.secret);

  /** An event of the account that names its place in the account's order. */
  const eventOf = (account: string, index: number) => {
    const data = sampleData('service.state_changed') as any;
    data.service.id = `${account}#${index}`;
    return { type: 'service.state_changed', accountId: account, data };
  };
  return { h, receiver, call, eventOf };
}

/**
 * A responder that records arrivals and how many requests of one account are open at
 * once, holding each answer for `holdMs` so that overlapping requests would show.
 */
function recorder(
  holdMs: number,
  fail: (arrival: Arrival, seen: number, arrivals: Arrival[]) => boolean,
) {
  const arrivals: Arrival[] = [];
  const open = new Map<string, number>();
  const most = { perAccount: 0, overall: 0 };
  let overall = 0;
  const respond: Responder = async (hook) => {
    const [account, index] = String((hook.body as any).data.service.id).split('#');
    const at = hook.receivedAt;
    const arrival = { account, index: Number(index), at, status: 200, verified: hook.verified };
    const seen = arrivals.filter((a) => a.account === account && a.index === arrival.index);
    if (fail(arrival, seen.length, arrivals)) arrival.status = 503;
    arrivals.push(arrival);

    open.set(account, (open.get(account) ?? 0) + 1);
    overall += 1;
    most.perAccount = Math.max(most.perAccount, open.get(account)!);
    most.overall = Math.max(most.overall, overall);
    await sleep(holdMs);
    open.set(account, open.get(account)! - 1);
    overall -= 1;
    return { status: arrival.status };
  };
  return { arrivals, most, respond };
}

test('ordered delivery keeps each account in order and holds only the failing one', async (t) => {
  const s = await setUp(t, 'ordered', { retrySchedule: Array(8).fill(250) });
  // The first event of account A fails twice, and on until B and C have all arrived:
  // were they held behind A, it would fail for good and never reach the receiver.
  const done = (arrivals: Arrival[], account: string) =>
    arrivals.filter((a) => a.account === account).length === 10;
  const r = recorder(5, (a, seen, arrivals) => {
    if (a.account !== 'acc-a' || a.index !== 0) return false;
    return seen < 2 || !done(arrivals, 'acc-b') || !done(arrivals, 'acc-c');
  });
  s.receiver.setResponder(r.respond);

  // One batch, accounts interleaved: its order is the order of acceptance.
  const events = [...Array(10).keys()].flatMap((index) => ACCOUNTS.map((a) => s.eventOf(a, index)));
  const batch = await s.call('POST', '/v1/events/batch', { events });
  assert.equal(batch.accepted, 30, JSON.stringify(batch));
  await s.receiver.waitFor(32, PATIENCE_MS);
  await s.h.drain();

  const sequence = (account: string) =>
    r.arrivals.filter((a) => a.account === account).map((a) => a.index);
  const inOrder = [...Array(10).keys()];
  const heads = sequence('acc-a').filter((index) => index === 0).length;
  assert.ok(heads >= 3, `A's head arrived ${heads} time(s), not failing twice first`);
  const retried = Array(heads - 1).fill(0);
  assert.deepEqual(sequence('acc-a'), [...retried, ...inOrder], 'A: its head, then in order');
  assert.deepEqual(sequence('acc-b'), inOrder);
  assert.deepEqual(sequence('acc-c'), inOrder);
  assert.equal(r.most.perAccount, 1, 'one request of an account at a time');
  assert.ok(
    r.arrivals.every((a) => a.verified),
    'every webhook verifies',
  );

  const headDelivered = r.arrivals.find((a) => a.account === 'acc-a' && a.status === 200);
  assert.ok(headDelivered?.index === 0, "A's head never got through before the rest of A");
  for (const account of ['acc-b', 'acc-c']) {
    const last = r.arrivals.filter((a) => a.account === account).at(-1)!;
    assert.ok(
      last.at < headDelivered.at,
      `${account} finished ${last.at - headDelivered.at} ms after A's head got through`,
    );
  }
});

test('unordered delivery to one endpoint runs in parallel', async (t) => {
  const s = await setUp(t, 'unordered', {});
  const r = recorder(1000, () => false);
  s.receiver.setResponder(r.respond);

  // One batch, so all ten are due at once and only the endpoint's mode decides.
  const events = [...Array(10).keys()].map((index) => s.eventOf('acc-a', index));
  const batch = await s.call('POST', '/v1/events/batch', { events });
  assert.equal(batch.accepted, 10);
  await s.receiver.waitFor(10, PATIENCE_MS);
  await s.h.drain();

  // Each answer takes a second; in order, one would be open at a time.
  assert.ok(r.most.perAccount >= 5, `at most ${r.most.perAccount} request(s) open at once`);
  const indexes = r.arrivals.map((a) => a.index).sort((x, y) => x - y);
  assert.deepEqual(indexes, [...Array(10).keys()], 'each event once');
  assert.ok(
    r.arrivals.every((a) => a.verified),
    'every webhook verifies',
  );
});
