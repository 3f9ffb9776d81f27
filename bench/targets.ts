/**
 * The targets, one per figure id: how a row's ratio is read and whether
 * it meets the target. Ratios are Herald / raw from the same run; these machines
 * are shared and noisy, so only ratios compare across runs.
 */
import type { FigureRow } from './support/figure.ts';

export interface Target {
  text: string;
  /** true or false against the target; null for figures shown without a target. */
  met(row: FigureRow, ratio: number | null): boolean | null;
}

const atLeast = (share: number): Target => ({
  text: `ratio >= ${share}`,
  met: (_row, ratio) => (ratio === null ? false : ratio >= share),
});

const none: Target = { text: '', met: () => null };

export const TARGETS: Record<string, Target> = {
  'intake-batch': atLeast(0.5),
  'intake-single': atLeast(0.5),
  'webhook-1': atLeast(0.5),
  'webhook-5': none,
  'latency-p50': none,
  'latency-p99': {
    text: '<= 25 ms and ratio <= 5',
    met: (row, ratio) => row.herald !== null && row.herald <= 25 && ratio !== null && ratio <= 5,
  },
  'latency-max': none,
  email: atLeast(0.7),
  'backlog-rss': {
    text: '<= 200 MB',
    met: (row) => row.herald !== null && row.herald <= 200,
  },
  'claim-rate': atLeast(0.8),
};

export function ratioOf(row: FigureRow): number | null {
  if (row.herald === null || row.raw === null || row.raw === 0) return null;
  return row.herald / row.raw;
}
