import type pg from 'pg';
import type { AcceptResult, Idempotency, NewEvent } from '../store.ts';
import { LOCKS } from './locks.ts';
import { CHANNELS } from './work-notifier.ts';

/**
 * The body of acceptEvents, run inside its transaction: the idempotency key, then
 * the events.
 *
 * The key is inserted ON CONFLICT DO NOTHING before any event: a concurrent
 * request with the same key waits on that row until this one commits or rolls
 * back, then finds it and replays (or refuses) rather than queueing the work twice.
 */
export async function acceptEventsIn(
  client: pg.PoolClient,
  ownerId: string,
  events: NewEvent[],
  idempotency?: Idempotency,
): Promise<AcceptResult> {
  const kept = idempotency ? await keepIdempotencyKey(client, ownerId, idempotency) : undefined;
  if (kept) return kept;
  await insertEvents(client, ownerId, events);
  return { kind: 'created' };
}

/**
 * Saves a request's idempotency key, or finds it saved: undefined when the
 * request is new, else the replay of the first answer or the refusal of a reuse.
 */
export async function keepIdempotencyKey(
  client: pg.Pool | pg.PoolClient,
  ownerId: string,
  idempotency: Idempotency,
): Promise<AcceptResult | undefined> {
  const saved = await client.query(
    `INSERT INTO idempotency_keys (owner_id, key, request_hash, response, created_at)
     VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (owner_id, key) DO NOTHING`,
    [
      ownerId,
      idempotency.key,
      idempotency.requestHash,
      JSON.stringify(idempotency.response),
      Date.now(),
    ],
  );
  if ((saved.rowCount ?? 0) > 0) return undefined;
  const seen = (await findIdempotencyKey(client, ownerId, idempotency.key))!;
  if (seen.requestHash !== idempotency.requestHash) return { kind: 'conflict' };
  return { kind: 'replay', response: seen.response };
}

/** What an idempotency key was first used with, if it was. */
export async function findIdempotencyKey(
  client: pg.Pool | pg.PoolClient,
  ownerId: string,
  key: string,
): Promise<{ requestHash: string; response: unknown } | undefined> {
  const { rows } = await client.query(
    'SELECT request_hash, response FROM idempotency_keys WHERE owner_id = $1 AND key = $2',
    [ownerId, key],
  );
  return rows[0] ? { requestHash: rows[0].request_hash, response: rows[0].response } : undefined;
}

/**
 * Inserts events, their deliveries and trigger inbox entries, and announces both
 * kinds of work at commit; the caller holds the transaction (acceptEvents, a scheduled
 * notification firing).
 *
 * First a transaction-level advisory lock per owner. Sequence numbers are handed
 * out at insert time but become visible at commit, so two overlapping intakes
 * could otherwise commit seq 11 before seq 10: a reader paging events by seq
 * would step over 10 for good, and a worker could claim delivery 11 of an ordered
 * key while 10 was still invisible, then 10 beside it. With the lock, an owner's
 * events and deliveries commit in seq order. Intakes of one owner take turns for
 * the few milliseconds of their inserts; other owners are not held up.
 */
export async function insertEvents(
  client: pg.Pool | pg.PoolClient,
  ownerId: string,
  events: NewEvent[],
): Promise<void> {
  // Rows travel as JSON arrays and are inserted in array order (n), so seq follows
  // the order given.
  const eventRows = events.map(({ event }, n) => ({
    n,
    id: event.id,
    owner_id: event.ownerId,
    type: event.type,
    account_id: event.accountId,
    ordering_key: event.orderingKey,
    occurred_at: event.occurredAt,
    accepted_at: event.acceptedAt,
    data: event.data,
    account: event.account,
  }));
  const deliveryRows = events
    .flatMap(({ event, deliveries }) => deliveries.map((d) => ({ event, d })))
    .map(({ event, d }, n) => ({
      n,
      id: d.id,
      event_id: event.id,
      event_type: event.type,
      account_id: event.accountId,
      subscription_id: d.subscriptionId,
      channel: d.channel,
      target_id: d.targetId,
      ordering_key: d.orderingKey,
      ordered: d.ordered,
      at: event.acceptedAt,
    }));
  const facts = events.filter((e) => e.feedsTriggers).map((e) => e.event.id);
  // One statement, one round trip, under the owner's lock: every insert reads the
  // lock's row, so none of them can number a row before the lock is held.
  await client.query(
    `WITH owner_lock AS (SELECT pg_advisory_xact_lock($1, hashtext($2)) AS held),
     new_events AS (
       INSERT INTO events (id, owner_id, type, account_id, ordering_key, occurred_at,
         accepted_at, data, account)
       SELECT e.id, e.owner_id, e.type, e.account_id, e.ordering_key, e.occurred_at,
         e.accepted_at, e.data, e.account
       FROM owner_lock, jsonb_to_recordset($3::jsonb) AS e(n integer, id text,
         owner_id text, type text, account_id text, ordering_key text,
         occurred_at bigint, accepted_at bigint, data jsonb, account jsonb)
       ORDER BY e.n
       RETURNING 1),
     new_deliveries AS (
       INSERT INTO deliveries (id, owner_id, event_id, event_type, account_id,
         subscription_id, channel, target_id, ordering_key, ordered, status,
         next_attempt_at, created_at, updated_at)
       SELECT d.id, $2, d.event_id, d.event_type, d.account_id, d.subscription_id,
         d.channel, d.target_id, d.ordering_key, d.ordered, 'pending', d.at, d.at, d.at
       FROM owner_lock, jsonb_to_recordset($4::jsonb) AS d(n integer, id text,
         event_id text, event_type text, account_id text, subscription_id text,
         channel text, target_id text, ordering_key text, ordered boolean, at bigint)
       ORDER BY d.n
       RETURNING 1),
     new_facts AS (
       INSERT INTO trigger_inbox (event_id)
       SELECT f.id FROM owner_lock, unnest($5::text[]) WITH ORDINALITY AS f(id, n)
       ORDER BY f.n
       ON CONFLICT DO NOTHING
       RETURNING 1)
     SELECT
       (SELECT count(*) FROM new_events) AS events,
       (SELECT count(*) FROM new_deliveries) AS deliveries,
       (SELECT count(*) FROM new_facts) AS facts,
       CASE WHEN $6 THEN pg_notify('${CHANNELS.work}', '') END,
       CASE WHEN $7 THEN pg_notify('${CHANNELS.triggers}', '') END`,
    [
      LOCKS.intake,
      ownerId,
      JSON.stringify(eventRows),
      JSON.stringify(deliveryRows),
      facts,
      deliveryRows.length > 0,
      facts.length > 0,
    ],
  );
}
