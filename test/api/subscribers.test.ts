/**
 * Subscribers: API clients with create, update and/or delete access to an owner's
 * event queue. They change or withdraw events and scheduled notifications not yet
 * delivered, and page the feeds of events and delivery outcomes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import {
  scheduledOf,
  startClockedHerald,
  TestClock,
  type Client,
  type ClockedHerald,
} from '../triggers/clocked-herald.ts';

const clock = new TestClock('2026-03-01T00:00:00Z');
let h: ClockedHerald;
let receiver: Receiver;
before(async () => {
  h = await startClockedHerald({ clock });
  receiver = await startReceiver();
});
after(async () => {
  await h.destroy();
  await receiver.close();
});

const serviceEvent = (name: string) => ({
  type: 'service.state_changed',
  accountId: 'acc',
  data: { service: { id: 'svc-1', name, previousState: 'Active', newState: 'Suspended' } },
});

/** A new owner with an account and an endpoint at the receiver, subscribed. */
async function subscribedOwner(name: string): Promise<Client> {
  const c = await h.owner(name);
  await c.ok('POST', '/v1/accounts', { id: 'acc', timezone: 'Europe/London' });
  const endpoint = await c.ok('POST', '/v1/endpoints', {
    name: 'ops',
    url: receiver.url,
    eventTypes: ['service.state_changed', 'invoice.overdue'],
  });
  receiver.setSecret(endpoint.secret);
  await c.ok('POST', '/v1/subscriptions', { endpointId: endpoint.id });
  return c;
}

