/**
 * Intake keeps the records it reads (accounts, subscriptions, endpoints) between
 * requests while the owner's records version stands (src/ingest/versioned-records.ts).
 * A change must still reach the very next event, whichever way it was made: through
 * this Herald's API, or straight into the database, as another Herald process on
 * the same PostgreSQL (or an operator's SQL) would make it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { freshOwner, serviceEvent, type OwnerApi } from './api-fixtures.ts';

/** Runs one SQL statement on Herald's database through a connection of its own. */
async function outsideSql(h: TestHerald, sql: string, params: unknown[]): Promise<number> {
  const url = h.herald.config.databaseUrl;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const numbered = params.reduce<string>((text, _, i) => text.replace('?', `$${i + 1}`), sql);
      return (await client.query(numbered, params)).rowCount ?? 0;
    } finally {
      await client.end();
    }
  }
  const db = new Database(join(h.dataDir, 'herald.db'));
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}

async function deliveriesOfEvent(api: OwnerApi, body: unknown): Promise<number> {
  const posted = await api('POST', '/v1/events', body);
  assert.equal(posted.status, 202, JSON.stringify(posted.body));
  const found = await api('GET', `/v1/deliveries?eventId=${posted.body.id}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  return found.body.data.length;
}

test('a records change made anywhere reaches the next event', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const { api, id: ownerId } = await freshOwner(h);
  let r = await api('POST', '/v1/accounts', { id: 'acc-1' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', '/v1/endpoints', {
    name: 'ops',
    url: 'https://127.0.0.1:9/hooks',
    eventTypes: ['service.state_changed'],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const endpointId = r.body.id;

  const event = serviceEvent('acc-1');
  assert.equal(await deliveriesOfEvent(api, event), 0, 'no subscription yet');
  r = await api('POST', '/v1/subscriptions', { endpointId });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const subscriptionId = r.body.id;
  assert.equal(await deliveriesOfEvent(api, event), 1, 'a subscription made through the API');
  assert.equal(await deliveriesOfEvent(api, event), 1, 'the same again, from what was kept');

  const removed = await outsideSql(
    h,
    'DELETE FROM records WHERE owner_id = ? AND kind = ? AND id = ?',
    [ownerId, 'subscription', subscriptionId],
  );
  assert.equal(removed, 1, 'the subscription row was deleted outside Herald');
  assert.equal(await deliveriesOfEvent(api, event), 0, 'a subscription deleted outside');

  // An account deleted outside is unknown to the next event at once.
  await outsideSql(h, 'DELETE FROM records WHERE owner_id = ? AND kind = ? AND id = ?', [
    ownerId,
    'account',
    'acc-1',
  ]);
  const refused = await api('POST', '/v1/events', event);
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error.field, 'accountId');
});
