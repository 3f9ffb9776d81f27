import type pg from 'pg';
import type { EventRecord } from '../store.ts';
import type {
  NewScheduled,
  ScheduledFilter,
  ScheduledOutcome,
  ScheduledRecord,
} from '../trigger-store.ts';
import { inTransaction } from './connection.ts';
import { insertEvents } from './event-intake.ts';
import { toEvent } from './rows.ts';
import { NOTIFY_TRIGGERS } from './work-notifier.ts';

/**
 * Scheduled notifications and the trigger inbox, for PostgresStore: the same
 * statements as the SQLite backend's (sqlite-scheduled.ts). Functions taking a
 * client run inside the caller's transaction.
 */
type Db = pg.Pool | pg.PoolClient;

export async function insertScheduled(
  client: pg.PoolClient,
  rows: NewScheduled[],
  reschedule: boolean,
  now: number,
): Promise<number> {
  let changed = 0;
  for (const row of rows) {
    const values = [
      row.ownerId,
      row.dedupeKey,
      row.dueAt,
      row.dueLocal,
      row.timezone,
      JSON.stringify(row.data),
      now,
    ];
    const inserted = await client.query(
      `INSERT INTO scheduled (id, owner_id, dedupe_key, type, account_id, subscription_id,
         subject, due_at, due_local, timezone, data, status, created_at, updated_at)
       VALUES ($8, $1, $2, $9, $10, $11, $12, $3, $4, $5, $6::jsonb, 'pending', $7, $7)
       ON CONFLICT (owner_id, dedupe_key) DO NOTHING`,
      [...values, row.id, row.type, row.accountId, row.subscriptionId, row.subject],
    );
    changed += inserted.rowCount ?? 0;
    if (inserted.rowCount || !reschedule) continue;
    const moved = await client.query(
      `UPDATE scheduled SET due_at = $3, due_local = $4, timezone = $5, data = $6::jsonb,
         updated_at = $7
       WHERE owner_id = $1 AND dedupe_key = $2 AND status = 'pending' AND NOT edited
         AND (due_at <> $3 OR data <> $6::jsonb OR timezone <> $5)`,
      values,
    );
    changed += moved.rowCount ?? 0;
  }
  // Another process's scheduler may sleep past the new rows' time: wake them all.
  if (changed > 0) await client.query(NOTIFY_TRIGGERS);
  return changed;
}

export async function getScheduled(db: Db, ownerId: string, id: string) {
  const { rows } = await db.query('SELECT * FROM scheduled WHERE owner_id = $1 AND id = $2', [
    ownerId,
    id,
  ]);
  return rows[0] ? toScheduled(rows[0]) : undefined;
}

export async function listScheduled(db: Db, ownerId: string, filter: ScheduledFilter) {
  const values: unknown[] = [ownerId, filter.afterSeq ?? 0];
  const where = ['owner_id = $1', 'seq > $2'];
  const columns = { status: 'status', type: 'type', accountId: 'account_id' } as const;
  for (const [field, column] of Object.entries(columns)) {
    const value = filter[field as keyof typeof columns];
    if (!value) continue;
    values.push(value);
    where.push(`${column} = $${values.length}`);
  }
  values.push(filter.limit);
  const { rows } = await db.query(
    `SELECT * FROM scheduled WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${values.length}`,
    values,
  );
  return rows.map(toScheduled);
}

export async function listDueScheduled(db: Db, now: number, limit: number) {
  const { rows } = await db.query(
    `SELECT * FROM scheduled WHERE status = 'pending' AND due_at <= $1
     ORDER BY due_at, seq LIMIT $2`,
    [now, limit],
  );
  return rows.map(toScheduled);
}

export async function nextScheduledDueAt(db: Db): Promise<number | undefined> {
  const { rows } = await db.query(
    "SELECT min(due_at) AS t FROM scheduled WHERE status = 'pending'",
  );
  return rows[0].t ?? undefined;
}

