/**
 * A fresh PostgreSQL database for one measurement, on the server that
 * HERALD_BENCH_DATABASE_URL points at, dropped (with any connection left on it)
 * once the measurement is over. A new database rather than a schema, so Herald's
 * migrations start from nothing, exactly as on a new install.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function freshPostgres(server: string): Promise<FreshDatabase> {
  const name = `herald_bench_${randomBytes(6).toString('hex')}`;
  await onServer(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
