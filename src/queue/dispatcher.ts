import { strict as assert } from 'node:assert';
import { DeliveryError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Channel, DeliveryOutcome, DeliveryRecord, Store } from '../store/store.ts';
import type { Job, JobResult } from './job.ts';
import { retryDelay, type RetryPolicy } from './retry-policy.ts';
import { settledWithin } from '../shutdown.ts';
import { CompletionWriter } from './completion-writer.ts';
import type { EventPrefetch } from './event-prefetch.ts';

export interface DispatcherOptions {
  store: Store;
  logger: Logger;
  jobs: Record<Channel, Job>;
  retry: RetryPolicy;
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  now?: () => number;
  /** Told of every attempt and final outcome (the metrics). */
  observer?: DeliveryObserver;
  /** Reads each claimed batch's events at once, for the jobs (see event-prefetch.ts). */
  prefetch?: EventPrefetch;
}

/** What the dispatcher reports as it works; HeraldMetrics is one. */
export interface DeliveryObserver {
  attempted(channel: Channel, durationMs: number, errorCode: string | null): void;
  finished(channel: Channel, outcome: 'succeeded' | 'failed' | 'cancelled'): void;
  releasedAtShutdown(channel: Channel): void;
}

/** What stop() did with the attempts that were running when it was called. */
export interface StopReport {
  /** Finished within the grace period, their outcomes recorded. */
  finished: number;
  /** Still running when it ran out and handed back to the queue, due at once. */
  released: number;
}

// Expired leases are looked for at most this often: they only matter after a worker
// died, and a lease is a minute long.
const LEASE_SWEEP_MS = 1000;

