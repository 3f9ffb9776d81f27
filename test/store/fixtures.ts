/** Small builders for the storage tests: owners, events and their deliveries. */
import type { NewDelivery, NewEvent, Owner, Store } from '../../src/store/store.ts';

export function owner(id: string, platform = false): Owner {
  return { id, name: `Owner ${id}`, defaultLocale: 'en', alertEmail: null, platform, createdAt: 1 };
}

export function delivery(id: string, fields: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id,
    subscriptionId: 'sub-1',
    channel: 'webhook',
    targetId: 'end-1',
    orderingKey: null,
    ordered: false,
    ...fields,
  };
}

export function event(
  ownerId: string,
  id: string,
  deliveries: NewDelivery[] = [],
  acceptedAt = 1000,
): NewEvent {
  return {
    event: {
      id,
      ownerId,
      type: 'invoice.created',
      accountId: 'acc-1',
      orderingKey: null,
      occurredAt: acceptedAt - 10,
      acceptedAt,
      data: { invoice: { id: `inv-${id}`, total: 12.5 } },
      account: { id: 'acc-1', name: 'Zoë' },
    },
    deliveries,
  };
}

/** Accepts one event per delivery given, each due at `at`. */
export async function queue(store: Store, ownerId: string, items: NewDelivery[], at = 1000) {
  const events = items.map((d) => event(ownerId, `evt-${d.id}`, [d], at));
  const result = await store.acceptEvents(ownerId, events);
  if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
}

export const ids = (items: { id: string }[]) => items.map((i) => i.id);
