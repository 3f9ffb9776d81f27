import type { Channel } from '../store/store.ts';
import type { StopReport } from './dispatcher.ts';

/** What a process tells its delivery thread (see delivery-thread.ts). */
export type ToThread =
  { type: 'wake' } | { type: 'records' } | { type: 'inFlight'; id: number } | { type: 'stop' };

/** One thing the thread's workers did, for the process's metrics. */
export type Observation =
  | ['attempted', Channel, number, string | null]
  | ['finished', Channel, 'succeeded' | 'failed' | 'cancelled']
  | ['released', Channel]
  | ['accepted', string, number];

/** What the delivery thread tells its process. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'facts' }
  | { type: 'observed'; observations: Observation[] }
  | { type: 'inFlight'; id: number; counts: Record<Channel, number> }
  | { type: 'stopped'; report: StopReport };
