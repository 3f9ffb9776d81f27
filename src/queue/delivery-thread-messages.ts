import type { MetricSeries } from '../metrics/herald-metrics.ts';
import type { StopReport } from './dispatcher.ts';

/** What a process tells its delivery thread (see delivery-thread.ts). */
export type ToThread =
  { type: 'wake' } | { type: 'records' } | { type: 'metrics'; id: number } | { type: 'stop' };

/** What the delivery thread tells its process. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'facts' }
  | { type: 'metrics'; id: number; series: MetricSeries }
  | { type: 'stopped'; report: StopReport };
