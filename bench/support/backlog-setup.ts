/**
 * Puts a backlog of pending webhook deliveries into a Herald's store quickly: the
 * events and deliveries an intake would have committed while the receiver was
 * down, written through the store's own acceptEvents in large transactions, so
 * the rows are exactly Herald's on either backend.
 */
import { newId } from '../../src/ids.ts';
import type { NewEvent, Store } from '../../src/store/store.ts';
import { ACCOUNT, benchEvent, EVENT_TYPE } from './bench-event.ts';
import type { BenchEndpoint } from './bench-herald.ts';

const CHUNK = 5000;

export async function insertBacklog(
  store: Store,
  ownerId: string,
  endpoint: BenchEndpoint,
  count: number,
): Promise<void> {
  const account = ACCOUNT as unknown as Record<string, unknown>;
  for (let done = 0; done < count; done += CHUNK) {
    const now = Date.now();
    const events: NewEvent[] = [];
    for (let i = done; i < Math.min(count, done + CHUNK); i++) {
      events.push({
        event: {
          id: newId('evt'),
          ownerId,
          type: EVENT_TYPE,
          accountId: ACCOUNT.id,
          orderingKey: ACCOUNT.id,
          occurredAt: now,
          acceptedAt: now,
          data: benchEvent(`b${i}`).data,
          account,
        },
        deliveries: [
          {
            id: newId('dlv'),
            subscriptionId: endpoint.subscriptionId,
            channel: 'webhook',
            targetId: endpoint.id,
            orderingKey: ACCOUNT.id,
            ordered: false,
          },
        ],
      });
    }
    await store.acceptEvents(ownerId, events);
  }
}

export interface ClaimRate {
  perSecond: number;
  claimed: number;
  calls: number;
  msPerCall: number;
}

/**
 * Deliveries claimed per second by store.claimDeliveries on each of two stores,
 * `limit` at a time as the dispatcher claims them. The stores take turns, ten
 * calls each, so that a change in the machine's load meets both alike. Only the
 * claims are timed; what they claim stays in flight under a long lease, so the
 * backlogs barely shrink.
 */
export async function claimRates(
  stores: [Store, Store],
  limit: number,
  calls: number,
): Promise<[ClaimRate, ClaimRate]> {
  const totals = stores.map(() => ({ claimed: 0, ms: 0, calls: 0 }));
  for (let round = 0; round < calls / 10; round++) {
    for (const [i, store] of stores.entries()) {
      for (let call = 0; call < 10; call++) {
        const started = performance.now();
        const batch = await store.claimDeliveries(Date.now(), limit, 3600_000);
        totals[i].ms += performance.now() - started;
        totals[i].calls += 1;
        totals[i].claimed += batch.length;
        if (batch.length < limit) throw new Error(`a backlog ran dry after ${totals[i].claimed}`);
      }
    }
  }
  const rate = (t: (typeof totals)[number]): ClaimRate => ({
    perSecond: (t.claimed * 1000) / t.ms,
    claimed: t.claimed,
    calls: t.calls,
    msPerCall: t.ms / t.calls,
  });
  return [rate(totals[0]), rate(totals[1])];
}
