import type pg from 'pg';
import type { AcceptResult, Idempotency, NewEvent } from '../store.ts';
import { inTransaction, pgCode } from './connection.ts';
import { acceptEventsIn, insertEvents, keepIdempotencyKey } from './event-intake.ts';

interface Waiting {
  events: NewEvent[];
  idempotency?: Idempotency;
  resolve: (result: AcceptResult) => void;
  reject: (error: unknown) => void;
}

// A bound on one transaction, so one owner's flood never makes one huge commit.
const MAX_REQUESTS = 200;

/**
 * Group commit for PostgreSQL intake. An owner's intakes take turns under its
 * advisory lock (see insertEvents), so one request at a time per owner would make
 * the owner's rate the inverse of a transaction's round trips. Instead, requests
 * that arrive while the owner's transaction runs wait for it, and then all go in
 * the next one: their idempotency keys one by one, in arrival order, and the
 * events of every request that is new in one insert per table.
 *
 * Should PostgreSQL refuse that shared transaction, each of its requests is tried
 * again alone, so a request that cannot be stored fails by itself, as it would
 * have unbatched.
 */
export class IntakeBatcher {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly running = new Set<string>();

  constructor(private readonly pool: pg.Pool) {}

  accept(ownerId: string, events: NewEvent[], idempotency?: Idempotency): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(ownerId) ?? [];
      queue.push({ events, idempotency, resolve, reject });
      this.waiting.set(ownerId, queue);
      if (!this.running.has(ownerId)) void this.drain(ownerId);
    });
  }

  private async drain(ownerId: string): Promise<void> {
    this.running.add(ownerId);
    try {
      for (;;) {
        const queue = this.waiting.get(ownerId) ?? [];
        const batch = queue.splice(0, MAX_REQUESTS);
        if (queue.length === 0) this.waiting.delete(ownerId);
        if (batch.length === 0) return;
        await this.commit(ownerId, batch);
      }
    } finally {
      this.running.delete(ownerId);
    }
  }

  private async commit(ownerId: string, batch: Waiting[]): Promise<void> {
    // Without idempotency keys the whole batch is one statement (insertEvents),
    // atomic by itself: no BEGIN and COMMIT round trips around it.
    const keyed = batch.some((item) => item.idempotency);
    if (batch.length > 1 || !keyed) {
      try {
        const results = keyed
          ? await inTransaction(this.pool, (client) => acceptTogether(client, ownerId, batch))
          : await acceptTogether(this.pool, ownerId, batch);
        batch.forEach((item, i) => item.resolve(results[i]));
        return;
      } catch (error) {
        // Without an SQLSTATE the connection failed, maybe during COMMIT, and the
        // batch may have landed: trying again could store it twice.
        if (!/^[0-9A-Z]{5}$/.test(pgCode(error) ?? '')) {
          for (const item of batch) item.reject(error);
          return;
        }
        // PostgreSQL refused it and rolled it back: tried again one by one below,
        // so that only the request at fault fails.
      }
    }
    for (const item of batch) {
      try {
        const result = await inTransaction(this.pool, (client) =>
          acceptEventsIn(client, ownerId, item.events, item.idempotency),
        );
        item.resolve(result);
      } catch (error) {
        item.reject(error);
      }
    }
  }
}

async function acceptTogether(
  client: pg.Pool | pg.PoolClient,
  ownerId: string,
  batch: Waiting[],
): Promise<AcceptResult[]> {
  const results: AcceptResult[] = [];
  const created: NewEvent[] = [];
  for (const item of batch) {
    const kept = item.idempotency
      ? await keepIdempotencyKey(client, ownerId, item.idempotency)
      : undefined;
    if (kept) {
      results.push(kept);
      continue;
    }
    results.push({ kind: 'created' });
    created.push(...item.events);
  }
  if (created.length > 0) await insertEvents(client, ownerId, created);
  return results;
}
