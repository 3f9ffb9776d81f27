import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { assertApiError, freshOwner, serviceEvent, type OwnerApi } from './api-fixtures.ts';

// One Herald for the file; each test works in an owner of its own.
const h = await startTestHerald();
test.after(() => h.stop());

/** A new owner with one account and one webhook subscription, so events queue deliveries. */
async function ownerWithSubscriber(t: TestContext) {
  const receiver = await startReceiver();
  // Closing a receiver while a delivery is on its way to it stalls the close.
  t.after(async () => {
    await h.drain();
    await receiver.close();
  });
  const { api } = await freshOwner(h);
  let r = await api('POST', '/v1/accounts', { id: 'acc-1' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', '/v1/endpoints', {
    name: 'ops',
    url: receiver.url,
    eventTypes: ['service.state_changed'],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  receiver.setSecret(r.body.secret);
  r = await api('POST', '/v1/subscriptions', { endpointId: r.body.id });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { api, receiver };
}

async function deliveriesOf(api: OwnerApi, eventId: string) {
  const r = await api('GET', `/v1/deliveries?eventId=${eventId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data as { id: string; status: string }[];
}

test('an accepted event is stored before the 202 and readable at once', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const sent = { ...serviceEvent('acc-1'), occurredAt: '2026-01-31T12:00:00.000Z' };
  const r = await api('POST', '/v1/events', sent);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.match(r.body.id, /^evt_/);
  assert.deepEqual(
    { type: r.body.type, accountId: r.body.accountId, data: r.body.data },
    { type: sent.type, accountId: 'acc-1', data: sent.data },
  );
  assert.equal(r.body.occurredAt, sent.occurredAt);
  assert.equal(r.body.orderingKey, 'acc-1', 'the account is the default ordering key');

  // No wait of any kind between the answer and the reads.
  const stored = await h.herald.store.getEventById(r.body.id);
  assert.equal(stored?.id, r.body.id, 'the event is in the database');
  const read = await api('GET', `/v1/events/${r.body.id}`);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  const { deliveries, ...event } = read.body;
  assert.deepEqual(event, r.body);
  assert.equal(deliveries.length, 1, 'its delivery was committed with it');
});

test('a repeated Idempotency-Key returns the first answer and queues nothing new', async (t) => {
  const { api, receiver } = await ownerWithSubscriber(t);
  const headers = { 'idempotency-key': 'order-42' };
  const first = await api('POST', '/v1/events', serviceEvent('acc-1'), { headers });
  assert.equal(first.status, 202, JSON.stringify(first.body));
  const again = await api('POST', '/v1/events', serviceEvent('acc-1'), { headers });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');

  await h.drain();
  const events = await api('GET', '/v1/events');
  assert.deepEqual(
    events.body.data.map((e: { id: string }) => e.id),
    [first.body.id],
  );
  assert.equal((await deliveriesOf(api, first.body.id)).length, 1);
  assert.equal(receiver.received.length, 1, 'the receiver got the event once');
});

test('a repeat answers as the first time even after its account was deleted', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const headers = { 'idempotency-key': 'order-44' };
  const first = await api('POST', '/v1/events', serviceEvent('acc-1', 'one'), { headers });
  assert.equal(first.status, 202, JSON.stringify(first.body));
  await h.drain();
  const deleted = await api('DELETE', '/v1/accounts/acc-1');
  assert.equal(deleted.status, 204, JSON.stringify(deleted.body));

  const again = await api('POST', '/v1/events', serviceEvent('acc-1', 'one'), { headers });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  // Another body under the key is still a reuse; a new key gets the check it fails.
  const other = await api('POST', '/v1/events', serviceEvent('acc-1', 'two'), { headers });
  assertApiError(other, 409, { code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  const fresh = await api('POST', '/v1/events', serviceEvent('acc-1', 'one'), {
    headers: { 'idempotency-key': 'order-45' },
  });
  assertApiError(fresh, 422, { code: 'unknown_account', field: 'accountId' });
});

test('racing requests with one Idempotency-Key make one event', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const headers = { 'idempotency-key': 'race-1' };
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => api('POST', '/v1/events', serviceEvent('acc-1'), { headers })),
  );
  for (const a of answers) assert.equal(a.status, 202, JSON.stringify(a.body));
  assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
  const events = await api('GET', '/v1/events');
  assert.equal(events.body.data.length, 1);
  assert.equal((await deliveriesOf(api, answers[0].body.id)).length, 1);
});

test('an Idempotency-Key reused with another body is refused with 409', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const headers = { 'idempotency-key': 'order-43' };
  const first = await api('POST', '/v1/events', serviceEvent('acc-1', 'one'), { headers });
  assert.equal(first.status, 202);
  const other = await api('POST', '/v1/events', serviceEvent('acc-1', 'two'), { headers });
  assertApiError(other, 409, { code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  const batch = await api(
    'POST',
    '/v1/events/batch',
    { events: [serviceEvent('acc-1', 'one')] },
    { headers },
  );
  assertApiError(batch, 409, { code: 'idempotency_key_reused' });
  const events = await api('GET', '/v1/events');
  assert.equal(events.body.data.length, 1, 'the refused requests stored nothing');
});

test('a repeat whose JSON lists the same fields in another order is a replay', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const headers = { 'idempotency-key': 'order-44' };
  const event = serviceEvent('acc-1');
  const first = await api('POST', '/v1/events', event, { headers });
  assert.equal(first.status, 202);
  const reordered = { data: event.data, accountId: event.accountId, type: event.type };
  const again = await api('POST', '/v1/events', reordered, { headers });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.equal(again.body.id, first.body.id);
});

test("one owner's Idempotency-Key never replays another owner's answer", async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const { key } = await freshOwner(h, 'Other');
  await api('POST', '/v1/accounts', { id: 'acc-1' }, { key });
  const headers = { 'idempotency-key': 'shared-key' };
  const mine = await api('POST', '/v1/events', serviceEvent('acc-1'), { headers });
  const theirs = await api('POST', '/v1/events', serviceEvent('acc-1'), { headers, key });
  assert.equal(mine.status, 202);
  assert.equal(theirs.status, 202, JSON.stringify(theirs.body));
  assert.notEqual(theirs.body.id, mine.body.id);
  assert.equal(theirs.headers.get('idempotent-replayed'), null);
});

test('the cursor feed pages through events with no gaps or repeats', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const posted: string[] = [];
  for (let i = 0; i < 23; i++) {
    const r = await api('POST', '/v1/events', serviceEvent('acc-1', `svc ${i}`));
    posted.push(r.body.id);
  }

  const read = async (after: string | null, limit: number) => {
    const seen: string[] = [];
    let cursor = after;
    for (let pages = 0; pages < 100; pages++) {
      const query = `limit=${limit}` + (cursor ? `&after=${encodeURIComponent(cursor)}` : '');
      const r = await api('GET', `/v1/events?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(
        r.body.data.length <= limit,
        `a page of ${r.body.data.length}, over the limit ${limit}`,
      );
      if (r.body.data.length === 0) {
        assert.equal(r.body.nextCursor, cursor, 'an empty page keeps the cursor');
        return { seen, cursor };
      }
      seen.push(...r.body.data.map((e: { id: string }) => e.id));
      cursor = r.body.nextCursor;
    }
    throw new Error('the feed never ended');
  };

  const whole = await read(null, 5);
  assert.deepEqual(whole.seen, posted);
  assert.deepEqual((await read(null, 1000)).seen, posted);

  const more: string[] = [];
  for (let i = 0; i < 4; i++) {
    more.push((await api('POST', '/v1/events', serviceEvent('acc-1', `late ${i}`))).body.id);
  }
  const rest = await read(whole.cursor, 3);
  assert.deepEqual(rest.seen, more, 'reading on from the last cursor gives only new events');
});

