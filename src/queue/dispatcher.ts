import { strict as assert } from 'node:assert';
import { DeliveryError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Channel, DeliveryOutcome, DeliveryRecord, Store } from '../store/store.ts';
import type { Job, JobResult } from './job.ts';
import { retryDelay, type RetryPolicy } from './retry-policy.ts';

export interface DispatcherOptions {
  store: Store;
  logger: Logger;
  jobs: Record<Channel, Job>;
  retry: RetryPolicy;
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  now?: () => number;
}

/**
 * Runs deliveries. A delivery moves through these states:
 *
 *   pending --claim--> in_flight --delivered--> succeeded
 *                          |------failed, transient, attempts left--> pending (later)
 *                          |------failed otherwise------------------> failed (dead letter)
 *                          |------target withdrawn-------------------> cancelled
 *                          '------lease ran out (worker died)-------> pending
 *
 * Claiming marks a delivery in flight under a lease, in the store, so a worker that
 * dies mid-attempt loses its claim when the lease runs out and another takes it over.
 * At most `concurrency` jobs run at once. New work wakes the loop at once (wake());
 * otherwise it sleeps until the next delivery falls due, or the poll interval.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private pumping = false;
  private pumpAgain = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopping = false;
    void this.pump();
  }

  /** New work exists: claim it now rather than at the next poll. */
  wake(): void {
    if (!this.stopping) void this.pump();
  }

  /** Stops claiming and waits for the attempts in flight to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get activeCount(): number {
    return this.inFlight.size;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0 || this.stopping) break;
        await this.options.store.releaseExpiredLeases(this.now());
        const claimed = await this.options.store.claimDeliveries(
          this.now(),
          free,
          this.options.leaseMs,
        );
        for (const delivery of claimed) this.launch(delivery);
        if (claimed.length === free) this.pumpAgain = true;
      } while (this.pumpAgain && !this.stopping);
    } catch (error) {
      this.options.logger.error({ err: error }, 'claiming deliveries failed; will retry');
    } finally {
      this.pumping = false;
    }
    await this.scheduleNextPump();
  }

  private async scheduleNextPump(): Promise<void> {
    if (this.stopping) return;
    clearTimeout(this.timer);
    let wait = this.options.pollIntervalMs;
    const due = await this.options.store.nextDueAt().catch(() => undefined);
    if (due !== undefined) wait = Math.max(0, Math.min(wait, due - this.now()));
    this.timer = setTimeout(() => void this.pump(), wait);
    this.timer.unref();
  }

  private launch(delivery: DeliveryRecord): void {
    assert.equal(delivery.status, 'in_flight', `claimed delivery ${delivery.id} is not in flight`);
    const run = this.runOne(delivery).finally(() => {
      this.inFlight.delete(run);
      this.wake();
    });
    this.inFlight.add(run);
  }

  private async runOne(delivery: DeliveryRecord): Promise<void> {
    const log = this.options.logger.child({
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      ownerId: delivery.ownerId,
      channel: delivery.channel,
      attempt: delivery.attempts,
    });
    let result: JobResult;
    try {
      result = await this.options.jobs[delivery.channel](delivery);
    } catch (error) {
      // A job that throws is a bug or an outage of ours: keep the delivery and retry.
      const wrapped = new DeliveryError(
        'internal_error',
        String(error),
        true,
        {},
        { cause: error },
      );
      const startedAt = this.now();
      result = {
        kind: 'failed',
        error: wrapped,
        attempt: { startedAt, durationMs: 0, statusCode: null, responseBody: null, request: {} },
      };
      log.error({ err: error }, 'delivery job threw');
    }

    const outcome = this.outcomeOf(delivery, result);
    await this.options.store.completeDelivery(delivery, outcome, this.now());
    this.report(log, delivery, result, outcome);
  }

  private outcomeOf(delivery: DeliveryRecord, result: JobResult): DeliveryOutcome {
    const now = this.now();
    if (result.kind === 'skipped') {
      return { status: 'pending', nextAttemptAt: now + result.retryInMs, refundAttempt: true };
    }
    if (result.kind === 'cancelled') return { status: 'cancelled', lastError: result.reason };

    const base = { id: newId('att'), number: delivery.attempts, ...result.attempt };
    if (result.kind === 'delivered') {
      return {
        status: 'succeeded',
        lastError: null,
        attempt: { ...base, ok: true, errorCode: null, error: null },
      };
    }
    const { error } = result;
    const attempt = { ...base, ok: false, errorCode: error.code, error: error.message };
    const delay = error.transient
      ? retryDelay(this.options.retry, delivery.attempts, error.context.retryAfterSeconds)
      : undefined;
    if (delay === undefined) return { status: 'failed', lastError: error.message, attempt };
    return { status: 'pending', nextAttemptAt: now + delay, lastError: error.message, attempt };
  }

  private report(log: Logger, d: DeliveryRecord, result: JobResult, outcome: DeliveryOutcome) {
    const ms = 'attempt' in result ? result.attempt.durationMs : undefined;
    if (result.kind === 'delivered') log.info({ ms }, 'delivered');
    else if (result.kind === 'cancelled') log.info({ reason: result.reason }, 'delivery cancelled');
    else if (result.kind === 'skipped') log.debug({ reason: result.reason }, 'delivery deferred');
    else if (outcome.status === 'pending') {
      const inMs = (outcome.nextAttemptAt ?? 0) - this.now();
      log.warn(
        { ms, code: result.error.code, retryInMs: inMs },
        `attempt failed: ${result.error.message}`,
      );
    } else {
      log.error(
        { ms, code: result.error.code, attempts: d.attempts },
        `delivery failed for good: ${result.error.message}`,
      );
    }
  }
}
