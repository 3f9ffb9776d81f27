/**
 * Figure 2, webhook delivery: events per second from intake to acknowledged by a
 * local HTTPS receiver (keep-alive, signatures on), each event to one endpoint,
 * then to five. Events are posted through the API all along, so intake and
 * delivery share Herald's process as in production; the rate is taken in
 * Herald's steady state, over a window in which its queue never runs dry (see
 * steady-backlog.ts).
 *
 * Raw limit: undici POSTing the very bodies and headers Herald sent to the same
 * receiver, as many in flight as Herald's workerConcurrency.
 */
import { addAccount, addEndpoints, startBenchHerald } from './support/bench-herald.ts';
import { spawnRole, type RoleProcess } from './support/child-rpc.ts';
import { runFigure, perSecond, type FigureContext, type FigureRow } from './support/figure.ts';
import { replayOf, startReceiverProcess, type ReceiverHandle } from './support/receiver-handle.ts';
import { measureWithBacklog } from './support/steady-backlog.ts';

// Herald's sender keeps this many connections per origin; the raw agent matches it.
const CONNECTIONS_PER_ORIGIN = 64;
// Deliveries kept waiting in Herald's queue while the window is measured.
const BACKLOG = 2000;

interface Measured {
  eventsPerSecond: number;
  deliveries: number;
  cpuMicrosPerDelivery: number;
  concurrency: number;
  verified: boolean;
  samples: ReturnType<typeof replayOf>[];
}

async function heraldDelivery(
  ctx: FigureContext,
  receiver: ReceiverHandle,
  load: RoleProcess,
  endpoints: number,
  timing: { warmUpMs: number; windowMs: number },
): Promise<Measured> {
  const h = await startBenchHerald({
    database: ctx.database,
    workers: true,
    webhookCa: receiver.ca,
  });
  try {
    await addAccount(h);
    const urls = receiver.urls.slice(0, endpoints);
    const added = await addEndpoints(h, urls);
    for (const [i, { secret }] of added.entries()) await receiver.setSecret(i, secret);
    await receiver.reset();
    const run = await measureWithBacklog({
      load,
      target: { url: h.herald.url, key: h.key },
      arrivals: () => receiver.count(),
      perEvent: endpoints,
      backlog: BACKLOG,
      ...timing,
    });
    const samples = await receiver.samples();
    return {
      eventsPerSecond: run.arrivalsPerSecond / endpoints,
      deliveries: run.arrivals,
      cpuMicrosPerDelivery: run.cpuMicrosPerArrival,
      concurrency: h.config.workerConcurrency,
      verified: samples.every((s) => s?.verified === true),
      samples: samples.map((sample, i) => replayOf(urls[i], sample!)),
    };
  } finally {
    await h.stop();
    await h.discard();
  }
}

async function rawDelivery(
  raw: RoleProcess,
  measured: Measured,
  timing: { warmUpMs: number; windowMs: number },
) {
  const requests = measured.samples;
  const concurrency = measured.concurrency;
  await raw.call('posts', { requests, durationMs: timing.warmUpMs, concurrency });
  const run = await raw.call<{ posts: number; elapsedMs: number }>('posts', {
    requests,
    durationMs: timing.windowMs,
    concurrency,
  });
  return perSecond(run.posts, run.elapsedMs) / requests.length;
}

runFigure(async (ctx): Promise<FigureRow[]> => {
  const timing = ctx.quick
    ? { warmUpMs: 1000, windowMs: 3000 }
    : { warmUpMs: 3000, windowMs: 15_000 };
  const [receiver, load, raw] = await Promise.all([
    startReceiverProcess(5),
    spawnRole('api-load.ts'),
    spawnRole('raw-https.ts'),
  ]);
  try {
    await raw.call('open', { ca: receiver.ca, connections: CONNECTIONS_PER_ORIGIN });
    const rows: FigureRow[] = [];
    for (const endpoints of [1, 5]) {
      ctx.log(`webhooks: ${endpoints} endpoint(s), ${timing.windowMs} ms`);
      const herald = await heraldDelivery(ctx, receiver, load, endpoints, timing);
      const rawRate = await rawDelivery(raw, herald, timing);
      rows.push({
        id: endpoints === 1 ? 'webhook-1' : 'webhook-5',
        figure: `webhook delivery, ${endpoints} endpoint${endpoints === 1 ? '' : 's'}`,
        database: ctx.database.kind,
        herald: herald.eventsPerSecond,
        raw: rawRate,
        unit: 'events/s',
        note:
          `${herald.deliveries} deliveries timed, ` +
          `${Math.round(herald.cpuMicrosPerDelivery)} µs of Herald's CPU each; ` +
          `raw: ${herald.concurrency} in ` +
          `flight; signatures ${herald.verified ? 'verified' : 'NOT verified'} by the receiver`,
      });
    }
    return rows;
  } finally {
    await Promise.all([receiver.stop(), load.stop(), raw.stop()]);
  }
});
