/**
 * A fresh PostgreSQL database per test run, on the server HERALD_TEST_DATABASE_URL
 * points at (scripts/postgres-for-tests.sh starts one), dropped afterwards.
 *
 * ```ts
 * const db = await createTestDatabase();   // undefined when the variable is unset
 * const store = new PostgresStore(db.url);
 * // ...
 * await store.close();
 * await db.drop();
 * ```
 *
 * Pitfall: drop() forces out connections still open, so close pools first or the
 * owners of those connections see errors.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** A postgres:// URL for the new database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function testDatabaseServer(): string | undefined {
  return process.env.HERALD_TEST_DATABASE_URL || undefined;
}

async function onServer<T>(server: string, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase | undefined> {
  const server = testDatabaseServer();
  if (!server) return undefined;
  const name = `herald_test_${randomBytes(6).toString('hex')}`;
  await onServer(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await onServer(server, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}
