import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eventsOf,
  scheduledOf,
  startClockedHerald,
  TestClock,
  type Client,
  type ClockedHerald,
} from './clocked-herald.ts';

const clock = new TestClock('2026-03-01T00:00:00Z');
let h: ClockedHerald;
before(async () => {
  h = await startClockedHerald({ clock });
});
after(() => h.destroy());

const DAY = 24 * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function ownerWithAccount(name: string, timezone: string): Promise<Client> {
  clock.set('2026-03-01T00:00:00Z');
  const c = await h.owner(name);
  await c.ok('POST', '/v1/accounts', { id: 'acc', timezone });
  return c;
}

/** Tiers fired since the last look, as [tier, used, periodStart]. */
function tierWatcher(c: Client) {
  let seen = 0;
  return async () => {
    await h.runDue();
    const events = await eventsOf(c, 'usage.threshold_exceeded');
    const fresh = events.slice(seen).map((e) => {
      const u = e.data.usage;
      return [u.tier, u.used, u.periodStart];
    });
    seen = events.length;
    return fresh;
  };
}

test(
  'a usage sequence fires each tier once per period, several at once in tier order ' + '',
  async () => {
    const c = await ownerWithAccount('thresholds', 'Europe/London');
    await c.ok('POST', '/v1/buckets', {
      id: 'data',
      name: 'Mobile data',
      unit: 'GB',
      allowance: 50,
      tiers: [100, 50, 80],
      period: 'monthly',
    });
    const fired = tierWatcher(c);

    // quantity, at (UTC) -> tiers fired by that record, as [tier, used, periodStart]
    const SEQUENCE: [number, string, unknown[]][] = [
      [10, '2026-03-02T10:00:00Z', []],
      [15, '2026-03-03T10:00:00Z', [[50, 25, '2026-03-01']]], // 25 is exactly 50%
      [20, '2026-03-04T10:00:00Z', [[80, 45, '2026-03-01']]],
      [1, '2026-03-05T10:00:00Z', []],
      [10, '2026-03-06T10:00:00Z', [[100, 56, '2026-03-01']]],
      [5, '2026-03-07T10:00:00Z', []], // every tier of March has fired
      // 23:30Z on Mar 31 is 00:30 BST on Apr 1: a new period, and one record crosses all.
      [
        60,
        '2026-03-31T23:30:00Z',
        [
          [50, 60, '2026-04-01'],
          [80, 60, '2026-04-01'],
          [100, 60, '2026-04-01'],
        ],
      ],
      [1, '2026-03-31T22:30:00Z', []], // still March locally, where all tiers fired
    ];
    for (const [quantity, at, expected] of SEQUENCE) {
      clock.set(at);
      const r = await c.ok('POST', '/v1/usage', { accountId: 'acc', bucket: 'data', quantity, at });
      assert.equal(r.recorded, 1);
      assert.deepEqual(await fired(), expected, `after ${quantity} GB at ${at}`);
    }

    const totals = await c.ok('GET', '/v1/usage/totals?accountId=acc');
    assert.deepEqual(
      totals.data.map((t: any) => [t.periodStart, t.used]),
      [
        ['2026-03-01', 62],
        ['2026-04-01', 60],
      ],
    );
    const [first] = await eventsOf(c, 'usage.threshold_exceeded');
    assert.deepEqual(first.data.usage, {
      bucket: 'Mobile data',
      tier: 50,
      allowance: 50,
      used: 25,
      unit: 'GB',
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
    });
  },
);

