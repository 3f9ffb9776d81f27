/**
 * Figure 5, memory and scale, on a backlog of pending webhook deliveries (one
 * million; 100,000 in quick mode) that built up while the receiver was away:
 *
 * - the claim rate of store.claimDeliveries with that backlog, against the rate
 *   with a backlog of ten thousand;
 * - the peak resident memory of a Herald process draining it once the receiver
 *   is back, over the whole drain or a bounded window of it.
 */
import {
  addAccount,
  addEndpoints,
  startBenchHerald,
  type BenchHerald,
  type ReusedData,
} from './support/bench-herald.ts';
import { claimRates, insertBacklog, type ClaimRate } from './support/backlog-setup.ts';
import { runFigure, type FigureContext, type FigureRow } from './support/figure.ts';
import { epochMs } from './support/measure.ts';
import { ensureServerBuild, startWorkerProcess } from './support/worker-process.ts';
import { startReceiverProcess, type ReceiverHandle } from './support/receiver-handle.ts';
import type { Store } from '../src/store/store.ts';

const SMALL_BACKLOG = 10_000;

interface Backlogged {
  h: BenchHerald;
  reuse: ReusedData;
}

/** A Herald without workers whose store holds `count` pending deliveries. */
async function backlogged(
  ctx: FigureContext,
  receiver: ReceiverHandle,
  count: number,
): Promise<Backlogged> {
  const h = await startBenchHerald({ database: ctx.database, workers: false });
  try {
    await addAccount(h);
    const [endpoint] = await addEndpoints(h, receiver.urls.slice(0, 1));
    await receiver.setSecret(0, endpoint.secret);
    const started = performance.now();
    await insertBacklog(h.herald.store, h.ownerId, endpoint, count);
    ctx.log(`backlog: ${count} deliveries queued in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    await h.stop();
    await h.discard();
    throw error;
  }
  const { dataDir, ownerId, key } = h;
  return { h, reuse: { dataDir, databaseUrl: h.config.databaseUrl, ownerId, key } };
}

interface Drained {
  peakMb: number;
  delivered: number;
  drainable: number;
  seconds: number;
}

/** Starts Herald's workers on the backlog, as an operator runs them, and watches them drain it. */
async function drain(
  ctx: FigureContext,
  receiver: ReceiverHandle,
  data: Backlogged,
  drainable: number,
  drainMs: number,
): Promise<Drained> {
  await receiver.reset();
  ensureServerBuild();
  const started = epochMs();
  const worker = await startWorkerProcess({
    dataDir: data.reuse.dataDir,
    databaseUrl: data.reuse.databaseUrl,
    webhookCa: receiver.ca,
  });
  try {
    await receiver.waitFor(drainable, drainMs).catch(() => undefined);
    const received = await receiver.count();
    const peakMb = worker.peakMb();
    const seconds = (Math.max(received.at, started + 1) - started) / 1000;
    return { peakMb, delivered: received.count, drainable, seconds };
  } finally {
    await worker.stop();
  }
}

const thousands = (n: number) => n.toLocaleString('en');

function rssRow(ctx: FigureContext, big: number, d: Drained): FigureRow {
  const span = d.delivered >= d.drainable ? 'whole drain' : `first ${Math.round(d.seconds)} s`;
  return {
    id: 'backlog-rss',
    figure: `peak RSS, ${thousands(big)} backlog`,
    database: ctx.database.kind,
    herald: d.peakMb,
    raw: null,
    unit: 'MB',
    note:
      `${span} of the drain: ${d.delivered} of ${d.drainable} delivered ` +
      `(${Math.round(d.delivered / d.seconds)}/s) by \`herald start --role workers\` ` +
      '(compiled, as npm start runs it), its peak as the kernel counts it (VmHWM)',
  };
}

function claimRow(ctx: FigureContext, big: number, large: ClaimRate, small: ClaimRate) {
  return {
    id: 'claim-rate',
    figure: `claim rate, ${thousands(big)} / ${thousands(SMALL_BACKLOG)} backlog`,
    database: ctx.database.kind,
    herald: large.perSecond,
    raw: small.perSecond,
    unit: 'claims/s',
    note:
      `deliveries claimed per second, ${large.calls} calls of ${large.claimed / large.calls} ` +
      `on each backlog in turns: ${large.msPerCall.toFixed(2)} ms a call, against ` +
      `${small.msPerCall.toFixed(2)} ms with ${thousands(SMALL_BACKLOG)} pending ` +
      '(the "raw" column)',
  } satisfies FigureRow;
}

runFigure(async (ctx): Promise<FigureRow[]> => {
  const big = ctx.quick ? 100_000 : 1_000_000;
  const claimCalls = ctx.quick ? 100 : 300;
  // A full drain of a large backlog can take long on a slow Herald: the window
  // is bounded, and the note says how much of the backlog it covered.
  const drainMs = ctx.quick ? 6000 : 300_000;
  const receiver = await startReceiverProcess(1);
  const made: Backlogged[] = [];
  try {
    ctx.log(`backlog: ${SMALL_BACKLOG} and ${big} pending deliveries`);
    const small = await backlogged(ctx, receiver, SMALL_BACKLOG);
    made.push(small);
    const large = await backlogged(ctx, receiver, big);
    made.push(large);

    ctx.log('backlog: claim rates');
    const limit = large.h.config.workerConcurrency;
    const stores: [Store, Store] = [large.h.herald.store, small.h.herald.store];
    const [onLarge, onSmall] = await claimRates(stores, limit, claimCalls);
    await small.h.stop();
    await large.h.stop();

    ctx.log('backlog: draining');
    const drained = await drain(ctx, receiver, large, big - onLarge.claimed, drainMs);
    return [rssRow(ctx, big, drained), claimRow(ctx, big, onLarge, onSmall)];
  } finally {
    for (const { h } of made) {
      await h.stop();
      await h.discard();
    }
    await receiver.stop();
  }
});
