/**
 * Reads a stopped or running Herald's SQLite file read-only, the way an operator
 * would look at it after an incident, without going through Herald.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export interface DeliveryRow {
  id: string;
  status: string;
  channel: string;
  /** Claims counted on the row: one per attempt started, killed ones included. */
  attempts: number;
  /** Attempts in the attempt log: a claim that died with its process logs none. */
  logged: number;
}

export function withDatabase<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'herald.db'), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Deliveries by status, e.g. { succeeded: 998, in_flight: 2 }. */
export function countByStatus(dataDir: string): Record<string, number> {
  return withDatabase(dataDir, (db) => {
    const rows = db
      .prepare('SELECT status, count(*) AS n FROM deliveries GROUP BY status')
      .all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

export function deliveryRows(dataDir: string): DeliveryRow[] {
  return withDatabase(
    dataDir,
    (db) =>
      db
        .prepare(
          `SELECT d.id, d.status, d.channel, d.attempts,
             (SELECT count(*) FROM attempts a WHERE a.delivery_id = d.id) AS logged
           FROM deliveries d`,
        )
        .all() as DeliveryRow[],
  );
}

export function countRows(dataDir: string, table: 'events' | 'deliveries'): number {
  return withDatabase(dataDir, (db) => {
    const row = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
    return row.n;
  });
}
