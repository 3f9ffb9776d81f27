import type { DeliveryError } from '../errors.ts';
import type { DeliveryRecord } from '../store/store.ts';

/**
 * What a channel job reports back to the dispatcher after one attempt.
 * - delivered: the receiver took it.
 * - failed: it did not; `error.transient` decides between retry and dead letter.
 * - skipped: no attempt was made (target paused); try again later, uncounted.
 * - cancelled: nothing to deliver any more (target or event withdrawn).
 */
export type JobResult =
  | { kind: 'delivered'; attempt: AttemptInfo }
  | { kind: 'failed'; attempt: AttemptInfo; error: DeliveryError }
  | { kind: 'skipped'; reason: string; retryInMs: number }
  | { kind: 'cancelled'; reason: string };

export interface AttemptInfo {
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  responseBody: string | null;
  request: Record<string, unknown>;
}

export type Job = (delivery: DeliveryRecord) => Promise<JobResult>;
