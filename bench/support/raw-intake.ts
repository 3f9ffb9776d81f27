import type { BenchDatabase } from './figure.ts';
import { rawPostgresIntake } from './raw-postgres.ts';
import { rawSqliteIntake } from './raw-sqlite.ts';

/**
 * The raw limit of intake on the figure's database, in events per second.
 * SQLite is written from one connection, as Herald's store does, so `clients`
 * only matters on PostgreSQL, where each client has its own connection.
 */
export function rawIntake(
  database: BenchDatabase,
  batchSize: number,
  clients: number,
  durationMs: number,
): Promise<number> {
  if (database.kind === 'sqlite') return rawSqliteIntake(batchSize, durationMs);
  return rawPostgresIntake(database.url, batchSize, clients, durationMs);
}
