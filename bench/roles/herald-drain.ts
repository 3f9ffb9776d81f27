/**
 * Herald draining a backlog, in a process of its own so that its peak memory is
 * Herald's alone: it starts on data an earlier Herald left (workers on) and
 * samples its resident set size until told to stop.
 */
import { readFileSync } from 'node:fs';

import { startBenchHerald, type BenchHerald, type ReusedData } from '../support/bench-herald.ts';
import { serveRole } from '../support/child-rpc.ts';
import type { BenchDatabase } from '../support/figure.ts';

const MB = 1024 * 1024;
let h: BenchHerald | undefined;
let peak = 0;
let sampler: NodeJS.Timeout | undefined;

function sample(): number {
  const rss = process.memoryUsage.rss();
  peak = Math.max(peak, rss);
  return rss;
}

/** The kernel's own high-water mark of this process, where Linux tells it. */
function kernelPeak(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

serveRole({
  start: async (args: { database: BenchDatabase; reuse: ReusedData; webhookCa: string }) => {
    const beforeMb = sample() / MB;
    sampler = setInterval(sample, 50);
    h = await startBenchHerald({ ...args, workers: true });
    return { beforeMb, startedMb: sample() / MB };
  },
  memory: () => ({
    peakMb: Math.max(peak, kernelPeak() ?? 0) / MB,
    sampledPeakMb: peak / MB,
    nowMb: sample() / MB,
  }),
  stop: async () => {
    clearInterval(sampler);
    await h?.stop();
  },
});
