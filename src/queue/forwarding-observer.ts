import type { HeraldObserver } from '../metrics/herald-metrics.ts';
import type { Channel } from '../store/store.ts';
import type { Observation } from './delivery-thread-messages.ts';

/**
 * The delivery thread's metrics, kept by its process rather than by the thread:
 * what the workers observe is sent across, one message per turn of the loop, and
 * counted there. So the process's counters run on when the thread is started
 * again, as Prometheus expects of a process that did not restart.
 */
export class ForwardingObserver implements HeraldObserver {
  private pending: Observation[] = [];

  constructor(private readonly send: (observations: Observation[]) => void) {}

  attempted(channel: Channel, durationMs: number, errorCode: string | null): void {
    this.push(['attempted', channel, durationMs, errorCode]);
  }

  finished(channel: Channel, outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    this.push(['finished', channel, outcome]);
  }

  releasedAtShutdown(channel: Channel): void {
    this.push(['released', channel]);
  }

  accepted(type: string, count = 1): void {
    this.push(['accepted', type, count]);
  }

  /** Sends what is waiting now (before the thread stops). */
  flush(): void {
    if (this.pending.length === 0) return;
    const observations = this.pending;
    this.pending = [];
    this.send(observations);
  }

  private push(observation: Observation): void {
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(observation);
  }
}

/** Counts a thread's observations in its process's metrics. */
export function replay(observations: Observation[], into: HeraldObserver): void {
  for (const o of observations) {
    if (o[0] === 'attempted') into.attempted(o[1], o[2], o[3]);
    else if (o[0] === 'finished') into.finished(o[1], o[2]);
    else if (o[0] === 'released') into.releasedAtShutdown(o[1]);
    else into.accepted(o[1], o[2]);
  }
}