test('a batch of 100 answers with a result for each event', async (t) => {
  const { api, receiver } = await ownerWithSubscriber(t);
  const events = Array.from({ length: 100 }, (_, i) => serviceEvent('acc-1', `svc ${i}`));
  const r = await api('POST', '/v1/events/batch', { events });
  assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 500));
  assert.equal(r.body.accepted, 100);
  assert.equal(r.body.rejected, 0);
  assert.equal(r.body.results.length, 100);
  r.body.results.forEach((result: any, i: number) => {
    assert.equal(result.index, i);
    assert.equal(result.status, 'accepted');
    assert.equal(result.event.data.service.name, `svc ${i}`);
  });
  const ids = r.body.results.map((x: any) => x.event.id);
  assert.equal(new Set(ids).size, 100);

  const feed = await api('GET', '/v1/events?limit=1000');
  assert.deepEqual(
    feed.body.data.map((e: { id: string }) => e.id),
    ids,
  );
  await h.drain();
  assert.equal(receiver.received.length, 100);
  assert.ok(
    receiver.received.every((hook) => hook.verified),
    'every webhook verified',
  );
});

test('a repeated batch with its Idempotency-Key queues nothing new', async (t) => {
  const { api } = await ownerWithSubscriber(t);
  const body = { events: [serviceEvent('acc-1', 'a'), serviceEvent('acc-1', 'b')] };
  const headers = { 'idempotency-key': 'batch-1' };
  const first = await api('POST', '/v1/events/batch', body, { headers });
  const again = await api('POST', '/v1/events/batch', body, { headers });
  assert.equal(again.status, 202);
  assert.deepEqual(again.body, first.body);
  const feed = await api('GET', '/v1/events');
  assert.equal(feed.body.data.length, 2);
});
