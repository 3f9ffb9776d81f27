import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus } from '../../api/types.ts';

export interface HourBucket {
  /** The start of the hour, in ms. */
  start: number;
  counts: Record<DeliveryStatus, number>;
  total: number;
}

const HOUR = 3_600_000;

/**
 * Deliveries counted per hour of their creation, by their status now, for the
 * `hours` hours up to and including the current one. Older deliveries are left out.
 */
export function hourlyBuckets(deliveries: Delivery[], now: number, hours = 24): HourBucket[] {
  const currentHour = Math.floor(now / HOUR) * HOUR;
  const first = currentHour - (hours - 1) * HOUR;
  const buckets: HourBucket[] = Array.from({ length: hours }, (_, i) => ({
    start: first + i * HOUR,
    counts: Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as HourBucket['counts'],
    total: 0,
  }));
  for (const delivery of deliveries) {
    const index = Math.floor((Date.parse(delivery.createdAt) - first) / HOUR);
    const bucket = buckets[index];
    if (!bucket) continue;
    bucket.counts[delivery.status] += 1;
    bucket.total += 1;
  }
  return buckets;
}
