import { apiCall } from '../../api/client.ts';
import type { Delivery } from '../../api/types.ts';

export interface DeliveryFilter {
  accountId: string;
  eventType: string;
  channel: string;
  status: string;
  endpointId: string;
}

export const NO_FILTER: DeliveryFilter = {
  accountId: '',
  eventType: '',
  channel: '',
  status: '',
  endpointId: '',
};

export interface LoadedDeliveries {
  /** Newest first. */
  deliveries: Delivery[];
  /** True when more matched than the console reads at once. */
  truncated: boolean;
}

const PAGE = 1000;
const MAX_PAGES = 50;

/**
 * Every delivery that matches the filter. The API pages oldest first, so the
 * newest are only known after reading to the end; past MAX_PAGES pages the console
 * stops and says so, and a narrower filter shows the rest.
 */
export async function loadDeliveries(filter: DeliveryFilter): Promise<LoadedDeliveries> {
  const query = new URLSearchParams({ limit: String(PAGE) });
  for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);

  const all: Delivery[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await apiCall<{ data: Delivery[]; nextCursor: string | null }>(
      'GET',
      `/deliveries?${query}`,
    );
    all.push(...answer.data);
    if (answer.data.length < PAGE || !answer.nextCursor) {
      return { deliveries: all.reverse(), truncated: false };
    }
    query.set('after', answer.nextCursor);
  }
  return { deliveries: all.reverse(), truncated: true };
}
