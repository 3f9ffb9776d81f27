/**
 * The raw limit of intake on PostgreSQL: the rows of an accepted event (the event
 * and its one delivery) inserted by `pg` into tables shaped like Herald's, in a
 * fresh database that is dropped afterwards. Commits are durable (the server's
 * synchronous_commit, on unless the operator changed it). Each client has its own
 * connection, so concurrent single-event commits share WAL flushes, as they would
 * for Herald's own connections.
 */
import pg from 'pg';

import { newId } from '../../src/ids.ts';
import { ACCOUNT, benchEvent, EVENT_TYPE } from './bench-event.ts';
import { freshPostgres } from './fresh-postgres.ts';

const SCHEMA_SQL = `
  CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, owner_id TEXT NOT NULL,
    type TEXT NOT NULL, account_id TEXT, ordering_key TEXT, occurred_at BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL, data JSONB NOT NULL, account JSONB,
    status TEXT NOT NULL DEFAULT 'accepted');
  CREATE INDEX events_owner_seq ON events(owner_id, seq);
  CREATE TABLE deliveries (
    seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, owner_id TEXT NOT NULL,
    event_id TEXT NOT NULL, event_type TEXT NOT NULL, account_id TEXT, subscription_id TEXT,
    channel TEXT NOT NULL, target_id TEXT NOT NULL, ordering_key TEXT, ordered BOOLEAN NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT, last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
    completed_at BIGINT);
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at, seq) WHERE status = 'pending';
  CREATE INDEX deliveries_order ON deliveries(target_id, ordering_key, seq)
    WHERE status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_owner ON deliveries(owner_id, seq);
  CREATE INDEX deliveries_event ON deliveries(event_id);
`;

function valuesList(rows: number, columns: number): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`);
    groups.push(`(${cells.join(', ')})`);
  }
  return groups.join(', ');
}

export async function rawPostgresIntake(
  server: string,
  batchSize: number,
  clients: number,
  durationMs: number,
): Promise<number> {
  const database = await freshPostgres(server);
  const pool = new pg.Pool({ connectionString: database.url, max: clients });
  // pool.end() resolves before every server process has gone, and the forced drop
  // below then ends the stragglers: an idle client's error, with no listener, would
  // end the figure's process. A failed query still rejects where it was made.
  pool.on('error', () => {});
  await pool.query(SCHEMA_SQL);

  const eventsSql =
    'INSERT INTO events (id, owner_id, type, account_id, ordering_key, occurred_at, ' +
    `accepted_at, data, account) VALUES ${valuesList(batchSize, 9)}`;
  const deliveriesSql =
    'INSERT INTO deliveries (id, owner_id, event_id, event_type, account_id, channel, ' +
    'target_id, ordering_key, ordered, status, next_attempt_at, created_at, updated_at) ' +
    `VALUES ${valuesList(batchSize, 13)}`;
  const account = JSON.stringify(ACCOUNT);

  let events = 0;
  const started = performance.now();
  const client = async () => {
    const connection = await pool.connect();
    try {
      while (performance.now() - started < durationMs) {
        const now = Date.now();
        const eventValues: unknown[] = [];
        const deliveryValues: unknown[] = [];
        for (let i = 0; i < batchSize; i++) {
          const eventId = newId('evt');
          const data = JSON.stringify(benchEvent(`m${events + i}`).data);
          eventValues.push(eventId, 'own_raw', EVENT_TYPE, ACCOUNT.id, ACCOUNT.id, now, now);
          eventValues.push(data, account);
          deliveryValues.push(newId('dlv'), 'own_raw', eventId, EVENT_TYPE, ACCOUNT.id);
          deliveryValues.push('webhook', 'ep_raw', ACCOUNT.id, false, 'pending', now, now, now);
        }
        await connection.query('BEGIN');
        await connection.query(eventsSql, eventValues);
        await connection.query(deliveriesSql, deliveryValues);
        await connection.query('COMMIT');
        events += batchSize;
      }
    } finally {
      connection.release();
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, client));
    return (events * 1000) / (performance.now() - started);
  } finally {
    await pool.end();
    await database.drop();
  }
}
