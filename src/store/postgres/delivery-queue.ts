import type pg from 'pg';
import type { Completion, DeliveryRecord, QueueStats } from '../store.ts';
import { toDelivery } from './rows.ts';
import { NOTIFY_WORK } from './work-notifier.ts';

/** One row per (target, key) with ordered work queued: its earliest delivery. */
const KEYS = `keys AS (
  (SELECT target_id, coalesce(ordering_key, '') AS k, seq FROM deliveries
   WHERE ordered AND status IN ('pending', 'in_flight')
   ORDER BY target_id, coalesce(ordering_key, ''), seq LIMIT 1)
  UNION ALL
  SELECT next.* FROM keys CROSS JOIN LATERAL (
    SELECT target_id, coalesce(ordering_key, '') AS k, seq FROM deliveries
    WHERE ordered AND status IN ('pending', 'in_flight')
      AND (target_id, coalesce(ordering_key, '')) > (keys.target_id, keys.k)
    ORDER BY target_id, coalesce(ordering_key, ''), seq LIMIT 1) next
)`;

/** Delivery d is a pending head, not held by an earlier unordered one either. */
const IS_HEAD = `d.seq = ANY (ARRAY(SELECT seq FROM keys)) AND d.status = 'pending'
  AND NOT EXISTS (
    SELECT 1 FROM deliveries p
    WHERE p.target_id = d.target_id
      AND coalesce(p.ordering_key, '') = coalesce(d.ordering_key, '')
      AND p.seq < d.seq AND p.status IN ('pending', 'in_flight'))`;

/**
 * The queue side of the PostgreSQL store: claiming due deliveries under a lease,
 * taking back expired leases, and recording outcomes. Any number of worker
 * processes run these against one database at once.
 *
 * Claiming is one statement. Its SELECTs pick due deliveries and lock them FOR
 * UPDATE SKIP LOCKED, so two workers claiming at the same moment split the work
 * between them instead of queueing on each other's rows; the UPDATE then marks
 * exactly the rows picked as in flight.
 *
 * Ordered deliveries (same target and ordering key) go one at a time. Of the two
 * ways to hold that across workers, a transaction-level advisory lock per (target,
 * key) or claiming only the head of each key, this takes the second, and it needs
 * no lock beyond the row locks SKIP LOCKED already takes. Only a key's head (its
 * earliest delivery still pending or in flight) can be picked, and only while it
 * is pending, so at most one delivery per key is picked by anyone; its row lock
 * decides which worker gets it. A racing worker whose snapshot predates the claim
 * either finds the head locked (skipped) or, once committed, no longer pending
 * (PostgreSQL rechecks the WHERE clause on the row's new version); the next
 * delivery of the key is no head in that snapshot, as the head is still pending
 * there. A delivery stops being pending or in flight only by finishing, so "all
 * earlier ones finished" cannot turn false again before the claim commits.
 *
 * The heads are found with a loose index scan (the recursive `keys`): one index
 * probe per key with work queued, rather than one per queued delivery as a NOT
 * EXISTS over every pending row would cost, which matters when thousands wait
 * behind a few dozen keys. A head also waits for an earlier unordered delivery of
 * its key (an endpoint switched to ordered with work queued), as in SQLite.
 *
 * It relies on seq order matching commit order within a key, which a sequence
 * alone does not give: acceptEvents takes a per-owner lock for it.
 */
