import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsOf, scheduledOf, startClockedHerald, TestClock } from './clocked-herald.ts';

const FOLLOWUP_DUE = '2026-03-08T07:00:00.000Z'; // 03:00 EDT, 02:30 being skipped
const OVERDUE_DUE = '2026-03-08T05:00:00.000Z'; // 00:00 EST on Mar 8

const invoice = {
  id: 'inv-1',
  number: 'INV-1',
  date: '2026-03-01',
  dueDate: '2026-03-07',
  total: 80,
  balance: 80,
  currency: 'USD',
};

test(
  'stopping Herald before, during and after due times fires each notification once, never ' +
    'early',
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-restart-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const clock = new TestClock('2026-03-06T15:00:00Z');
    const run = async (at: string, body: (h: any) => Promise<void>) => {
      clock.set(at);
      const h = await startClockedHerald({ clock, dataDir });
      try {
        await body(h);
      } finally {
        await h.stop();
      }
    };
    const counts = async (h: any) => [
      (await eventsOf(h, 'invoice.overdue')).length,
      (await eventsOf(h, 'invoice.delivery_followup')).length,
    ];

    // First run: the facts are accepted, and Herald stops before its triggers read them.
    await run('2026-03-06T15:00:00Z', async (h) => {
      await h.ok('POST', '/v1/accounts', { id: 'ny', timezone: 'America/New_York' });
      const endpoint = await h.ok('POST', '/v1/endpoints', {
        name: 'collections',
        url: 'https://127.0.0.1:1/unused',
        eventTypes: ['invoice.delivery_followup'],
      });
      await h.ok('POST', '/v1/subscriptions', {
        endpointId: endpoint.id,
        eventTypes: ['invoice.delivery_followup'],
        schedule: { offsetDays: 2, at: '02:30' },
      });
      await h.ok('POST', '/v1/events', {
        type: 'invoice.delivered',
        accountId: 'ny',
        data: { invoice, delivery: { method: 'email', deliveredAt: '2026-03-06T15:00:00Z' } },
      });
    });

    // Just before both are due: the inbox is read and both are planned; nothing fires.
    await run('2026-03-08T04:59:59.999Z', async (h) => {
      await h.runDue();
      const planned = [
        ...(await scheduledOf(h, 'invoice.overdue')),
        ...(await scheduledOf(h, 'invoice.delivery_followup')),
      ];
      assert.deepEqual(
        planned.map((s) => [s.dueAt, s.status]),
        [
          [OVERDUE_DUE, 'pending'],
          [FOLLOWUP_DUE, 'pending'],
        ],
      );
      assert.deepEqual(await counts(h), [0, 0]);
    });

    // Between the two: a run is in progress when Herald is asked to stop; stop waits.
    await run('2026-03-08T06:00:00Z', async (h) => {
      void h.runDue();
    });
    await run('2026-03-08T06:59:00Z', async (h) => {
      await h.runDue();
      assert.deepEqual(await counts(h), [1, 0], 'the overdue fired once, the follow-up not yet');
    });

    // Well after both: each has fired exactly once, however often Herald runs.
    await run('2026-03-09T12:00:00Z', async (h) => {
      await h.runDue();
      await h.runDue();
    });
    await run('2026-03-20T12:00:00Z', async (h) => {
      await h.runDue();
      assert.deepEqual(await counts(h), [1, 1]);
      const [followup] = await eventsOf(h, 'invoice.delivery_followup');
      assert.equal(followup.occurredAt, FOLLOWUP_DUE);
      assert.ok(followup.acceptedAt >= FOLLOWUP_DUE, 'never accepted before its due time');
    });
  },
);
