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

const clock = new TestClock('2026-02-01T00:00:00Z');
let h: ClockedHerald;
before(async () => {
  h = await startClockedHerald({ clock });
});
after(() => h.destroy());

const posted = (
  accountId: string,
  id: string,
  dueDate: string,
  balance = 100,
  currency = 'EUR',
) => ({
  type: 'invoice.posted',
  accountId,
  data: {
    invoice: {
      id,
      number: `INV-${id}`,
      date: '2026-02-01',
      dueDate,
      total: balance,
      balance,
      currency,
    },
  },
});

const credit = (accountId: string, amount: number, invoiceId?: string, currency = 'EUR') => ({
  type: 'credit.processed',
  accountId,
  data: { credit: { amount, currency, ...(invoiceId ? { invoiceId } : {}) } },
});

const refund = (accountId: string, amount: number) => ({
  type: 'refund.processed',
  accountId,
  data: { refund: { amount, currency: 'EUR' } },
});

/** A new owner with account `acc` in the zone, at the start of February. */
async function withAccount(name: string, timezone: string): Promise<Client> {
  clock.set('2026-02-01T00:00:00Z');
  const c = await h.owner(name);
  await c.ok('POST', '/v1/accounts', { id: 'acc', timezone });
  return c;
}

async function overdueRow(c: Client, invoiceId: string) {
  const rows = await scheduledOf(c, 'invoice.overdue');
  return rows.find((r) => r.data.invoice.id === invoiceId);
}

// dueDate, zone -> due (UTC), due (local)
const ZONES: [string, string, string, string][] = [
  ['2026-03-07', 'America/New_York', '2026-03-08T05:00:00.000Z', '2026-03-08T00:00:00-05:00'],
  ['2026-03-08', 'America/New_York', '2026-03-09T04:00:00.000Z', '2026-03-09T00:00:00-04:00'],
  ['2026-03-28', 'Europe/London', '2026-03-29T00:00:00.000Z', '2026-03-29T00:00:00+00:00'],
  ['2026-03-29', 'Europe/London', '2026-03-29T23:00:00.000Z', '2026-03-30T00:00:00+01:00'],
  ['2026-04-04', 'Australia/Lord_Howe', '2026-04-04T13:00:00.000Z', '2026-04-05T00:00:00+11:00'],
  ['2026-04-05', 'Australia/Lord_Howe', '2026-04-05T13:30:00.000Z', '2026-04-06T00:00:00+10:30'],
  ['2026-03-08', 'Asia/Kolkata', '2026-03-08T18:30:00.000Z', '2026-03-09T00:00:00+05:30'],
];

test(
  'an invoice is overdue from the start of the local day after its due date, not before ' + '',
  async () => {
    clock.set('2026-02-01T00:00:00Z');
    const c = await h.owner('overdue zones');
    for (const [i, [dueDate, zone]] of ZONES.entries()) {
      await c.ok('POST', '/v1/accounts', { id: `acc-${i}`, timezone: zone });
      await c.ok('POST', '/v1/events', posted(`acc-${i}`, `inv-${i}`, dueDate));
    }
    await h.runDue();
    for (const [i, [, , dueAt, dueLocal]] of ZONES.entries()) {
      const row = await overdueRow(c, `inv-${i}`);
      assert.deepEqual([row.dueAt, row.dueLocal], [dueAt, dueLocal], `row ${i}`);
    }

    const byDue = [...ZONES.entries()].sort((a, b) => a[1][2].localeCompare(b[1][2]));
    for (const [i, [dueDate, zone, dueAt]] of byDue) {
      const fired = async () =>
        (await eventsOf(c, 'invoice.overdue')).filter((e) => e.data.invoice.id === `inv-${i}`);
      clock.set(dueAt);
      clock.advance(-1);
      await h.runDue();
      assert.deepEqual(await fired(), [], `${dueDate} in ${zone} fired early`);
      clock.advance(1);
      await h.runDue();
      const events = await fired();
      assert.equal(events.length, 1, `${dueDate} in ${zone} fires once at ${dueAt}`);
      assert.deepEqual(events[0].data.overdue, { daysOverdue: 1 });
      assert.equal(events[0].occurredAt, dueAt);
    }
  },
);

test("an account's time zone keeps the name it was given", async () => {
  const c = await withAccount('kolkata name', 'Asia/Kolkata');
  await c.ok('POST', '/v1/events', posted('acc', 'inv-1', '2026-03-08'));
  await h.runDue();
  assert.equal((await overdueRow(c, 'inv-1')).timezone, 'Asia/Kolkata');
});

test('days overdue count local days to the moment it fires, when Herald was away', async () => {
  const c = await withAccount('days overdue count local days to the mom', 'America/New_York');
  await c.ok('POST', '/v1/events', posted('acc', 'inv-1', '2026-03-07'));
  await h.runDue();
  clock.set('2026-03-11T12:00:00Z'); // Mar 11, 08:00 EDT
  await h.runDue();
  const [event] = await eventsOf(c, 'invoice.overdue');
  assert.deepEqual(event.data.overdue, { daysOverdue: 4 });
  assert.equal(event.occurredAt, '2026-03-08T05:00:00.000Z');
});

