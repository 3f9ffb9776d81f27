import type { Store } from '../store/store.ts';

/**
 * The store as event intake should see it, counting events as they commit: the
 * two calls that commit events (acceptEvents for reported and Herald's own
 * events, fireScheduled for derived ones) report each event's type once the
 * commit succeeded. An idempotent replay or a row fired elsewhere counts nothing.
 * Every other call goes to the store unchanged, bound to it.
 */
export function countingCommits(store: Store, count: (type: string) => void): Store {
  const acceptEvents: Store['acceptEvents'] = async (ownerId, events, idempotency) => {
    const result = await store.acceptEvents(ownerId, events, idempotency);
    if (result.kind === 'created') for (const { event } of events) count(event.type);
    return result;
  };
  const fireScheduled: Store['fireScheduled'] = async (ownerId, id, outcome, now) => {
    const fired = await store.fireScheduled(ownerId, id, outcome, now);
    if (fired && 'event' in outcome) count(outcome.event.event.type);
    return fired;
  };
  const overrides: Partial<Store> = { acceptEvents, fireScheduled };

  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
