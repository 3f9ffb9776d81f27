import { spawnRole } from './child-rpc.ts';

/** The parent's view of bench/roles/smtp-sink.ts: typed calls over IPC. */
export interface SinkHandle {
  port: number;
  /** Messages since the last reset, and the sink's clock. */
  count(): Promise<{ count: number; at: number; now: number }>;
  /** The first message since the last reset, as it arrived. */
  first(): Promise<string | undefined>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSinkProcess(): Promise<SinkHandle> {
  const role = await spawnRole('smtp-sink.ts');
  const { port } = await role.call<{ port: number }>('start');
  return {
    port,
    count: () => role.call('count'),
    first: () => role.call('first'),
    reset: () => role.call('reset'),
    stop: () => role.stop(),
  };
}
