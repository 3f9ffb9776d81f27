/**
 * The storage backends the shared suite runs over: SQLite always, PostgreSQL when
 * HERALD_TEST_DATABASE_URL names a server. Each open() gives a migrated, empty
 * store (a temporary SQLite file, or the file's database with its tables emptied)
 * and a cleanup that closes it. Tests in a file run one after another, as
 * node:test runs them by default, since they share that database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import {
  createTestDatabase,
  testDatabaseServer,
  type TestDatabase,
} from '../helpers/postgres-database.ts';

export interface OpenedStore {
  store: Store;
  /** Opens another store on the same data, as a second process would. */
  another(): Promise<Store>;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<OpenedStore>;
}

const sqlite: Backend = {
  name: 'sqlite',
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'herald-store-'));
    const file = join(dir, 'herald.db');
    const opened: Store[] = [];
    const openOne = async () => {
      const store = new SqliteStore(file);
      await store.migrate();
      opened.push(store);
      return store;
    };
    return {
      store: await openOne(),
      another: openOne,
      async cleanup() {
        for (const store of opened) await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * Creating a PostgreSQL database takes a few hundred milliseconds, too slow for
 * every test: each test file gets one database, made on first use and migrated
 * once, and every open() empties its tables again.
 */
let shared: Promise<TestDatabase> | undefined;

async function sharedDatabase(): Promise<TestDatabase> {
  shared ??= (async () => {
    const db = (await createTestDatabase())!;
    const store = new PostgresStore(db.url);
    await store.migrate();
    await store.close();
    return db;
  })();
  return shared;
}

async function emptyTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
       WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'
       ORDER BY tablename = 'owners'`,
    );
    // DELETE rather than TRUNCATE: on tables this small it is many times faster.
    // Owners go last, as API keys refer to them.
    await client.query(rows.map((row) => `DELETE FROM ${row.name};`).join('\n'));
  } finally {
    await client.end();
  }
}

const postgres: Backend = {
  name: 'postgres',
  async open() {
    const db = await sharedDatabase();
    await emptyTables(db.url);
    const opened: Store[] = [];
    const openOne = async () => {
      const store = new PostgresStore(db.url);
      await store.migrate();
      opened.push(store);
      return store;
    };
    return {
      store: await openOne(),
      another: openOne,
      async cleanup() {
        for (const store of opened) await store.close();
      },
    };
  },
};

/** Drops the test file's PostgreSQL database, if it made one; call it in after(). */
export async function closeBackends(): Promise<void> {
  const db = await shared;
  shared = undefined;
  await db?.drop();
}

export function backends(): Backend[] {
  return testDatabaseServer() ? [sqlite, postgres] : [sqlite];
}

export { postgres as postgresBackend };
