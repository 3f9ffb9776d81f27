/**
 * Herald's Prometheus metrics. Each Herald gets its own registry rather than
 * prom-client's global one, so two Heralds in one process (the tests start many)
 * never share or clash over a series.
 *
 * Counters and histograms count what this process did since it started, as
 * Prometheus expects; `rate()` and `increase()` sum them over processes. The
 * queue gauges are read from the store at each scrape, so they show the whole
 * queue, every process's work included, and every process reports the same
 * numbers: aggregate them with `max`, not `sum`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryObserver } from '../queue/dispatcher.ts';
import type { Channel, QueueStats } from '../store/store.ts';

const CHANNELS: readonly Channel[] = ['webhook', 'email'];

/** Upper bounds in seconds: a fast receiver answers in tens of ms, a timeout is 15 s. */
const ATTEMPT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];

export interface MetricSources {
  /** The queue as the store holds it now (QueueStats of every channel with work). */
  queue(now: number): Promise<QueueStats[]>;
  /** Attempts this process is running now, per channel (its delivery thread's too). */
  inFlight(): Record<Channel, number> | Promise<Record<Channel, number>>;
  /** The most attempts this process runs at once. */
  capacity: number;
  now?: () => number;
}

/** What a Herald reports as it works: its metrics, or a delivery thread's forwarder. */
export interface HeraldObserver extends DeliveryObserver {
  accepted(type: string, count?: number): void;
}

export class HeraldMetrics implements HeraldObserver {
  readonly registry = new Registry();
  private readonly eventsAccepted: Counter<'type'>;
  private readonly deliveries: Counter<'channel' | 'outcome'>;
  private readonly attemptErrors: Counter<'channel' | 'code'>;
  private readonly attemptDuration: Histogram<'channel'>;
  private readonly released: Counter<'channel'>;
  private readonly queueDepth: Gauge<'channel' | 'state'>;
  private readonly oldestPending: Gauge<'channel'>;
  private readonly oldestDue: Gauge<'channel'>;
  private readonly attemptsInFlight: Gauge<'channel'>;
  private readonly storeUp: Gauge;
  private sources: MetricSources | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.eventsAccepted = new Counter({
      name: 'herald_events_accepted_total',
      help: 'Events committed: reported, derived by the triggers or raised by Herald.',
      labelNames: ['type'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'herald_deliveries_total',
      help: 'Deliveries that reached a final state: succeeded, failed (dead letter) or cancelled.',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.attemptErrors = new Counter({
      name: 'herald_delivery_attempt_errors_total',
      help: 'Attempts that failed, by the stable error code also kept in the attempt log.',
      labelNames: ['channel', 'code'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'herald_delivery_attempt_duration_seconds',
      help: 'How long each delivery attempt took, successful or not (its _count is the attempts).',
      labelNames: ['channel'],
      buckets: ATTEMPT_BUCKETS,
      registers,
    });
    this.released = new Counter({
      name: 'herald_deliveries_released_total',
      help: 'Attempts running when the shutdown grace period ended, given back.',
      labelNames: ['channel'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'herald_queue_deliveries',
      help: 'Deliveries in the shared queue: pending, due (pending whose time came), in_flight.',
      labelNames: ['channel', 'state'],
      registers,
    });
    this.oldestPending = new Gauge({
      name: 'herald_queue_oldest_pending_age_seconds',
      help: 'Age of the oldest pending delivery (0 when none): retries waiting included.',
      labelNames: ['channel'],
      registers,
    });
    this.oldestDue = new Gauge({
      name: 'herald_queue_oldest_due_age_seconds',
      help: 'How long the longest-waiting due delivery has been due (0 when none): worker lag.',
      labelNames: ['channel'],
      registers,
    });
    this.attemptsInFlight = new Gauge({
      name: 'herald_attempts_in_flight',
      help: 'Attempts this process runs now; for email, sends handed to the SMTP pools.',
      labelNames: ['channel'],
      registers,
    });
    const sources = () => this.sources;
    new Gauge({
      name: 'herald_worker_capacity',
      help: 'The most attempts this process runs at once (HERALD_WORKER_CONCURRENCY).',
      registers,
      collect() {
        this.set(sources()?.capacity ?? 0);
      },
    });
    this.storeUp = new Gauge({
      name: 'herald_store_up',
      help: '1 when the scrape could read the queue from the database, else 0.',
      registers,
    });
    for (const channel of CHANNELS) {
      this.attemptDuration.zero({ channel });
      for (const outcome of ['succeeded', 'failed', 'cancelled']) {
        this.deliveries.inc({ channel, outcome }, 0);
      }
    }
  }

  /** Where the scrape-time gauges read from; until set they report zero. */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  /** Counts events once they are committed. */
  accepted(type: string, count = 1): void {
    this.eventsAccepted.inc({ type }, count);
  }

  attempted(channel: Channel, durationMs: number, errorCode: string | null): void {
    this.attemptDuration.observe({ channel }, durationMs / 1000);
    if (errorCode !== null) this.attemptErrors.inc({ channel, code: errorCode });
  }

  finished(channel: Channel, outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    this.deliveries.inc({ channel, outcome });
  }

  releasedAtShutdown(channel: Channel): void {
    this.released.inc({ channel });
  }

  /** The Prometheus text exposition, with the queue gauges read fresh. */
  async scrape(): Promise<string> {
    await this.refreshGauges();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refreshGauges(): Promise<void> {
    const sources = this.sources;
    const now = sources?.now?.() ?? Date.now();
    // A delivery thread that cannot answer (restarting) runs nothing.
    const inFlight = await Promise.resolve(sources?.inFlight()).catch(() => undefined);
    for (const channel of CHANNELS)
      this.attemptsInFlight.set({ channel }, inFlight?.[channel] ?? 0);

    let stats: QueueStats[] = [];
    try {
      stats = (await sources?.queue(now)) ?? [];
      this.storeUp.set(1);
    } catch {
      // A scrape still answers while the database is down: the alert then comes
      // from herald_store_up, and /readyz says why.
      this.storeUp.set(0);
      this.queueDepth.reset();
      this.oldestPending.reset();
      this.oldestDue.reset();
      return;
    }
    for (const channel of CHANNELS) {
      const s = stats.find((row) => row.channel === channel);
      this.queueDepth.set({ channel, state: 'pending' }, s?.pending ?? 0);
      this.queueDepth.set({ channel, state: 'due' }, s?.due ?? 0);
      this.queueDepth.set({ channel, state: 'in_flight' }, s?.inFlight ?? 0);
      this.oldestPending.set({ channel }, ageSeconds(now, s?.oldestPendingAt));
      this.oldestDue.set({ channel }, ageSeconds(now, s?.oldestDueAt));
    }
  }
}

function ageSeconds(now: number, since: number | null | undefined): number {
  if (since === null || since === undefined) return 0;
  return Math.max(0, (now - since) / 1000);
}
