import type { Store, EventRecord, DeliveryRecord } from '../store/store.ts';
import type { AccountDoc } from '../store/records.ts';
import { buildTokenContext } from '../templates/index.ts';

/**
 * Loads what every job needs to render a delivery: the event, and the token context
 * built from the event, its owner and the account as it stood at intake.
 */
export async function loadEventContext(
  store: Store,
  delivery: DeliveryRecord,
  contact?: { name?: string; email: string; type: string } | null,
): Promise<{ event: EventRecord; context: Record<string, unknown> } | undefined> {
  const event = await store.getEvent(delivery.ownerId, delivery.eventId);
  if (!event || event.status === 'withdrawn') return undefined;
  const owner = await store.getOwner(delivery.ownerId);
  return { event, context: tokenContextOf(event, owner?.name ?? '', contact) };
}

export function tokenContextOf(
  event: EventRecord,
  ownerName: string,
  contact?: { name?: string; email: string; type: string } | null,
): Record<string, unknown> {
  const account = event.account as unknown as AccountDoc | null;
  return buildTokenContext({
    event: { id: event.id, type: event.type, occurredAt: new Date(event.occurredAt).toISOString() },
    data: event.data,
    owner: { name: ownerName },
    account,
    contact: contact ?? null,
  });
}
