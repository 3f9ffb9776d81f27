/**
 * Figure 3, latency: single events posted at a steady 1,000 per second (open loop),
 * each to one endpoint; for each, the time from Herald's own acceptedAt stamp (in
 * the 202) to the moment the receiver had the whole webhook. Both clocks are this
 * machine's wall clock, read in different processes.
 *
 * Raw: the webhook's own POST at the same rate, client to receiver and back.
 */
import { addAccount, addEndpoints, startBenchHerald } from './support/bench-herald.ts';
import { spawnRole, type RoleProcess } from './support/child-rpc.ts';
import { runFigure, type FigureContext, type FigureRow } from './support/figure.ts';
import { epochMs, summarise, type LatencySummary } from './support/measure.ts';
import { replayOf, startReceiverProcess, type ReceiverHandle } from './support/receiver-handle.ts';

const RATE = 1000;
// Events still on their way this long after the last POST (2 s in quick mode) are
// given up on: their latency is at least the time observed, so the percentiles
// become lower bounds.
const GRACE_MS = 10_000;
const QUICK_GRACE_MS = 2000;
// At least this long at the full rate before the clock starts.
const WARM_UP_MS = 3000;

interface SentEvent {
  marker: string;
  sentAt: number;
  acceptedAt: number | null;
}

interface HeraldLatency {
  accepted: LatencySummary;
  submitted: LatencySummary;
  missing: number;
  sample: ReturnType<typeof replayOf>;
}

async function heraldLatency(
  ctx: FigureContext,
  receiver: ReceiverHandle,
  load: RoleProcess,
  durationMs: number,
  graceMs: number,
): Promise<HeraldLatency> {
  const h = await startBenchHerald({
    database: ctx.database,
    workers: true,
    webhookCa: receiver.ca,
  });
  try {
    await addAccount(h);
    const [endpoint] = await addEndpoints(h, receiver.urls.slice(0, 1));
    await receiver.setSecret(0, endpoint.secret);
    const target = { url: h.herald.url, key: h.key, ratePerSecond: RATE, graceMs };

    // The warm-up opens the connections on both sides and lets V8 compile the hot
    // paths of both of Herald's threads; a Herald that cannot keep up is still
    // working through it when the clock starts, which then shows.
    const warmUpMs = Math.max(WARM_UP_MS, durationMs / 3);
    await load.call('steady', { ...target, durationMs: warmUpMs, graceMs: warmUpMs });
    await receiver.waitFor((RATE * warmUpMs) / 1000, warmUpMs).catch(() => undefined);
    await receiver.reset();
    await receiver.track(true);
    ctx.log('latency: warmed up, measuring');
    const sent = await load.call<SentEvent[]>('steady', { ...target, durationMs });
    await receiver.waitFor(sent.length, graceMs).catch(() => undefined);
    const observedUntil = epochMs();
    await receiver.track(false);
    const arrived = new Map(await receiver.arrivals());
    const [sample] = await receiver.samples();
    ctx.log('latency: measured, stopping Herald');

    // What never arrived took at least until the observation ended.
    const at = (e: SentEvent) => arrived.get(e.marker) ?? observedUntil;
    return {
      accepted: summarise(sent.map((e) => at(e) - (e.acceptedAt ?? e.sentAt))),
      submitted: summarise(sent.map((e) => at(e) - e.sentAt)),
      missing: sent.filter((e) => !arrived.has(e.marker)).length,
      sample: replayOf(receiver.urls[0], sample!),
    };
  } finally {
    await h.stop();
    await h.discard();
  }
}

async function rawLatency(raw: RoleProcess, herald: HeraldLatency, durationMs: number) {
  const request = herald.sample;
  await raw.call('steady', { request, ratePerSecond: RATE, durationMs: durationMs / 3 });
  const latencies = await raw.call<number[]>('steady', {
    request,
    ratePerSecond: RATE,
    durationMs,
  });
  return summarise(latencies);
}

runFigure(async (ctx): Promise<FigureRow[]> => {
  const durationMs = ctx.quick ? 3000 : 10_000;
  const graceMs = ctx.quick ? QUICK_GRACE_MS : GRACE_MS;
  const [receiver, load, raw] = await Promise.all([
    startReceiverProcess(1),
    spawnRole('api-load.ts'),
    spawnRole('raw-https.ts'),
  ]);
  try {
    ctx.log(`latency: ${RATE} events/s for ${durationMs} ms`);
    const herald = await heraldLatency(ctx, receiver, load, durationMs, graceMs);
    ctx.log('latency: raw POSTs at the same rate');
    await raw.call('open', { ca: receiver.ca, connections: 64 });
    const rawTimes = await rawLatency(raw, herald, durationMs);

    const lost = herald.missing
      ? `; ${herald.missing} of ${herald.accepted.count} not received within ` +
        `${graceMs / 1000} s of the last POST, so these are lower bounds`
      : '';
    const row = (id: string, label: string, key: 'p50' | 'p99' | 'max'): FigureRow => ({
      id,
      figure: `latency ${label} at ${RATE}/s`,
      database: ctx.database.kind,
      herald: herald.accepted[key],
      raw: rawTimes[key],
      unit: 'ms',
      note:
        `accepted to received; from the client's send: ${herald.submitted[key].toFixed(1)} ms` +
        `; raw: the webhook POST's own round trip${lost}`,
    });
    return [
      row('latency-p50', 'p50', 'p50'),
      row('latency-p99', 'p99', 'p99'),
      row('latency-max', 'max', 'max'),
    ];
  } finally {
    await Promise.all([receiver.stop(), load.stop(), raw.stop()]);
  }
});
