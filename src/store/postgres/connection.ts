import pg from 'pg';

/**
 * Connections to PostgreSQL: a pool whose bigint columns (times in ms, seq numbers)
 * come back as JS numbers, and a transaction helper. The parser is set per pool,
 * not on pg's global registry, so other users of `pg` in the process are untouched.
 * Epoch milliseconds and sequence numbers stay far below 2^53.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function connectionConfig(url: string): pg.ClientConfig {
  return { connectionString: url, types, application_name: 'herald' };
}

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url), max });
  // An idle connection that breaks (server restart, network) is dropped from the
  // pool; without a listener pg would crash the process. The next query reconnects
  // or reports the problem to its caller.
  pool.on('error', () => {});
  return pool;
}

/** PostgreSQL error codes Herald reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';
const PG_DEADLOCK = '40P01';
const PG_SERIALIZATION_FAILURE = '40001';

export function pgCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/**
 * Runs `work` in one transaction on one pooled connection, committed when it
 * resolves and rolled back when it throws. A transaction PostgreSQL chose as a
 * deadlock victim is run again (twice at most): two writers touching the same
 * records in opposite order is rare but legal, and SQLite would simply have
 * serialized them.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      const code = pgCode(error);
      const retry = code === PG_DEADLOCK || code === PG_SERIALIZATION_FAILURE;
      if (!retry || attempt >= 3) throw error;
    } finally {
      client.release(broken);
    }
  }
}