test('a credit that covers the balance first cancels the overdue notification', async () => {
  const c = await withAccount('a credit that covers the balance first c', 'Europe/London');
  await c.ok('POST', '/v1/events', posted('acc', 'inv-1', '2026-03-07'));
  await c.ok('POST', '/v1/events', credit('acc', 60, 'inv-1'));
  await h.runDue();
  let invoice = await c.ok('GET', '/v1/invoices/inv-1');
  assert.deepEqual([invoice.balance, invoice.paid, invoice.status], [40, 60, 'open']);
  assert.equal((await overdueRow(c, 'inv-1')).status, 'pending');

  await c.ok('POST', '/v1/events', credit('acc', 40, 'inv-1'));
  await h.runDue();
  invoice = await c.ok('GET', '/v1/invoices/inv-1');
  assert.deepEqual([invoice.balance, invoice.status], [0, 'settled']);
  const row = await overdueRow(c, 'inv-1');
  assert.equal(row.status, 'cancelled');
  assert.match(row.note, /settled by credit.processed/);

  clock.set('2026-04-01T00:00:00Z');
  await h.runDue();
  assert.deepEqual(await eventsOf(c, 'invoice.overdue'), []);
});

test('a refund pays the oldest open invoices first, in their currency only', async () => {
  const c = await withAccount('a refund pays the oldest open invoices f', 'UTC');
  await c.ok('POST', '/v1/events', posted('acc', 'old', '2026-03-01', 50));
  await c.ok('POST', '/v1/events', posted('acc', 'new', '2026-03-10', 50));
  await c.ok('POST', '/v1/events', posted('acc', 'usd', '2026-02-20', 50, 'USD'));
  await c.ok('POST', '/v1/events', refund('acc', 70));
  await h.runDue();
  const balances = await c.ok('GET', '/v1/invoices?accountId=acc');
  assert.deepEqual(
    balances.data.map((i: any) => [i.id, i.balance, i.status]),
    [
      ['usd', 50, 'open'],
      ['old', 0, 'settled'],
      ['new', 30, 'open'],
    ],
  );

  clock.set('2026-03-12T00:00:00Z');
  await h.runDue();
  const fired = await eventsOf(c, 'invoice.overdue');
  assert.deepEqual(
    fired.map((e) => [e.data.invoice.id, e.data.invoice.balance]),
    [
      ['usd', 50],
      ['new', 30],
    ],
  );
});

test('settling an invoice through the API cancels its overdue notification', async () => {
  const c = await withAccount('settling an invoice through the API canc', 'Asia/Kolkata');
  await c.ok('POST', '/v1/events', posted('acc', 'inv-1', '2026-03-07'));
  await h.runDue();
  const settled = await c.ok('POST', '/v1/invoices/inv-1/settle', undefined, 200);
  assert.equal(settled.status, 'settled');
  assert.equal((await overdueRow(c, 'inv-1')).status, 'cancelled');
  clock.set('2026-04-01T00:00:00Z');
  await h.runDue();
  assert.deepEqual(await eventsOf(c, 'invoice.overdue'), []);
  assert.equal((await c.call('POST', '/v1/invoices/nope/settle')).status, 404);
});

test('a later report with a new due date moves the pending overdue notification', async () => {
  const c = await withAccount('a later report with a new due date moves', 'Europe/London');
  await c.ok('POST', '/v1/events', posted('acc', 'inv-1', '2026-03-07'));
  await h.runDue();
  await c.ok('POST', '/v1/events', posted('acc', 'inv-1', '2026-04-07'));
  await h.runDue();
  const rows = await scheduledOf(c, 'invoice.overdue');
  assert.deepEqual(
    rows.map((r) => [r.dueLocal, r.status]),
    [['2026-04-08T00:00:00+01:00', 'pending']],
  );
});

test('an invoice posted with nothing owed plans no overdue notification', async () => {
  const c = await withAccount('an invoice posted with nothing owed plan', 'UTC');
  await c.ok('POST', '/v1/events', posted('acc', 'inv-0', '2026-03-07', 0));
  await h.runDue();
  assert.deepEqual(await scheduledOf(c, 'invoice.overdue'), []);
});

test('an overdue the platform reports itself cancels the one Herald planned', async () => {
  const c = await withAccount('an overdue the platform reports itself ca', 'UTC');
  const invoice = posted('acc', 'inv-9', '2026-03-07');
  await c.ok('POST', '/v1/events', invoice);
  await h.runDue();
  await c.ok('POST', '/v1/events', {
    type: 'invoice.overdue',
    accountId: 'acc',
    data: { invoice: invoice.data.invoice, overdue: { daysOverdue: 3 } },
  });
  await h.runDue();
  assert.equal((await overdueRow(c, 'inv-9')).status, 'cancelled');
  clock.set('2026-04-01T00:00:00Z');
  await h.runDue();
  const overdue = await eventsOf(c, 'invoice.overdue');
  assert.equal(overdue.length, 1, 'only the reported overdue, none of Herald');
});
