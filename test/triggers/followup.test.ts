import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../helpers/https-receiver.ts';
import { eventsOf, scheduledOf, startClockedHerald, TestClock } from './clocked-herald.ts';

const invoice = (id: string) => ({
  id,
  number: `INV-${id}`,
  date: '2026-03-01',
  dueDate: '2026-03-31',
  total: 120,
  balance: 120,
  currency: 'EUR',
});

const delivered = (accountId: string, invoiceId: string, deliveredAt: string) => ({
  type: 'invoice.delivered',
  accountId,
  data: { invoice: invoice(invoiceId), delivery: { method: 'email', deliveredAt } },
});

test(
  'a follow-up fires once, at local time t x days after delivery, to its subscription only ' + '',
  async (t) => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    const h = await startClockedHerald({ clock, workers: true });
    const receiver = await startReceiver();
    t.after(async () => {
      await h.destroy();
      await receiver.close();
    });

    await h.ok('PATCH', '/v1/trigger-settings', { timezone: 'Asia/Kolkata' });
    await h.ok('POST', '/v1/accounts', { id: 'ny', timezone: 'America/New_York' });
    await h.ok('POST', '/v1/accounts', { id: 'lh', timezone: 'Australia/Lord_Howe' });
    await h.ok('POST', '/v1/accounts', { id: 'plain' });
    const endpoint = await h.ok('POST', '/v1/endpoints', {
      name: 'collections',
      url: receiver.url,
      eventTypes: ['invoice.delivery_followup'],
    });
    receiver.setSecret(endpoint.secret);
    const early = await h.ok('POST', '/v1/subscriptions', {
      endpointId: endpoint.id,
      eventTypes: ['invoice.delivery_followup'],
      schedule: { offsetDays: 2, at: '02:30' },
    });
    const plain = await h.ok('POST', '/v1/subscriptions', { endpointId: endpoint.id });

    await h.ok('POST', '/v1/events', delivered('ny', 'inv-ny', '2026-03-06T15:00:00Z'));
    await h.ok('POST', '/v1/events', delivered('lh', 'inv-lh', '2026-10-02T00:00:00Z'));
    await h.ok('POST', '/v1/events', delivered('plain', 'inv-in', '2026-03-06T20:00:00Z'));
    await h.runDue();

    const planned = await scheduledOf(h, 'invoice.delivery_followup');
    const shown = planned.map((s) => [s.accountId, s.dueAt, s.dueLocal, s.timezone, s.status]);
    assert.deepEqual(shown, [
      // 02:30 does not exist in New York on Mar 8: the first valid minute is 03:00 EDT.
      [
        'ny',
        '2026-03-08T07:00:00.000Z',
        '2026-03-08T03:00:00-04:00',
        'America/New_York',
        'pending',
      ],
      // Nor on Lord Howe on Oct 4, where the clocks skip 02:00-02:30.
      [
        'lh',
        '2026-10-03T15:30:00.000Z',
        '2026-10-04T02:30:00+11:00',
        'Australia/Lord_Howe',
        'pending',
      ],
      // No time zone of its own: the owner's, Asia/Kolkata.
      ['plain', '2026-03-08T21:00:00.000Z', '2026-03-09T02:30:00+05:30', 'Asia/Kolkata', 'pending'],
    ]);
    assert.ok(
      planned.every((s) => s.subscriptionId === early.id),
      JSON.stringify(planned),
    );

    clock.set('2026-03-08T06:59:59.999Z');
    assert.equal((await h.runDue()).fired, 0, 'nothing fires a millisecond early');
    clock.set('2026-03-08T07:00:00Z');
    assert.equal((await h.runDue()).fired, 1);
    assert.equal((await h.runDue()).fired, 0, 'a second run fires nothing more');

    const [hook] = await receiver.waitFor(1);
    assert.equal(hook.verified, true, hook.verifyError);
    const body = hook.body as any;
    assert.equal(body.type, 'invoice.delivery_followup');
    assert.deepEqual(body.data.followup, {
      offsetDays: 2,
      at: '02:30',
      scheduledAt: '2026-03-08T07:00:00.000Z',
    });
    assert.equal(body.data.invoice.id, 'inv-ny');
    assert.equal(body.data.delivery.deliveredAt, '2026-03-06T15:00:00.000Z');

    const [event] = await eventsOf(h, 'invoice.delivery_followup');
    const detail = await h.ok('GET', `/v1/events/${event.id}`);
    assert.equal(event.occurredAt, '2026-03-08T07:00:00.000Z');
    assert.deepEqual(
      detail.deliveries.map((d: any) => d.targetId),
      [endpoint.id],
      `only subscription ${early.id} hears of it, not ${plain.id}`,
    );
    const row = (await scheduledOf(h, 'invoice.delivery_followup'))[0];
    assert.deepEqual([row.status, row.eventId], ['fired', event.id]);
  },
);

test('a second delivery of the same invoice keeps the follow-up already planned', async (t) => {
  const clock = new TestClock('2026-03-01T00:00:00Z');
  const h = await startClockedHerald({ clock });
  t.after(() => h.destroy());
  await h.ok('POST', '/v1/accounts', { id: 'uk', timezone: 'Europe/London' });
  const endpoint = await h.ok('POST', '/v1/endpoints', {
    name: 'collections',
    url: 'https://127.0.0.1:1/unused',
    eventTypes: ['invoice.delivery_followup'],
  });
  await h.ok('POST', '/v1/subscriptions', {
    endpointId: endpoint.id,
    eventTypes: ['invoice.delivery_followup'],
    schedule: { offsetDays: 1, at: '10:00' },
  });
  await h.ok('POST', '/v1/events', delivered('uk', 'inv-1', '2026-03-28T23:30:00Z'));
  await h.ok('POST', '/v1/events', delivered('uk', 'inv-1', '2026-03-30T08:00:00Z'));
  await h.runDue();
  const rows = await scheduledOf(h, 'invoice.delivery_followup');
  assert.deepEqual(
    rows.map((r) => [r.dueAt, r.dueLocal]),
    [['2026-03-29T09:00:00.000Z', '2026-03-29T10:00:00+01:00']],
  );
});

test('a schedule is refused on a subscription to other event types', async (t) => {
  const h = await startClockedHerald({ clock: new TestClock('2026-03-01T00:00:00Z') });
  t.after(() => h.destroy());
  const endpoint = await h.ok('POST', '/v1/endpoints', {
    name: 'mixed',
    url: 'https://127.0.0.1:1/unused',
    eventTypes: ['invoice.delivery_followup', 'invoice.posted'],
  });
  const r = await h.call('POST', '/v1/subscriptions', {
    endpointId: endpoint.id,
    schedule: { offsetDays: 1, at: '10:00' },
  });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.field, 'schedule');
  const bad = await h.call('POST', '/v1/subscriptions', {
    endpointId: endpoint.id,
    eventTypes: ['invoice.delivery_followup'],
    schedule: { offsetDays: 1, at: '24:00' },
  });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.equal(bad.body.error.field, 'schedule.at');
});
