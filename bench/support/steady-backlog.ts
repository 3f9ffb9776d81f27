import type { RoleProcess } from './child-rpc.ts';
import { sleep } from './measure.ts';

export interface BacklogRun {
  /** Arrivals per second inside the measured window. */
  arrivalsPerSecond: number;
  arrivals: number;
  windowMs: number;
  /** CPU time this process (Herald, all its threads) spent per arrival, in µs. */
  cpuMicrosPerArrival: number;
}

/**
 * Measures a delivery pipeline in its steady state, in bounded time however fast
 * Herald is: events are posted through the API in batches (by the api-load role)
 * whenever fewer than `backlog` arrivals are outstanding, so intake runs beside
 * delivery and the queue never runs dry; after `warmUpMs`, arrivals are counted
 * for `windowMs`. `perEvent` is how many arrivals one event makes (endpoints).
 */
export async function measureWithBacklog(options: {
  load: RoleProcess;
  target: { url: string; key: string };
  /** The receiving side's count, with its own clock at the time of counting. */
  arrivals: () => Promise<{ count: number; now: number }>;
  perEvent: number;
  backlog: number;
  warmUpMs: number;
  windowMs: number;
}): Promise<BacklogRun> {
  const { load, perEvent, backlog } = options;
  const base = (await options.arrivals()).count;
  let fedEvents = 0;
  let running = true;
  let feedError: unknown;

  const feeder = (async () => {
    while (running) {
      const outstanding = fedEvents * perEvent - ((await options.arrivals()).count - base);
      if (outstanding >= backlog) {
        await sleep(20);
        continue;
      }
      const total = Math.max(100, Math.ceil((backlog - outstanding) / perEvent / 2));
      await load.call('feed', { ...options.target, total, batchSize: 100, concurrency: 2 });
      fedEvents += total;
    }
  })().catch((error: unknown) => {
    feedError = error;
  });

  try {
    // The window is timed on the receiving side's clock: this process is Herald's,
    // and a busy Herald would make its own timers (and the answers) late.
    await sleep(options.warmUpMs);
    const start = await options.arrivals();
    const cpuAtStart = process.cpuUsage();
    await sleep(options.windowMs);
    const end = await options.arrivals();
    const cpu = process.cpuUsage(cpuAtStart);
    if (feedError) throw feedError;
    const arrivals = end.count - start.count;
    const windowMs = end.now - start.now;
    return {
      arrivals,
      windowMs,
      arrivalsPerSecond: (arrivals * 1000) / windowMs,
      cpuMicrosPerArrival: (cpu.user + cpu.system) / Math.max(1, arrivals),
    };
  } finally {
    running = false;
    await feeder;
  }
}
