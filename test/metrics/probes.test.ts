/**
 * /healthz and /readyz, which load balancers and orchestrators call without a key.
 * (They live in src/api/health.ts; they sit with the metrics as operators' tools.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';

/** Sets the database back one migration, as if this Herald were newer than its schema. */
async function unapplyLastMigration(h: TestHerald): Promise<void> {
  const url = h.herald.config.databaseUrl;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      'DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)',
    );
    await client.end();
    return;
  }
  const db = new Database(join(h.dataDir, 'herald.db'));
  const version = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${version - 1}`);
  db.close();
}

test('healthz and readyz answer without a key while all is well', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());

  const alive = await fetch(`${h.url}/healthz`);
  assert.equal(alive.status, 200);
  assert.deepEqual(await alive.json(), { ok: true });

  const ready = await fetch(`${h.url}/readyz`);
  assert.equal(ready.status, 200);
  const body = await ready.json();
  assert.equal(body.ready, true);
  assert.ok(body.schema.latest > 0, JSON.stringify(body.schema));
  assert.equal(body.schema.applied, body.schema.latest);
});

test('readyz answers 503 when the database lacks a migration this Herald has', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  await unapplyLastMigration(h);

  const r = await fetch(`${h.url}/readyz`);
  assert.equal(r.status, 503);
  const body = await r.json();
  assert.equal(body.error.code, 'migrations_pending');
  assert.match(body.error.message, /herald migrate/);
  assert.equal((await fetch(`${h.url}/healthz`)).status, 200, 'still alive, only not ready');
});

test('readyz answers 503 when the database cannot be read, without saying more', async (t) => {
  if (process.env.HERALD_TEST_DATABASE_URL) {
    // Closing the PostgreSQL pool under a running Herald would break its stop().
    t.skip('the SQLite run covers this; the answer does not depend on the backend');
    return;
  }
  const h = await startTestHerald();
  t.after(() => h.stop());
  await h.herald.store.close();

  const r = await fetch(`${h.url}/readyz`);
  assert.equal(r.status, 503);
  const body = await r.json();
  assert.equal(body.error.code, 'storage_unreachable');
  assert.doesNotMatch(body.error.message, /herald\.db|\/tmp/, 'no paths for anonymous callers');
  assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
});