export async function claimDeliveries(
  pool: pg.Pool,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<DeliveryRecord[]> {
  const { rows } = await pool.query(
    `WITH RECURSIVE ${KEYS},
     heads AS (
       SELECT d.seq, d.next_attempt_at FROM deliveries d
       WHERE ${IS_HEAD} AND d.next_attempt_at <= $1
       ORDER BY d.next_attempt_at, d.seq LIMIT $3
       FOR UPDATE OF d SKIP LOCKED
     ),
     unordered AS (
       SELECT seq, next_attempt_at FROM deliveries
       WHERE status = 'pending' AND NOT ordered AND next_attempt_at <= $1
       ORDER BY next_attempt_at, seq LIMIT $3
       FOR UPDATE SKIP LOCKED
     ),
     -- Up to twice the limit may be locked; the rows not picked stay pending and
     -- are unlocked when the statement commits.
     picked AS (
       SELECT seq FROM (SELECT * FROM heads UNION ALL SELECT * FROM unordered) due
       ORDER BY next_attempt_at, seq LIMIT $3
     )
     UPDATE deliveries
     SET status = 'in_flight', lease_until = $2, attempts = attempts + 1, updated_at = $1
     WHERE seq IN (SELECT seq FROM picked)
     RETURNING *`,
    [now, now + leaseMs, limit],
  );
  return rows.map(toDelivery).sort((a, b) => a.seq - b.seq);
}

/**
 * When the next claimable delivery falls due. An ordered delivery held behind its
 * key's head does not count: it is claimable only once the head finishes, and the
 * worker finishing the head claims again at once. Counting it would give a time
 * in the past for as long as the head is in flight, and an idle dispatcher that
 * sleeps until that time would poll the database without pause.
 */
export async function nextDueAt(pool: pg.Pool): Promise<number | undefined> {
  const { rows } = await pool.query(
    `WITH RECURSIVE ${KEYS}
     SELECT least(
       (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND NOT ordered),
       (SELECT min(d.next_attempt_at) FROM deliveries d WHERE ${IS_HEAD})
     ) AS t`,
  );
  return rows[0].t ?? undefined;
}

/**
 * Returns deliveries whose lease ran out to pending. Several workers may run this
 * at once; a row another worker already released no longer matches once its lock
 * is granted, so each delivery is released once.
 */
export async function releaseExpiredLeases(pool: pg.Pool, now: number): Promise<number> {
  const result = await pool.query(
    `UPDATE deliveries SET status = 'pending', lease_until = NULL, updated_at = $1
     WHERE status = 'in_flight' AND lease_until < $1`,
    [now],
  );
  return result.rowCount ?? 0;
}

/**
 * Records outcomes and their attempts, and numbers the outcomes for the owners'
 * feeds: one statement per owner in the batch, run side by side.
 *
 * An outcome applies only while its delivery is still in flight under the lease
 * this worker claimed it with. A worker that outlived its lease (stalled, or cut
 * off from the database) and finishes late has its attempt logged, but its
 * outcome is dropped: the worker that took the delivery over decides it. Without
 * that fence the late worker would mark the delivery done while the other still
 * sends it, and the next delivery of an ordered key would go out beside it.
 *
 * Each statement takes its owner's counter row once, for all its outcomes, before
 * the delivery rows (they are updated from the counter's new value), the order a
 * withdrawal takes them in too, so the two never deadlock; one statement per owner
 * means no statement waits on two counters. Attempts are numbered over the
 * delivery's whole life, across manual resends, as in SQLite. Times are rounded:
 * bigint columns refuse a fractional millisecond that SQLite would have kept.
 */
export async function completeDeliveries(pool: pg.Pool, completions: Completion[]) {
  const byOwner = new Map<string, Completion[]>();
  for (const c of completions) {
    const list = byOwner.get(c.delivery.ownerId) ?? [];
    list.push(c);
    byOwner.set(c.delivery.ownerId, list);
  }
  await Promise.all([...byOwner].map(([ownerId, list]) => completeForOwner(pool, ownerId, list)));
  // Handed back due at once (a worker shutting down): another worker may take it.
  const handedBack = completions.some(
    (c) => c.outcome.status === 'pending' && nextAttemptOf(c) <= c.now,
  );
  if (handedBack) await pool.query(NOTIFY_WORK);
}

const COMPLETE_FOR_OWNER = `WITH input AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[],
      $7::bigint[], $8::int[], $9::bigint[])
      WITH ORDINALITY AS t(id, status, next_at, last_error, now, completed_at, refund, lease, n)
  ),
  bump AS (
    INSERT INTO owner_sequences (owner_id, name, value) VALUES ($1, 'outcome', $10)
    ON CONFLICT (owner_id, name) DO UPDATE SET value = owner_sequences.value + $10
    RETURNING value
  ),
  changed AS (
    UPDATE deliveries d SET status = i.status, next_attempt_at = i.next_at,
      lease_until = NULL, last_error = i.last_error, updated_at = i.now,
      completed_at = i.completed_at, attempts = d.attempts - i.refund,
      outcome_seq = (SELECT value FROM bump) - $10 + i.n
    FROM input i
    WHERE d.id = i.id AND d.status = 'in_flight' AND d.lease_until = i.lease
  )
  INSERT INTO attempts (id, delivery_id, owner_id, number, started_at, duration_ms, ok,
    status_code, error_code, error, response_body, request)
  SELECT a.id, a.delivery_id, $1,
    (SELECT count(*) + 1 FROM attempts p WHERE p.delivery_id = a.delivery_id),
    a.started_at, a.duration_ms, a.ok, a.status_code, a.error_code, a.error,
    a.response_body, a.request
  FROM unnest($11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::boolean[],
    $16::int[], $17::text[], $18::text[], $19::text[], $20::jsonb[])
    AS a(id, delivery_id, started_at, duration_ms, ok, status_code, error_code, error,
      response_body, request)`;

async function completeForOwner(pool: pg.Pool, ownerId: string, list: Completion[]) {
  const attempts = list.filter((c) => c.outcome.attempt);
  const attempt = (c: Completion) => c.outcome.attempt!;
  await pool.query(COMPLETE_FOR_OWNER, [
    ownerId,
    list.map((c) => c.delivery.id),
    list.map((c) => c.outcome.status),
    list.map((c) => Math.round(nextAttemptOf(c))),
    list.map((c) =>
      c.outcome.lastError === undefined ? c.delivery.lastError : c.outcome.lastError,
    ),
    list.map((c) => Math.round(c.now)),
    list.map((c) => (c.outcome.status === 'pending' ? null : Math.round(c.now))),
    list.map((c) => (c.outcome.refundAttempt ? 1 : 0)),
    list.map((c) => c.delivery.leaseUntil),
    list.length,
    attempts.map((c) => attempt(c).id),
    attempts.map((c) => c.delivery.id),
    attempts.map((c) => Math.round(attempt(c).startedAt)),
    attempts.map((c) => Math.round(attempt(c).durationMs)),
    attempts.map((c) => attempt(c).ok),
    attempts.map((c) => attempt(c).statusCode),
    attempts.map((c) => attempt(c).errorCode),
    attempts.map((c) => attempt(c).error),
    attempts.map((c) => attempt(c).responseBody),
    attempts.map((c) => JSON.stringify(attempt(c).request)),
  ]);
}

function nextAttemptOf(c: Completion): number {
  return c.outcome.nextAttemptAt ?? c.delivery.nextAttemptAt;
}

/** Queue depth per channel; the same statement as the SQLite store's. */
export async function queueStats(pool: pg.Pool, now: number): Promise<QueueStats[]> {
  const { rows } = await pool.query(
    `SELECT channel,
       sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
       sum(CASE WHEN status = 'pending' AND next_attempt_at <= $1 THEN 1 ELSE 0 END) AS due,
       sum(CASE WHEN status = 'in_flight' THEN 1 ELSE 0 END) AS in_flight,
       min(CASE WHEN status = 'pending' THEN created_at END) AS oldest_pending_at,
       min(CASE WHEN status = 'pending' AND next_attempt_at <= $1 THEN next_attempt_at END)
         AS oldest_due_at
     FROM deliveries WHERE status IN ('pending', 'in_flight')
     GROUP BY channel ORDER BY channel`,
    [now],
  );
  // sum() over integers is bigint, which the pool's parser already turns to numbers.
  return rows.map((row) => ({
    channel: row.channel,
    pending: row.pending,
    due: row.due,
    inFlight: row.in_flight,
    oldestPendingAt: row.oldest_pending_at,
    oldestDueAt: row.oldest_due_at,
  }));
}