export async function updateScheduled(
  db: Db,
  ownerId: string,
  id: string,
  change: { dueAt?: number; dueLocal?: string; data?: Record<string, unknown> },
  now: number,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE scheduled SET
       due_at = coalesce($3, due_at),
       due_local = coalesce($4, due_local),
       data = coalesce($5::jsonb, data),
       edited = CASE WHEN $5::jsonb IS NULL THEN edited ELSE true END,
       updated_at = $6
     WHERE owner_id = $1 AND id = $2 AND status = 'pending'`,
    [
      ownerId,
      id,
      change.dueAt ?? null,
      change.dueLocal ?? null,
      change.data ? JSON.stringify(change.data) : null,
      now,
    ],
  );
  if (!result.rowCount) return false;
  // Moved earlier, perhaps: the schedulers time their next wake-up again.
  if (change.dueAt !== undefined) await db.query(NOTIFY_TRIGGERS);
  return true;
}

export async function cancelScheduled(
  db: Db,
  ownerId: string,
  target: { id: string } | { type: string; subject: string },
  note: string,
  now: number,
): Promise<number> {
  const set = "UPDATE scheduled SET status = 'cancelled', note = $1, updated_at = $2";
  const result =
    'id' in target
      ? await db.query(`${set} WHERE owner_id = $3 AND id = $4 AND status = 'pending'`, [
          note,
          now,
          ownerId,
          target.id,
        ])
      : await db.query(
          `${set} WHERE owner_id = $3 AND type = $4 AND subject = $5 AND status = 'pending'`,
          [note, now, ownerId, target.type, target.subject],
        );
  return result.rowCount ?? 0;
}

export async function deletePendingScheduled(
  db: Db,
  ownerId: string,
  type: string,
  subject: string,
): Promise<number> {
  const result = await db.query(
    `DELETE FROM scheduled
     WHERE owner_id = $1 AND type = $2 AND subject = $3 AND status = 'pending'`,
    [ownerId, type, subject],
  );
  return result.rowCount ?? 0;
}

/**
 * Ends a pending row. The status check in the UPDATE is the exactly-once guard
 * across processes: a second worker firing the same row waits for the first's row
 * lock, then finds the row no longer pending and changes nothing.
 */
export async function fireScheduled(
  pool: pg.Pool,
  ownerId: string,
  id: string,
  outcome: ScheduledOutcome,
  now: number,
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const event = 'event' in outcome ? outcome.event : undefined;
    const marked = await client.query(
      `UPDATE scheduled SET status = $3, event_id = $4, note = $5, updated_at = $6
       WHERE owner_id = $1 AND id = $2 AND status = 'pending'`,
      [
        ownerId,
        id,
        event ? 'fired' : 'cancelled',
        event?.event.id ?? null,
        'note' in outcome ? outcome.note : null,
        now,
      ],
    );
    if (marked.rowCount === 0) return false;
    if (event) await insertEvents(client, ownerId, [event]);
    if (outcome.next?.length) await insertScheduled(client, outcome.next, false, now);
    return true;
  });
}

export async function listTriggerInbox(db: Db, limit: number): Promise<EventRecord[]> {
  const { rows } = await db.query(
    `SELECT e.* FROM trigger_inbox i JOIN events e ON e.id = i.event_id
     ORDER BY i.seq LIMIT $1`,
    [limit],
  );
  return rows.map(toEvent);
}

export async function removeFromTriggerInbox(db: Db, eventIds: string[]): Promise<void> {
  await db.query('DELETE FROM trigger_inbox WHERE event_id = ANY($1::text[])', [eventIds]);
}

function toScheduled(row: Record<string, any>): ScheduledRecord {
  return {
    seq: row.seq,
    id: row.id,
    ownerId: row.owner_id,
    dedupeKey: row.dedupe_key,
    type: row.type,
    accountId: row.account_id,
    subscriptionId: row.subscription_id,
    subject: row.subject,
    dueAt: row.due_at,
    dueLocal: row.due_local,
    timezone: row.timezone,
    data: row.data,
    edited: row.edited,
    status: row.status,
    eventId: row.event_id,
    note: row.note,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