/** One claimed delivery this process is working on. */
interface Running {
  delivery: DeliveryRecord;
  /** Set once the attempt ended and its outcome is being written. */
  recording?: Promise<void>;
  /** Handed back at shutdown: whatever the attempt ends with is not recorded. */
  released: boolean;
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
 *
 * Shutdown (stop) claims nothing more and gives the running attempts a grace
 * period; those still running then are released: back to pending, due now, the
 * attempt uncounted, so the next worker takes them at once rather than after the
 * lease. An attempt released while its call is still out may yet reach the
 * receiver; it is then delivered twice, which at-least-once allows.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly running = new Map<string, Running>();
  private pumping = false;
  /** The claim under way, if any: stop() waits for it, or its claims would be lost. */
  private claiming: Promise<void> | undefined;
  private pumpAgain = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeQueued = false;
  private lastLeaseSweep = -Infinity;
  /** Whether the last claim took all that was due, so the next due time matters. */
  private drained = true;
  private readonly now: () => number;
  private readonly completions: CompletionWriter;
  /** Claims wait for this many free slots while others run: fewer, larger claims. */
  private readonly claimBatch: number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.completions = new CompletionWriter(options.store);
    this.claimBatch = Math.max(1, Math.floor(options.concurrency / 8));
  }

  start(): void {
    this.stopping = false;
    void this.pump();
  }

  /**
   * New work exists, or a slot came free: claim now rather than at the next poll.
   * Wakes within one turn of the event loop are served by one claim.
   */
  wake(): void {
    if (this.stopping || this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      if (!this.stopping) void this.pump();
    });
  }

  /**
   * Stops claiming and waits up to `graceMs` for the attempts in flight to finish,
   * then releases the rest (see the class comment). Resolves once every claim of
   * this process is either recorded or released; a released job may still be
   * running, so close its connections without waiting for them.
   */
  async stop(graceMs = Infinity): Promise<StopReport> {
    this.stopping = true;
    clearTimeout(this.timer);
    // Real time, not the injected clock: a test's frozen clock must not stall this.
    const deadline = performance.now() + graceMs;
    await this.claiming;
    const atStart = this.running.size;

    while (this.inFlight.size > 0) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await settledWithin([...this.inFlight], left);
    }

    let unfinished = 0;
    let released = 0;
    const recording: Promise<void>[] = [];
    for (const entry of this.running.values()) {
      if (entry.recording) recording.push(entry.recording);
      else if (!entry.released) {
        unfinished += 1;
        if (await this.release(entry)) released += 1;
      }
    }
    await Promise.allSettled(recording);
    return { finished: atStart - unfinished, released };
  }

  get activeCount(): number {
    return this.inFlight.size;
  }

  /** Attempts running now, per channel (released ones not counted). */
  activeByChannel(): Record<Channel, number> {
    const counts: Record<Channel, number> = { webhook: 0, email: 0 };
    for (const entry of this.running.values()) {
      if (!entry.released) counts[entry.delivery.channel]++;
    }
    return counts;
  }

  private async release(entry: Running): Promise<boolean> {
    entry.released = true;
    const { delivery } = entry;
    const log = this.options.logger.child({
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      channel: delivery.channel,
    });
    const now = this.now();
    try {
      await this.options.store.completeDelivery(
        delivery,
        { status: 'pending', nextAttemptAt: now, refundAttempt: true },
        now,
      );
    } catch (error) {
      // The claim then ends with its lease, and another worker takes it over.
      log.error({ err: error }, 'could not release a delivery at shutdown; its lease will run out');
      return false;
    }
    this.options.observer?.releasedAtShutdown(delivery.channel);
    log.warn('attempt still running when the shutdown grace period ended: released to the queue');
    return true;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.claiming = this.claimDue().finally(() => {
      this.pumping = false;
    });
    await this.claiming;
    await this.scheduleNextPump();
  }

  /** Claims and launches due deliveries while there is room and work; never throws. */
  private async claimDue(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0 || this.stopping) break;
        // While most slots are busy, a claim waits for a few more to free up.
        if (free < this.claimBatch && this.inFlight.size > 0 && !this.drained) break;
        if (this.now() - this.lastLeaseSweep >= LEASE_SWEEP_MS) {
          this.lastLeaseSweep = this.now();
          await this.options.store.releaseExpiredLeases(this.now());
        }
        const claimed = await this.options.store.claimDeliveries(
          this.now(),
          free,
          this.options.leaseMs,
        );
        this.options.prefetch?.claimed(claimed);
        for (const delivery of claimed) this.launch(delivery);
        this.drained = claimed.length < free;
        if (!this.drained) this.pumpAgain = true;
      } while (this.pumpAgain && !this.stopping);
    } catch (error) {
      this.options.logger.error({ err: error }, 'claiming deliveries failed; will retry');
    }
  }

  private async scheduleNextPump(): Promise<void> {
    if (this.stopping) return;
    clearTimeout(this.timer);
    let wait = this.options.pollIntervalMs;
    // Busy with all that was due, the next wake comes from a slot freeing up.
    const due = this.drained
      ? await this.options.store.nextDueAt().catch(() => undefined)
      : undefined;
    if (due !== undefined) wait = Math.max(0, Math.min(wait, due - this.now()));
    this.timer = setTimeout(() => void this.pump(), wait);
    this.timer.unref();
  }

  private launch(delivery: DeliveryRecord): void {
    assert.equal(delivery.status, 'in_flight', `claimed delivery ${delivery.id} is not in flight`);
    const entry: Running = { delivery, released: false };
    this.running.set(delivery.id, entry);
    let settled: DeliveryOutcome['status'] | undefined;
    const run = this.runOne(entry)
      .then((status) => {
        settled = status;
      })
      .finally(() => {
        this.inFlight.delete(run);
        this.running.delete(delivery.id);
        this.options.prefetch?.done(delivery);
        // A freed slot matters when due work is waiting, or when this outcome may
        // have made some due: the next delivery of an ordered key, a retry (whose
        // time the next pump reads), or an attempt that ended unrecorded.
        const mayFreeWork = delivery.ordered || settled === undefined || settled === 'pending';
        if (!this.drained || mayFreeWork) this.wake();
      });
    this.inFlight.add(run);
  }

  /** Runs one attempt; resolves with the status it recorded, if it recorded one. */
  private async runOne(entry: Running): Promise<DeliveryOutcome['status'] | undefined> {
    const { delivery } = entry;
    // Made only when something is logged: a child logger per attempt was a
    // noticeable share of a fast delivery's cost.
    let logger: Logger | undefined;
    const log = () =>
      (logger ??= this.options.logger.child({
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        ownerId: delivery.ownerId,
        channel: delivery.channel,
        attempt: delivery.attempts,
      }));
    let result: JobResult;
    try {
      result = await this.options.jobs[delivery.channel](delivery);
    } catch (error) {
      // Released at shutdown: the store may be closed under the job; nothing to say.
      if (entry.released) return undefined;
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
      log().error({ err: error }, 'delivery job threw');
    }

    if (entry.released) return undefined;
    const outcome = this.outcomeOf(delivery, result);
    entry.recording = this.completions.write({ delivery, outcome, now: this.now() });
    try {
      await entry.recording;
    } catch (error) {
      // Thrown out of launch() this would end the process; the claim instead runs
      // out with its lease and the delivery is attempted again.
      log().error({ err: error }, 'recording the outcome failed; the lease will run out');
      return undefined;
    }
    this.report(log, delivery, result, outcome);
    this.observe(delivery, result, outcome);
    return outcome.status;
  }

  private observe(delivery: DeliveryRecord, result: JobResult, outcome: DeliveryOutcome): void {
    const observer = this.options.observer;
    if (!observer) return;
    if (result.kind === 'delivered' || result.kind === 'failed') {
      const code = result.kind === 'failed' ? result.error.code : null;
      observer.attempted(delivery.channel, result.attempt.durationMs, code);
    }
    if (outcome.status !== 'pending') observer.finished(delivery.channel, outcome.status);
  }

  private outcomeOf(delivery: DeliveryRecord, result: JobResult): DeliveryOutcome {
    const now = this.now();
    if (result.kind === 'skipped') {
      return { status: 'pending', nextAttemptAt: now + result.retryInMs, refundAttempt: true };
    }
    if (result.kind === 'cancelled') {
      return { status: 'cancelled', lastError: result.reason, refundAttempt: true };
    }

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

  private report(
    logger: () => Logger,
    d: DeliveryRecord,
    result: JobResult,
    outcome: DeliveryOutcome,
  ) {
    const level =
      result.kind === 'skipped'
        ? 'debug'
        : result.kind !== 'failed'
          ? 'info'
          : outcome.status === 'pending'
            ? 'warn'
            : 'error';
    if (!this.options.logger.isLevelEnabled(level)) return;
    const log = logger();
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
