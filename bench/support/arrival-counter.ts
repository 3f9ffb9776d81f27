import { epochMs } from './measure.ts';

/**
 * Counts arrivals (webhooks, emails) and lets a caller wait for a number of them.
 * It keeps no copy of what arrived, so counting a million costs nothing.
 */
export class ArrivalCounter {
  count = 0;
  /** epochMs() of the latest arrival. */
  lastAt = 0;
  private readonly waiters = new Set<() => void>();

  add(): number {
    this.count += 1;
    this.lastAt = epochMs();
    for (const wake of this.waiters) wake();
    return this.lastAt;
  }

  reset(): void {
    this.count = 0;
    this.lastAt = 0;
  }

  /** The count now, with the time of the latest arrival and the time of asking. */
  snapshot() {
    return { count: this.count, at: this.lastAt, now: epochMs() };
  }

  /** Resolves once `wanted` arrivals are in, with the time of the one that made it. */
  waitFor({ count: wanted, timeoutMs }: { count: number; timeoutMs: number }) {
    return new Promise<{ count: number; at: number }>((resolve, reject) => {
      const check = () => {
        if (this.count < wanted) return;
        done();
        resolve(this.snapshot());
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`got ${this.count} arrivals in ${timeoutMs} ms, expected ${wanted}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
