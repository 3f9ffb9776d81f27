/**
 * Waits, through the API, until Herald has nothing left to do: no delivery pending
 * or in flight, and no scheduled notification already due (the triggers fire those
 * and their deliveries follow). Prints the count of open deliveries while retries
 * run down.
 */
import type { DemoApi } from './api-client.ts';

const POLL_MS = 200;
const PROGRESS_MS = 1000;
/** Quiet polls in a row before the demo believes it: a due trigger may fire between. */
const QUIET_POLLS = 2;

export interface AwaitOptions {
  timeoutMs: number;
  progress: (line: string) => void;
}

/** Resolves false when Herald was still busy at the timeout. */
export async function awaitDeliveries(api: DemoApi, options: AwaitOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  const due = dueScheduled(api);
  let lastPrinted = 0;
  let quiet = 0;
  for (;;) {
    // Only open deliveries are fetched while waiting: a short list, where the whole
    // log would grow with every event.
    const pending = await api.all('/v1/deliveries?status=pending');
    const inFlight = await api.all('/v1/deliveries?status=in_flight');
    const open = pending.length + inFlight.length;
    const retrying = pending.filter((d) => d.attempts > 0).length;
    quiet = open === 0 && (await due()) === 0 ? quiet + 1 : 0;

    if (open > 0 && Date.now() - lastPrinted >= PROGRESS_MS) {
      const waiting = retrying > 0 ? `, ${retrying} of them waiting to retry` : '';
      options.progress(`  ${open} deliveries open${waiting}`);
      lastPrinted = Date.now();
    }
    if (quiet >= QUIET_POLLS) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Counts pending scheduled notifications whose time has come. A Herald without the
 * scheduled route (no triggers) answers 404 no_route, and then counts as none.
 */
function dueScheduled(api: DemoApi): () => Promise<number> {
  let routed = true;
  return async () => {
    if (!routed) return 0;
    const answer = await api.call('GET', '/v1/scheduled?limit=1000');
    if (answer.status === 404 && answer.body?.error?.code === 'no_route') {
      routed = false;
      return 0;
    }
    if (answer.status !== 200) {
      throw new Error(
        `GET /v1/scheduled answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    const rows = answer.body.data as { dueAt: string }[];
    return rows.filter((row) => Date.parse(row.dueAt) <= Date.now()).length;
  };
}
