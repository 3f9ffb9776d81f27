import type pg from 'pg';
import type { SchemaState } from '../store.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { LOCKS } from './locks.ts';

/**
 * Brings the schema up to date. Applied migration numbers are kept in
 * schema_migrations, so running this again does nothing. Every process runs it on
 * start, so several may start at once: a session advisory lock lets one migrate
 * while the others wait, then find nothing left to do. Each migration commits
 * with its number, so one that fails leaves the schema at the one before it.
 */
export async function runMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCKS.migrations, 0]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         applied_at bigint NOT NULL
       )`,
    );
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    const applied = new Set(rows.map((row) => row.version));

    for (const [index, sql] of POSTGRES_MIGRATIONS.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          version,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${version} failed: ${String(error)}`, {
          cause: error,
        });
      }
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // Closing the connection also drops the session lock, so a broken one is
    // destroyed rather than returned to the pool still holding it.
    if (!broken) {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCKS.migrations, 0]).catch(() => {
        broken = true;
      });
    }
    client.release(broken);
  }
}

/** Migrations applied so far (none before the first migrate) and those this code has. */
export async function schemaState(pool: pg.Pool): Promise<SchemaState> {
  const latest = POSTGRES_MIGRATIONS.length;
  const { rows } = await pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok");
  if (!rows[0].ok) return { applied: 0, latest };
  const counted = await pool.query('SELECT count(*) AS n FROM schema_migrations');
  return { applied: counted.rows[0].n, latest };
}
