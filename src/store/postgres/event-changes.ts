import type pg from 'pg';
import type { DeliveryOutcomeRecord, EventChange } from '../trigger-store.ts';
import { inTransaction } from './connection.ts';
import { toDelivery } from './rows.ts';

/**
 * Changes to an accepted event (new data, withdrawal) and the per-owner feed of
 * delivery outcomes, for PostgresStore.
 *
 * A change locks the event row, then its delivery rows, FOR UPDATE before it
 * looks at them. A worker claiming one of those deliveries meanwhile either holds
 * its row already (the change waits, then sees it in flight and refuses) or finds
 * it locked and skips it (SKIP LOCKED) until the change commits. Either way no
 * delivery is attempted with the data the change replaces.
 */

/** Takes the owner's next outcome number ($1: owner id); the row stays locked. */
export const BUMP_OUTCOME_SEQ = `INSERT INTO owner_sequences (owner_id, name, value)
  VALUES ($1, 'outcome', 1)
  ON CONFLICT (owner_id, name) DO UPDATE SET value = owner_sequences.value + 1
  RETURNING value`;

export async function updateEventData(
  pool: pg.Pool,
  ownerId: string,
  id: string,
  data: Record<string, unknown>,
): Promise<EventChange> {
  return inTransaction(pool, async (client) => {
    const refused = await changeRefused(client, ownerId, id, 'attempted');
    if (refused) return refused;
    await client.query('UPDATE events SET data = $3::jsonb WHERE owner_id = $1 AND id = $2', [
      ownerId,
      id,
      JSON.stringify(data),
    ]);
    return { kind: 'changed' };
  });
}

export async function withdrawEvent(
  pool: pg.Pool,
  ownerId: string,
  id: string,
  now: number,
): Promise<EventChange> {
  return inTransaction(pool, async (client) => {
    // The owner's outcome counter first, as completeDelivery locks it before the
    // delivery row: taking the two in one order everywhere rules out a deadlock.
    await client.query(
      `INSERT INTO owner_sequences (owner_id, name, value) VALUES ($1, 'outcome', 0)
       ON CONFLICT (owner_id, name) DO UPDATE SET value = owner_sequences.value`,
      [ownerId],
    );
    const refused = await changeRefused(client, ownerId, id, 'delivered');
    if (refused) return refused;
    await client.query("UPDATE events SET status = 'withdrawn' WHERE owner_id = $1 AND id = $2", [
      ownerId,
      id,
    ]);
    const pending = await client.query<{ id: string }>(
      "SELECT id FROM deliveries WHERE event_id = $1 AND status = 'pending' ORDER BY seq",
      [id],
    );
    for (const d of pending.rows) {
      const { rows } = await client.query(BUMP_OUTCOME_SEQ, [ownerId]);
      await client.query(
        `UPDATE deliveries SET status = 'cancelled', last_error = 'the event was withdrawn',
           completed_at = $2, updated_at = $2, outcome_seq = $3
         WHERE id = $1 AND status = 'pending'`,
        [d.id, now, rows[0].value],
      );
    }
    return { kind: 'changed' };
  });
}

/**
 * Why an event may not be changed: unknown, withdrawn, or a delivery past the
 * point of no return. `attempted` (a change of data) refuses any delivery tried
 * once; `delivered` (a withdrawal) refuses only one that succeeded or is in flight.
 */
async function changeRefused(
  client: pg.PoolClient,
  ownerId: string,
  id: string,
  strictness: 'attempted' | 'delivered',
): Promise<EventChange | undefined> {
  const event = await client.query<{ status: string }>(
    'SELECT status FROM events WHERE owner_id = $1 AND id = $2 FOR UPDATE',
    [ownerId, id],
  );
  if (event.rowCount === 0) return { kind: 'not_found' };
  if (event.rows[0].status === 'withdrawn') return { kind: 'withdrawn' };

  const { rows } = await client.query<{ id: string; status: string; attempts: number }>(
    'SELECT id, status, attempts FROM deliveries WHERE event_id = $1 ORDER BY seq FOR UPDATE',
    [id],
  );
  const blocking = rows.find((d) =>
    strictness === 'attempted'
      ? d.attempts > 0 || ['in_flight', 'succeeded', 'failed'].includes(d.status)
      : ['in_flight', 'succeeded'].includes(d.status),
  );
  if (!blocking) return undefined;
  return {
    kind: 'delivered',
    deliveryId: blocking.id,
    deliveryStatus: blocking.status,
    attempts: blocking.attempts,
  };
}

export async function listDeliveryOutcomes(
  pool: pg.Pool,
  ownerId: string,
  afterOutcomeSeq: number,
  limit: number,
): Promise<DeliveryOutcomeRecord[]> {
  const { rows } = await pool.query(
    `SELECT * FROM deliveries WHERE owner_id = $1 AND outcome_seq > $2
     ORDER BY outcome_seq LIMIT $3`,
    [ownerId, afterOutcomeSeq, limit],
  );
  return rows.map((row) => ({ ...toDelivery(row), outcomeSeq: row.outcome_seq }));
}
