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

const clock = new TestClock('2026-03-10T12:00:00Z');
let h: ClockedHerald;
before(async () => {
  h = await startClockedHerald({ clock });
});
after(() => h.destroy());

const TIERS = [
  { name: 'Bronze', commitAmount: 1000 },
  { name: 'Silver', commitAmount: 5000 },
  { name: 'Gold', commitAmount: 10000 },
];

async function ownerWithAccount(name: string, timezone: string): Promise<Client> {
  clock.set('2026-03-10T12:00:00Z');
  const c = await h.owner(name);
  await c.ok('POST', '/v1/accounts', { id: 'acc', timezone });
  return c;
}

const shortfalls = async (c: Client) =>
  (await eventsOf(c, 'contract.under_commit')).map((e) => {
    const { tier, committed, actual, shortfall } = e.data.commitment;
    return [e.data.contract.periodStart, tier, committed, actual, shortfall];
  });

test('at the end of its period a contract fires once for each tier it fell short of', async () => {
  const c = await ownerWithAccount('under commit', 'America/New_York');
  const contract = await c.ok('POST', '/v1/contracts', {
    id: 'ct-901',
    accountId: 'acc',
    period: 'monthly',
    tiers: TIERS,
    currency: 'USD',
  });
  assert.deepEqual(contract.currentPeriod, {
    start: '2026-03-01',
    end: '2026-03-31',
    checkAt: '2026-04-01T04:00:00.000Z',
    checkAtLocal: '2026-04-01T00:00:00-04:00',
    timezone: 'America/New_York',
  });

  // amount, at (UTC): 23:30 EDT on Mar 31 is March's, 00:00 EDT on Apr 1 is April's.
  const USAGE: [number, string][] = [
    [2000, '2026-03-05T12:00:00Z'],
    [1000, '2026-03-20T12:00:00Z'],
    [500, '2026-04-01T03:30:00Z'],
    [9000, '2026-04-01T04:00:00Z'],
  ];
  for (const [amount, at] of USAGE) {
    await c.ok('POST', '/v1/usage', { accountId: 'acc', quantity: 1, amount, at });
  }

  clock.set('2026-04-01T03:59:59.999Z');
  await h.runDue();
  assert.deepEqual(await shortfalls(c), [], 'nothing before the period ends');
  clock.set('2026-04-01T04:00:00Z');
  await h.runDue();
  assert.deepEqual(await shortfalls(c), [
    ['2026-03-01', 'Silver', 5000, 3500, 1500],
    ['2026-03-01', 'Gold', 10000, 3500, 6500],
  ]);
  await h.runDue();
  assert.equal((await shortfalls(c)).length, 2, 'a period is checked once');

  const rows = await scheduledOf(c, 'contract.under_commit');
  const march = rows.filter((r) => r.data.contract.periodStart === '2026-03-01');
  assert.deepEqual(
    march.map((r) => [r.data.commitment.tier, r.status]),
    [
      ['Bronze', 'cancelled'],
      ['Silver', 'fired'],
      ['Gold', 'fired'],
    ],
  );
  assert.match(march[0].note, /commitment met: 3500 of 1000/);
  const april = rows.filter((r) => r.status === 'pending');
  assert.deepEqual(
    april.map((r) => [r.data.commitment.tier, r.dueLocal]),
    [
      ['Bronze', '2026-05-01T00:00:00-04:00'],
      ['Silver', '2026-05-01T00:00:00-04:00'],
      ['Gold', '2026-05-01T00:00:00-04:00'],
    ],
  );

  clock.set('2026-05-01T04:00:00Z');
  await h.runDue();
  assert.deepEqual((await shortfalls(c)).slice(2), [['2026-04-01', 'Gold', 10000, 9000, 1000]]);
});

test(
  'a contract may count the quantities of one bucket, and changes replan its period ' + '',
  async () => {
    const c = await ownerWithAccount('commit by bucket', 'Europe/London');
    await c.ok('POST', '/v1/buckets', {
      name: 'Voice',
      unit: 'minutes',
      allowance: 1000,
      tiers: [100],
      period: 'monthly',
    });
    await c.ok('POST', '/v1/contracts', {
      id: 'ct-1',
      accountId: 'acc',
      period: 'quarterly',
      tiers: [{ name: 'Base', commitAmount: 100 }],
      measure: 'quantity',
      bucket: 'Voice',
    });
    const patched = await c.ok('PATCH', '/v1/contracts/ct-1', {
      tiers: [
        { name: 'Base', commitAmount: 100 },
        { name: 'Plus', commitAmount: 300 },
      ],
    });
    assert.equal(patched.currentPeriod.checkAtLocal, '2026-04-01T00:00:00+01:00');
    const pending = await scheduledOf(c, 'contract.under_commit');
    assert.deepEqual(
      pending.map((r) => [r.data.commitment.tier, r.dueAt]),
      [
        ['Base', '2026-03-31T23:00:00.000Z'],
        ['Plus', '2026-03-31T23:00:00.000Z'],
      ],
    );

    await c.ok('POST', '/v1/usage', { accountId: 'acc', bucket: 'Voice', quantity: 150 });
    await c.ok('POST', '/v1/usage', { accountId: 'acc', quantity: 500, amount: 1 });
    clock.set('2026-03-31T23:00:00Z');
    await h.runDue();
    assert.deepEqual(await shortfalls(c), [['2026-01-01', 'Plus', 300, 150, 150]]);

    await c.ok('DELETE', '/v1/contracts/ct-1');
    const left = await c.ok('GET', '/v1/scheduled?type=contract.under_commit');
    assert.deepEqual(left.data, [], 'a deleted contract leaves nothing pending');
  },
);

test('duplicate tier names and unknown accounts are refused', async () => {
  const c = await ownerWithAccount('contract checks', 'UTC');
  const twice = await c.call('POST', '/v1/contracts', {
    accountId: 'acc',
    period: 'monthly',
    tiers: [TIERS[0], TIERS[0]],
  });
  assert.deepEqual([twice.status, twice.body.error.field], [422, 'tiers']);
  const nobody = await c.call('POST', '/v1/contracts', {
    accountId: 'nobody',
    period: 'monthly',
    tiers: TIERS,
  });
  assert.deepEqual([nobody.status, nobody.body.error.code], [422, 'unknown_account']);
});
