import { spawnRole, type RoleProcess } from './child-rpc.ts';

export interface ReceivedSample {
  path: string;
  headers: Record<string, string>;
  body: string;
  verified: boolean | null;
  verifyError?: string;
}

/** The parent's view of bench/roles/receiver.ts: typed calls over IPC. */
export interface ReceiverHandle {
  urls: string[];
  ca: string;
  setSecret(index: number, secret: string): Promise<void>;
  waitFor(count: number, timeoutMs: number): Promise<{ count: number; at: number }>;
  /** Requests and TLS connections since the last reset, and the receiver's clock. */
  count(): Promise<{ count: number; at: number; now: number; connections: number }>;
  /** The first request each server got since the last reset. */
  samples(): Promise<(ReceivedSample | null)[]>;
  reset(): Promise<void>;
  track(on: boolean): Promise<void>;
  /** [marker, epochMs] of each tracked arrival. */
  arrivals(): Promise<[string, number][]>;
  stop(): Promise<void>;
}

/**
 * A request Herald sent, ready to be sent again by a raw client: the same body and
 * headers, less those that belong to one connection (the client sets its own).
 */
export function replayOf(url: string, sample: ReceivedSample) {
  const perConnection = new Set(['host', 'connection', 'content-length']);
  const headers = Object.entries(sample.headers).filter(([name]) => !perConnection.has(name));
  return { url, body: sample.body, headers: Object.fromEntries(headers) };
}

export async function startReceiverProcess(servers: number): Promise<ReceiverHandle> {
  const role: RoleProcess = await spawnRole('receiver.ts');
  const { urls, ca } = await role.call<{ urls: string[]; ca: string }>('start', { servers });
  return {
    urls,
    ca,
    setSecret: (index, secret) => role.call('setSecret', { index, secret }),
    waitFor: (count, timeoutMs) => role.call('waitFor', { count, timeoutMs }),
    count: () => role.call('count'),
    samples: () => role.call('samples'),
    reset: () => role.call('reset'),
    track: (on) => role.call('track', on),
    arrivals: () => role.call('arrivals'),
    stop: () => role.stop(),
  };
}
