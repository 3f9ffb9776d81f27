/**
 * The raw limit of webhook work: undici POSTing bodies to the receiver with no
 * Herald in between, through a keep-alive Agent shaped like Herald's own sender
 * (one pool per origin, the same number of connections, no pipelining).
 */
import { Agent } from 'undici';

import { serveRole } from '../support/child-rpc.ts';
import { atSteadyRate } from '../support/steady-rate.ts';

interface RawRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

let agent: Agent | undefined;

async function postOnce(request: RawRequest) {
  const response = await agent!.request({
    origin: new URL(request.url).origin,
    path: new URL(request.url).pathname,
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`receiver answered ${response.statusCode}`);
}

serveRole({
  open: ({ ca, connections }: { ca: string; connections: number }) => {
    agent = new Agent({ connections, pipelining: 1, connect: { ca } });
  },

  /** POSTs for `durationMs`, `concurrency` in flight, taking the requests round robin. */
  posts: async (args: { requests: RawRequest[]; durationMs: number; concurrency: number }) => {
    const started = performance.now();
    let posts = 0;
    const worker = async () => {
      while (performance.now() - started < args.durationMs) {
        await postOnce(args.requests[posts++ % args.requests.length]);
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, worker));
    return { posts, elapsedMs: performance.now() - started };
  },

  /** One request at a steady rate; each POST's own time, in ms. */
  steady: async (args: { request: RawRequest; ratePerSecond: number; durationMs: number }) => {
    const latencies: number[] = [];
    await atSteadyRate(args.ratePerSecond, args.durationMs, async () => {
      const started = performance.now();
      await postOnce(args.request);
      latencies.push(performance.now() - started);
    });
    return latencies;
  },

  stop: async () => {
    await agent?.close();
  },
});