async function deliverAll() {
  h.herald.dispatcher.start();
  for (;;) {
    const counts = await h.herald.store.countDeliveries();
    if (counts.pending === 0 && counts.in_flight === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await h.herald.dispatcher.stop();
}

test('an event not yet attempted can be changed, and its receiver gets the new data', async () => {
  const c = await subscribedOwner('patch before');
  const event = await c.ok('POST', '/v1/events', serviceEvent('Fibre 100'));
  const changed = await c.ok('PATCH', `/v1/events/${event.id}`, {
    data: serviceEvent('Fibre 500').data,
  });
  assert.equal(changed.data.service.name, 'Fibre 500');

  await deliverAll();
  const [delivery] = (await c.ok('GET', `/v1/events/${event.id}`)).deliveries;
  const [hook] = receiver.received.filter((r) => r.id === delivery.id);
  assert.equal(hook.verified, true, hook.verifyError);
  assert.equal((hook.body as any).data.service.name, 'Fibre 500');

  const late = await c.call('PATCH', `/v1/events/${event.id}`, {
    data: serviceEvent('Fibre 1000').data,
  });
  assert.equal(late.status, 409, JSON.stringify(late.body));
  assert.equal(late.body.error.code, 'event_delivered');
  assert.match(late.body.error.message, /was already sent \(delivery dlv_\w+ is succeeded/);
  const gone = await c.call('DELETE', `/v1/events/${event.id}`);
  assert.deepEqual([gone.status, gone.body.error.code], [409, 'event_delivered']);
});

test('a change to an event is checked against its type', async () => {
  const c = await subscribedOwner('patch checks');
  const event = await c.ok('POST', '/v1/events', serviceEvent('Fibre 100'));
  const bad = await c.call('PATCH', `/v1/events/${event.id}`, {
    data: { service: { id: 'svc-1' } },
  });
  assert.deepEqual([bad.status, bad.body.error.field], [422, 'data.service.name']);
  const missing = await c.call('PATCH', '/v1/events/evt_nope', { data: {} });
  assert.equal(missing.status, 404);
});

test('a withdrawn event is never delivered, nor resent', async () => {
  const c = await subscribedOwner('withdraw');
  const event = await c.ok('POST', '/v1/events', serviceEvent('Fibre 100'));
  assert.equal((await c.call('DELETE', `/v1/events/${event.id}`)).status, 204);
  assert.equal((await c.call('DELETE', `/v1/events/${event.id}`)).status, 204, 'idempotent');

  const stored = await c.ok('GET', `/v1/events/${event.id}`);
  assert.equal(stored.status, 'withdrawn');
  assert.deepEqual(
    stored.deliveries.map((d: any) => d.status),
    ['cancelled'],
  );
  await deliverAll();
  const [{ id: deliveryId }] = stored.deliveries;
  const calls = receiver.received.filter((r) => r.id === deliveryId);
  assert.deepEqual(calls, [], 'no delivery follows a withdrawal');
  const resend = await c.call('POST', `/v1/deliveries/${stored.deliveries[0].id}/resend`);
  assert.equal(resend.status, 409, JSON.stringify(resend.body));
  const patch = await c.call('PATCH', `/v1/events/${event.id}`, { data: event.data });
  assert.deepEqual([patch.status, patch.body.error.code], [409, 'event_withdrawn']);
});

test('a scheduled notification can be moved, rewritten or withdrawn while pending', async () => {
  const c = await subscribedOwner('scheduled changes');
  clock.set('2026-03-01T00:00:00Z');
  const posted = (id: string) => ({
    type: 'invoice.posted',
    accountId: 'acc',
    data: {
      invoice: {
        id,
        number: id,
        date: '2026-03-01',
        dueDate: '2026-03-31',
        total: 10,
        balance: 10,
        currency: 'EUR',
      },
    },
  });
  await c.ok('POST', '/v1/events', posted('moved'));
  await c.ok('POST', '/v1/events', posted('withdrawn'));
  await h.runDue();
  const [moved, withdrawn] = await scheduledOf(c, 'invoice.overdue');
  assert.deepEqual(
    [moved.dueAt, moved.dueLocal, moved.timezone],
    ['2026-03-31T23:00:00.000Z', '2026-04-01T00:00:00+01:00', 'Europe/London'],
  );

  const data = { ...moved.data, overdue: { daysOverdue: 30 } };
  const patched = await c.ok('PATCH', `/v1/scheduled/${moved.id}`, {
    dueAt: '2026-03-10T09:00:00Z',
    data,
  });
  assert.deepEqual(
    [patched.dueAt, patched.dueLocal, patched.edited],
    ['2026-03-10T09:00:00.000Z', '2026-03-10T09:00:00+00:00', true],
  );
  const invalid = await c.call('PATCH', `/v1/scheduled/${moved.id}`, { data: { overdue: {} } });
  assert.equal(invalid.status, 422, JSON.stringify(invalid.body));
  assert.equal((await c.call('DELETE', `/v1/scheduled/${withdrawn.id}`)).status, 204);

  clock.set('2026-04-02T00:00:00Z');
  await h.runDue();
  const rows = await scheduledOf(c, 'invoice.overdue');
  assert.deepEqual(
    rows.map((r) => r.status),
    ['fired', 'cancelled'],
  );
  assert.match(rows[1].note, /withdrawn by a subscriber/);
  const fired = await c.ok('GET', `/v1/events/${rows[0].eventId}`);
  assert.deepEqual(fired.data, data, 'edited data fires exactly as given');
  assert.equal(fired.occurredAt, '2026-03-10T09:00:00.000Z');

  const late = await c.call('PATCH', `/v1/scheduled/${moved.id}`, {
    dueAt: '2026-05-01T00:00:00Z',
  });
  assert.deepEqual([late.status, late.body.error.code], [409, 'scheduled_not_pending']);
  assert.equal((await c.call('DELETE', `/v1/scheduled/${moved.id}`)).status, 409);
});

// Every route this issue adds, with the scope it needs.
const SCOPED: [method: string, path: string, scope: string][] = [
  ['GET', '/v1/scheduled', 'events:read'],
  ['GET', '/v1/scheduled/sch_x', 'events:read'],
  ['PATCH', '/v1/scheduled/sch_x', 'events:update'],
  ['DELETE', '/v1/scheduled/sch_x', 'events:delete'],
  ['PATCH', '/v1/events/evt_x', 'events:update'],
  ['DELETE', '/v1/events/evt_x', 'events:delete'],
  ['GET', '/v1/deliveries/feed', 'events:read'],
  ['POST', '/v1/usage', 'events:create'],
  ['GET', '/v1/usage/totals?accountId=acc', 'events:read'],
  ['GET', '/v1/sims/8935', 'events:read'],
  ['GET', '/v1/invoices', 'events:read'],
  ['GET', '/v1/invoices/inv-x', 'events:read'],
  ['POST', '/v1/invoices/inv-x/settle', 'events:create'],
  ['POST', '/v1/buckets', 'config'],
  ['GET', '/v1/buckets', 'config'],
  ['GET', '/v1/buckets/b', 'config'],
  ['PATCH', '/v1/buckets/b', 'config'],
  ['DELETE', '/v1/buckets/b', 'config'],
  ['POST', '/v1/contracts', 'config'],
  ['GET', '/v1/contracts', 'config'],
  ['GET', '/v1/contracts/c', 'config'],
  ['PATCH', '/v1/contracts/c', 'config'],
  ['DELETE', '/v1/contracts/c', 'config'],
  ['GET', '/v1/trigger-settings', 'config'],
  ['PATCH', '/v1/trigger-settings', 'config'],
];

test('every subscriber route checks its scope', async () => {
  const c = await h.owner('scopes');
  const scopes = ['events:create', 'events:update', 'events:delete', 'events:read', 'config'];
  const keys = new Map<string, string>();
  const allBut = new Map<string, string>();
  for (const scope of scopes) {
    keys.set(scope, (await c.ok('POST', '/v1/keys', { name: scope, scopes: [scope] })).secret);
    const others = scopes.filter((s) => s !== scope);
    allBut.set(
      scope,
      (await c.ok('POST', '/v1/keys', { name: `not ${scope}`, scopes: others })).secret,
    );
  }
  for (const [method, path, scope] of SCOPED) {
    const body = ['POST', 'PATCH'].includes(method) ? {} : undefined;
    const refused = await c.call(method, path, body, allBut.get(scope));
    assert.equal(refused.status, 403, `${method} ${path} without ${scope}`);
    assert.equal(refused.body.error.code, 'missing_scope');
    const allowed = await c.call(method, path, body, keys.get(scope));
    assert.notEqual(allowed.status, 403, `${method} ${path} with ${scope}`);
  }
});

test(
  'the feeds of events and of delivery outcomes page without gaps or repeats while written ' + '',
  async (t) => {
    const live = await startClockedHerald({
      clock: new TestClock('2026-03-01T00:00:00Z'),
      workers: true,
    });
    t.after(async () => {
      receiver.setResponder(() => ({ status: 200 }));
      await live.destroy();
    });
    const c = await live.owner('feeds');
    await c.ok('POST', '/v1/accounts', { id: 'acc' });
    const endpoint = await c.ok('POST', '/v1/endpoints', {
      name: 'feed',
      url: receiver.url,
      eventTypes: ['service.state_changed'],
      ordering: 'unordered',
    });
    receiver.setSecret(endpoint.secret);
    await c.ok('POST', '/v1/subscriptions', { endpointId: endpoint.id });
    // Every third call fails once: those deliveries record two outcomes, and move.
    let calls = 0;
    receiver.setResponder(() => ({ status: ++calls % 3 === 0 ? 503 : 200 }));

    const posted: string[] = [];
    const writer = async (n: number) => {
      for (let i = 0; i < 20; i++) {
        const event = await c.ok('POST', '/v1/events', serviceEvent(`svc ${n}.${i}`));
        posted.push(event.id);
      }
    };
    const writing = Promise.all([1, 2, 3, 4].map(writer));
    let writersDone = false;
    void writing.then(() => (writersDone = true));

    const seenEvents: string[] = [];
    const outcomes = new Map<string, { seq: number; status: string }>();
    const pairs = new Set<string>();
    let eventsAfter = '';
    let outcomesAfter = '';
    let lastSeq = 0;
    const readPages = async () => {
      const events = await c.ok(
        'GET',
        `/v1/events?limit=7${eventsAfter && `&after=${eventsAfter}`}`,
      );
      seenEvents.push(...events.data.map((e: any) => e.id));
      eventsAfter = events.nextCursor ?? '';
      const page = await c.ok(
        'GET',
        `/v1/deliveries/feed?limit=5${outcomesAfter && `&after=${outcomesAfter}`}`,
      );
      for (const d of page.data) {
        assert.ok(d.outcomeSeq > lastSeq, `outcome ${d.outcomeSeq} after ${lastSeq}: in order`);
        lastSeq = d.outcomeSeq;
        const pair = `${d.id}@${d.outcomeSeq}`;
        assert.ok(!pairs.has(pair), `${pair} shown twice`);
        pairs.add(pair);
        outcomes.set(d.id, { seq: d.outcomeSeq, status: d.status });
      }
      outcomesAfter = page.nextCursor ?? '';
      return events.data.length + page.data.length;
    };
    for (;;) {
      // Quiet first, then read: an outcome recorded between a read and the check
      // would otherwise end the loop unseen.
      const done = writersDone;
      const counts = await live.herald.store.countDeliveries();
      const quiet = counts.pending === 0 && counts.in_flight === 0;
      const read = await readPages();
      if (done && quiet && read === 0) break;
    }
    await writing;

    assert.equal(posted.length, 80);
    assert.deepEqual([...seenEvents].sort(), [...posted].sort(), 'every event once, none twice');
    const all = await c.ok('GET', '/v1/deliveries?limit=1000');
    assert.equal(all.data.length, 80);
    for (const d of all.data) {
      assert.equal(outcomes.get(d.id)?.status, d.status, `the feed shows ${d.id} as it ended`);
    }
    assert.ok(pairs.size > 80, 'retried deliveries appear at each outcome');
  },
);