test(
  'a batch of usage records is checked whole, and a repeated record id counts once ' + '',
  async () => {
    const c = await ownerWithAccount('usage batches', 'Australia/Lord_Howe');
    await c.ok('POST', '/v1/buckets', {
      name: 'Voice',
      unit: 'minutes',
      allowance: 100,
      tiers: [90],
      period: 'daily',
    });
    const fired = tierWatcher(c);
    const at = '2026-10-03T13:45:00Z'; // 00:15 LHST on Oct 4, the 23.5-hour day
    const records = [
      { id: 'cdr-1', accountId: 'acc', bucket: 'Voice', quantity: 60, at },
      { id: 'cdr-2', accountId: 'acc', bucket: 'Voice', quantity: 30, at },
    ];
    const bad = await c.call('POST', '/v1/usage', {
      records: [...records, { accountId: 'nobody', quantity: 1 }],
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.deepEqual(
      [bad.body.error.code, bad.body.error.field],
      ['unknown_account', 'records[2].accountId'],
    );
    assert.deepEqual(await fired(), [], 'nothing of a refused batch is recorded');

    let r = await c.ok('POST', '/v1/usage', { records });
    assert.deepEqual([r.recorded, r.duplicates], [2, 0]);
    assert.deepEqual(
      r.results.map((x: any) => x.tiersReached),
      [[], [90]],
    );
    r = await c.ok('POST', '/v1/usage', { records });
    assert.deepEqual([r.recorded, r.duplicates], [0, 2]);
    assert.deepEqual(await fired(), [[90, 90, '2026-10-04']]);

    const unknown = await c.call('POST', '/v1/usage', {
      accountId: 'acc',
      bucket: 'SMS',
      quantity: 1,
    });
    assert.deepEqual([unknown.status, unknown.body.error.code], [422, 'unknown_bucket']);
  },
);

test('a SIM fires dormant once per dormancy period, and again only after new usage', async () => {
  const c = await ownerWithAccount('dormancy', 'America/New_York');
  await c.ok('PATCH', '/v1/trigger-settings', { dormantDays: 10 });
  const t0 = Date.parse('2026-03-01T10:00:00Z');
  const use = (at: number) =>
    c.ok('POST', '/v1/usage', {
      accountId: 'acc',
      identifier: '8935301000000000001',
      msisdn: '+15550100',
      quantity: 0.5,
      at: iso(at),
    });
  const dormant = async () => {
    await h.runDue();
    return (await eventsOf(c, 'sim.dormant')).map((e) => [
      e.data.sim.lastUsageAt,
      e.data.sim.daysDormant,
    ]);
  };

  clock.set(iso(t0));
  await use(t0);
  clock.set(iso(t0 + 3 * DAY));
  await use(t0 + 3 * DAY); // a new dormancy period starts: due t0 + 13 days
  await use(t0 + 1 * DAY); // late, older than the last usage: changes nothing
  const [row] = await scheduledOf(c, 'sim.dormant');
  assert.deepEqual(
    [row.dueAt, row.dueLocal, row.status],
    ['2026-03-14T10:00:00.000Z', '2026-03-14T06:00:00-04:00', 'pending'],
  );
  assert.equal((await c.ok('GET', '/v1/sims/8935301000000000001')).lastUsageAt, iso(t0 + 3 * DAY));

  clock.set(iso(t0 + 13 * DAY - 1));
  assert.deepEqual(await dormant(), [], 'not dormant a millisecond early');
  clock.set(iso(t0 + 13 * DAY));
  assert.deepEqual(await dormant(), [[iso(t0 + 3 * DAY), 10]]);
  clock.set(iso(t0 + 60 * DAY));
  assert.equal((await dormant()).length, 1, 'one event per dormancy period');

  await use(t0 + 61 * DAY);
  clock.set(iso(t0 + 75 * DAY));
  const events = await dormant();
  assert.deepEqual(events, [
    [iso(t0 + 3 * DAY), 10],
    // Herald looked only 14 days after the last usage: the count says so.
    [iso(t0 + 61 * DAY), 14],
  ]);
  const [second] = await eventsOf(c, 'sim.dormant').then((e) => e.slice(1));
  assert.equal(second.data.sim.msisdn, '+15550100');
});

test('a subscription with its own dormancy hears only of its own dormant SIMs', async () => {
  const c = await ownerWithAccount('own dormancy', 'UTC');
  await c.ok('PATCH', '/v1/trigger-settings', { dormantDays: 30 });
  const endpoint = (name: string) =>
    c.ok('POST', '/v1/endpoints', {
      name,
      url: 'https://127.0.0.1:1/x',
      eventTypes: ['sim.dormant'],
    });
  const quick = await endpoint('quick');
  const owner = await endpoint('owner rule');
  const quickSub = await c.ok('POST', '/v1/subscriptions', {
    endpointId: quick.id,
    eventTypes: ['sim.dormant'],
    dormantDays: 3,
  });
  await c.ok('POST', '/v1/subscriptions', { endpointId: owner.id });

  const t0 = Date.parse('2026-03-01T00:00:00Z');
  clock.set(iso(t0));
  await c.ok('POST', '/v1/usage', { accountId: 'acc', identifier: 'sim-1', quantity: 1 });
  const rows = await scheduledOf(c, 'sim.dormant');
  assert.deepEqual(
    rows.map((r) => [r.subscriptionId, r.dueAt]),
    [
      [null, iso(t0 + 30 * DAY)],
      [quickSub.id, iso(t0 + 3 * DAY)],
    ],
  );

  const targets = async () => {
    await h.runDue();
    const events = await eventsOf(c, 'sim.dormant');
    const detail = await Promise.all(events.map((e) => c.ok('GET', `/v1/events/${e.id}`)));
    return detail.map((d) => [d.data.sim.daysDormant, d.deliveries.map((x: any) => x.targetId)]);
  };
  clock.set(iso(t0 + 3 * DAY));
  assert.deepEqual(await targets(), [[3, [quick.id]]]);
  clock.set(iso(t0 + 30 * DAY));
  assert.deepEqual(await targets(), [
    [3, [quick.id]],
    [30, [owner.id]],
  ]);
});

test('dormantDays is refused on a subscription to other event types', async () => {
  const c = await ownerWithAccount('dormant refusal', 'UTC');
  const endpoint = await c.ok('POST', '/v1/endpoints', {
    name: 'e',
    url: 'https://127.0.0.1:1/x',
    eventTypes: ['sim.dormant', 'usage.threshold_exceeded'],
  });
  const r = await c.call('POST', '/v1/subscriptions', { endpointId: endpoint.id, dormantDays: 5 });
  assert.deepEqual([r.status, r.body.error.field], [422, 'dormantDays']);
});
