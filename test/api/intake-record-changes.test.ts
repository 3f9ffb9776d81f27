/**
 * Intake keeps the records it reads (accounts, subscriptions, endpoints) between
 * requests while the owner's records version stands (src/ingest/versioned-records.ts).
 * A change must still reach the very next event, whichever way it was made: through
 * this Herald's API, or straight into the database, as another Herald process on
 * the same PostgreSQL (or an operator's SQL, or a restored backup) would make it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { freshOwner, serviceEvent, type OwnerApi } from './api-fixtures.ts';

type Run = (sql: string, params?: unknown[]) => Promise<any[]>;

/**
 * Runs statements in one transaction on Herald's database, through a connection of
 * its own. `?` placeholders work on both databases; a statement answers its rows.
 */
async function outside(h: TestHerald, work: (run: Run) => Promise<void>): Promise<void> {
  const url = h.herald.config.databaseUrl;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await work(async (sql, params = []) => {
        const numbered = params.reduce<string>((text, _, i) => text.replace('?', `$${i + 1}`), sql);
        return (await client.query(numbered, params)).rows;
      });
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(h.dataDir, 'herald.db'));
  try {
    db.exec('BEGIN IMMEDIATE');
    await work(async (sql, params = []) => {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params);
      statement.run(...params);
      return [];
    });
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

const outsideSql = (h: TestHerald, sql: string, params: unknown[]) =>
  outside(h, async (run) => {
    await run(sql, params);
  });

async function deliveriesOfEvent(api: OwnerApi, body: unknown): Promise<number> {
  const posted = await api('POST', '/v1/events', body);
  assert.equal(posted.status, 202, JSON.stringify(posted.body));
  const found = await api('GET', `/v1/deliveries?eventId=${posted.body.id}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  return found.body.data.length;
}

/** A new owner with account acc-1 and one endpoint; returns the endpoint's id too. */
async function ownerWithEndpoint(h: TestHerald) {
  const owner = await freshOwner(h);
  let r = await owner.api('POST', '/v1/accounts', { id: 'acc-1' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await owner.api('POST', '/v1/endpoints', {
    name: 'ops',
    url: 'https://127.0.0.1:9/hooks',
    eventTypes: ['service.state_changed'],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { ...owner, endpointId: r.body.id as string };
}

async function subscribe(api: OwnerApi, endpointId: string): Promise<string> {
  const r = await api('POST', '/v1/subscriptions', { endpointId });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

const event = serviceEvent('acc-1');
const DELETE_RECORD = 'DELETE FROM records WHERE owner_id = ? AND kind = ? AND id = ?';

test('a records change made anywhere reaches the next event', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const { api, id: ownerId, endpointId } = await ownerWithEndpoint(h);

  assert.equal(await deliveriesOfEvent(api, event), 0, 'no subscription yet');
  const subscriptionId = await subscribe(api, endpointId);
  assert.equal(await deliveriesOfEvent(api, event), 1, 'a subscription made through the API');
  assert.equal(await deliveriesOfEvent(api, event), 1, 'the same again, from what was kept');

  await outsideSql(h, DELETE_RECORD, [ownerId, 'subscription', subscriptionId]);
  assert.equal(await deliveriesOfEvent(api, event), 0, 'a subscription deleted outside');

  // An account deleted outside is unknown to the next event at once.
  await outsideSql(h, DELETE_RECORD, [ownerId, 'account', 'acc-1']);
  const refused = await api('POST', '/v1/events', event);
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error.field, 'accountId');
});

test('records set back with their version, as by a restored backup, are read again', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const { api, id: ownerId, endpointId } = await ownerWithEndpoint(h);
  const subscriptionId = await subscribe(api, endpointId);
  let r = await api('PATCH', `/v1/subscriptions/${subscriptionId}`, { enabled: false });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(await deliveriesOfEvent(api, event), 0, 'the subscription is disabled');

  // The backup: the disabled subscription and the owner's version with it.
  let backup: { doc: unknown; version: string } | undefined;
  await outside(h, async (run) => {
    const [row] = await run('SELECT doc FROM records WHERE owner_id = ? AND id = ?', [
      ownerId,
      subscriptionId,
    ]);
    const [owner] = await run('SELECT records_version FROM owners WHERE id = ?', [ownerId]);
    backup = { doc: row.doc, version: owner.records_version };
  });

  r = await api('PATCH', `/v1/subscriptions/${subscriptionId}`, { enabled: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(await deliveriesOfEvent(api, event), 1, 'enabled, and kept so');

  // The restore puts both back; then a change is made after it.
  await outside(h, async (run) => {
    const doc = typeof backup!.doc === 'string' ? backup!.doc : JSON.stringify(backup!.doc);
    await run('UPDATE records SET doc = ? WHERE owner_id = ? AND id = ?', [
      doc,
      ownerId,
      subscriptionId,
    ]);
    await run('UPDATE owners SET records_version = ? WHERE id = ?', [backup!.version, ownerId]);
  });
  assert.equal(await deliveriesOfEvent(api, event), 0, 'the restored subscription is disabled');
  r = await api('PATCH', '/v1/accounts/acc-1', { name: 'Renamed' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(await deliveriesOfEvent(api, event), 0, 'still disabled after the next change');
});

test("a record moved to another owner changes both owners' records", async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const first = await ownerWithEndpoint(h);
  const second = await freshOwner(h, 'Second owner');
  await subscribe(first.api, first.endpointId);
  assert.equal(await deliveriesOfEvent(first.api, event), 1, 'subscribed, and kept so');

  await outsideSql(h, 'UPDATE records SET owner_id = ? WHERE owner_id = ? AND kind = ?', [
    second.id,
    first.id,
    'subscription',
  ]);
  assert.equal(await deliveriesOfEvent(first.api, event), 0, 'the subscription moved away');
});

test('records emptied with TRUNCATE are read again', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  // SQLite has no TRUNCATE; its DELETE fires the row triggers the first test covers.
  if (!h.herald.config.databaseUrl) return t.skip('PostgreSQL only');
  const { api, endpointId } = await ownerWithEndpoint(h);
  await subscribe(api, endpointId);
  assert.equal(await deliveriesOfEvent(api, event), 1, 'subscribed, and kept so');

  await outsideSql(h, 'TRUNCATE records', []);
  const refused = await api('POST', '/v1/events', event);
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error.field, 'accountId');
});
