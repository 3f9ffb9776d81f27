import type { Intake } from '../ingest/intake.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { ScheduledRecord } from '../store/trigger-store.ts';
import type { Clock } from './clock.ts';
import type { Firing } from './firing.ts';
import type { InvoiceFacts } from './invoice-facts.ts';

export interface TriggerSchedulerOptions {
  store: Store;
  intake: Intake;
  facts: InvoiceFacts;
  firing: Firing;
  clock: Clock;
  logger: Logger;
  /** Longest sleep between two looks at the store. */
  pollIntervalMs: number;
  batchSize?: number;
}

export interface RunReport {
  /** Fact events read from the inbox. */
  facts: number;
  /** Rows that became events. */
  fired: number;
  /** Rows resolved without an event (settled first, commitment met, ...). */
  resolved: number;
  /** Rows that failed and stay pending for the next run. */
  failed: number;
}

/**
 * Runs the triggers: reads new fact events from the inbox, then fires every
 * scheduled row whose due time has come. A row moves
 *
 *   pending --due, still applies--> fired (its event and deliveries committed with it)
 *      |-----due, no longer applies--> cancelled (note says why)
 *      '-----withdrawn by a subscriber--> cancelled
 *
 * Firing is one store transaction that changes the row only while it is pending, so
 * a row fires once however many processes run a scheduler, and a crash at any point
 * leaves it either fired with its event or pending (it fires on the next run). Time
 * comes from the clock; a row is never fired before its due time.
 *
 * Runs are serialized. start() looks on a timer (at most pollIntervalMs apart, and
 * at the next due time); tests call runDue(now) instead.
 */
export class TriggerScheduler {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly batchSize: number;

  constructor(private readonly options: TriggerSchedulerOptions) {
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    this.stopped = false;
    this.arm(0);
  }

  /** Something was planned or reported: look now rather than at the next poll. */
  wake(): void {
    if (!this.stopped) this.arm(0);
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
  }

  /** Does everything due at `now`, after any run already in progress. */
  runDue(now = this.options.clock.now()): Promise<RunReport> {
    const run = this.chain.then(() => this.runOnce(now));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private arm(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.runDue();
    } catch (error) {
      this.options.logger.error({ err: error }, 'the trigger run failed; will retry');
    }
    if (this.stopped) return;
    let wait = this.options.pollIntervalMs;
    const due = await this.options.store.nextScheduledDueAt().catch(() => undefined);
    if (due !== undefined) wait = Math.max(0, Math.min(wait, due - this.options.clock.now()));
    if (!this.stopped) this.arm(wait);
  }

  private async runOnce(now: number): Promise<RunReport> {
    const report: RunReport = { facts: 0, fired: 0, resolved: 0, failed: 0 };
    report.facts = await this.readInbox();

    const failed = new Set<string>();
    for (;;) {
      const due = await this.options.store.listDueScheduled(now, this.batchSize + failed.size);
      const todo = due.filter((row) => !failed.has(row.id));
      if (todo.length === 0) break;
      for (const row of todo) {
        try {
          const outcome = await this.fire(row, now);
          if (outcome === 'fired') report.fired++;
          else if (outcome === 'resolved') report.resolved++;
        } catch (error) {
          failed.add(row.id);
          this.options.logger.error(
            { err: error, ownerId: row.ownerId, scheduledId: row.id, type: row.type },
            'firing a scheduled notification failed; it stays pending',
          );
        }
      }
    }
    report.failed = failed.size;
    return report;
  }

  private async readInbox(): Promise<number> {
    const { store, facts, logger } = this.options;
    const failed = new Set<string>();
    let count = 0;
    for (;;) {
      const events = await store.listTriggerInbox(this.batchSize + failed.size);
      const todo = events.filter((event) => !failed.has(event.id));
      if (todo.length === 0) return count;
      const done: string[] = [];
      for (const event of todo) {
        try {
          await facts.apply(event);
          done.push(event.id);
        } catch (error) {
          // Left in the inbox for the next run, and skipped for the rest of this one
          // so that it cannot hold up the facts behind it.
          failed.add(event.id);
          logger.error(
            { err: error, ownerId: event.ownerId, eventId: event.id, type: event.type },
            'reading the facts of an event failed; will retry',
          );
        }
      }
      await store.removeFromTriggerInbox(done);
      count += done.length;
    }
  }

  private async fire(row: ScheduledRecord, now: number): Promise<'fired' | 'resolved' | 'lost'> {
    const { store, intake, firing, logger } = this.options;
    const resolution = await firing.resolve(row, now);
    const log = { ownerId: row.ownerId, scheduledId: row.id, type: row.type };
    if ('note' in resolution) {
      const done = await store.fireScheduled(row.ownerId, row.id, resolution, now);
      if (done) logger.info({ ...log, note: resolution.note }, 'scheduled notification dropped');
      return done ? 'resolved' : 'lost';
    }
    const event = await intake.acceptDerived(row, resolution.data, now, resolution.next);
    if (!event) return 'lost';
    logger.info({ ...log, eventId: event.id }, 'scheduled notification fired');
    return 'fired';
  }
}
