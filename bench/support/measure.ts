/** Clocks and summaries the figures share. */

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Processes on one machine
 * read the same clock, so a time taken in the receiver's process can be compared
 * with one taken in the load generator's.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The value below which `p` (0..1) of the samples fall; NaN for no samples. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
