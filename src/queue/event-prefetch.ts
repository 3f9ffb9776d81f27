import type { DeliveryRecord, EventRecord, Store } from '../store/store.ts';

interface Held {
  read: Promise<EventRecord | undefined>;
  /** Claimed deliveries of this event whose attempts have not ended yet. */
  users: number;
}

/**
 * The events of a claimed batch, read in one query as the batch is claimed. Each
 * attempt renders from its event, and reading it once per delivery was a round
 * trip each on PostgreSQL and a good share of an attempt on SQLite.
 *
 * An event is held while a delivery of the batch is running and let go when the
 * last one ends (done()), so nothing outlives its attempts. An event not found in
 * the batch's read (or a read that failed) is read again by the attempt itself:
 * what the attempt sees is never staler than the claim.
 */
export class EventPrefetch {
  private readonly held = new Map<string, Held>();

  constructor(private readonly store: Pick<Store, 'getEvents'>) {}

  /** Starts reading the events of freshly claimed deliveries. */
  claimed(deliveries: DeliveryRecord[]): void {
    const fresh = new Map<string, { ownerId: string; eventId: string; users: number }>();
    for (const { ownerId, eventId } of deliveries) {
      const key = keyOf(ownerId, eventId);
      const entry = this.held.get(key) ?? fresh.get(key);
      if (entry) entry.users += 1;
      else fresh.set(key, { ownerId, eventId, users: 1 });
    }
    const byOwner = new Map<string, string[]>();
    for (const { ownerId, eventId } of fresh.values()) {
      byOwner.set(ownerId, [...(byOwner.get(ownerId) ?? []), eventId]);
    }
    for (const [ownerId, ids] of byOwner) {
      const read = this.store.getEvents(ownerId, ids).then(
        (events) => new Map(events.map((e) => [e.id, e])),
        () => new Map<string, EventRecord>(),
      );
      for (const id of ids) {
        const key = keyOf(ownerId, id);
        const { users } = fresh.get(key)!;
        this.held.set(key, { read: read.then((found) => found.get(id)), users });
      }
    }
  }

  /** A claimed delivery's attempt ended: its event need not be held for it. */
  done(delivery: DeliveryRecord): void {
    const key = keyOf(delivery.ownerId, delivery.eventId);
    const entry = this.held.get(key);
    if (entry && --entry.users <= 0) this.held.delete(key);
  }

  /** `store` with getEvent answered from the claimed batches when they hold the event. */
  reading(store: Store): Store {
    const getEvent: Store['getEvent'] = async (ownerId, id) => {
      const entry = this.held.get(keyOf(ownerId, id));
      return (await entry?.read) ?? store.getEvent(ownerId, id);
    };
    const bound = new Map<PropertyKey, unknown>();
    return new Proxy(store, {
      get: (target, property) => {
        if (property === 'getEvent') return getEvent;
        let value = bound.get(property);
        if (value !== undefined) return value;
        value = Reflect.get(target, property, target);
        if (typeof value === 'function') bound.set(property, (value = value.bind(target)));
        return value;
      },
    });
  }

  /** Events held now (for tests). */
  get size(): number {
    return this.held.size;
  }
}

function keyOf(ownerId: string, eventId: string): string {
  return `${ownerId}\u0000${eventId}`;
}
