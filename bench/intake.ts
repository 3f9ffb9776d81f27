/**
 * Figure 1, intake: events per second accepted through the HTTP API, durable
 * before the 202. Delivery workers are off, so only intake is measured; each event
 * still fans out to one pending delivery, as in production.
 *
 * - batches of 100 to POST /v1/events/batch from 4 clients;
 * - single events to POST /v1/events from 64 concurrent clients.
 *
 * Raw limit: the same rows inserted with no HTTP in between (see raw-sqlite.ts),
 * 100 events per transaction, or one per transaction for the single case.
 */
import { addAccount, addEndpoints, startBenchHerald } from './support/bench-herald.ts';
import { spawnRole, type RoleProcess } from './support/child-rpc.ts';
import { runFigure, type FigureContext, type FigureRow } from './support/figure.ts';
import { rawIntake } from './support/raw-intake.ts';

const BATCH = 100;
const BATCH_CLIENTS = 4;
const SINGLE_CLIENTS = 64;

// Never called: the workers are off. Private targets are allowed, so any port is.
const IDLE_RECEIVER = 'https://127.0.0.1:9/hooks';

async function heraldIntake(
  ctx: FigureContext,
  load: RoleProcess,
  batchSize: number | null,
  concurrency: number,
  durationMs: number,
) {
  const h = await startBenchHerald({ database: ctx.database, workers: false });
  try {
    await addAccount(h);
    await addEndpoints(h, [IDLE_RECEIVER]);
    const target = { url: h.herald.url, key: h.key, batchSize, concurrency };
    // A short warm-up first, so the JIT and SQLite's page cache are in their
    // steady state before the clock starts.
    await load.call('flood', { ...target, durationMs: Math.min(1000, durationMs / 4) });
    const run = await load.call<{ accepted: number; elapsedMs: number }>('flood', {
      ...target,
      durationMs,
    });
    return (run.accepted * 1000) / run.elapsedMs;
  } finally {
    await h.stop();
    await h.discard();
  }
}

runFigure(async (ctx): Promise<FigureRow[]> => {
  const durationMs = ctx.quick ? 2000 : 10_000;
  const database = ctx.database.kind;
  const load = await spawnRole('api-load.ts');
  try {
    // Herald and raw take turns, so that a change in the machine's load over the
    // run does not fall on one side only.
    ctx.log(`intake: batches of ${BATCH}, ${durationMs} ms`);
    const batchHerald = await heraldIntake(ctx, load, BATCH, BATCH_CLIENTS, durationMs);
    const batchRaw = await rawIntake(ctx.database, BATCH, BATCH_CLIENTS, durationMs);
    ctx.log(`intake: single events from ${SINGLE_CLIENTS} clients, ${durationMs} ms`);
    const singleHerald = await heraldIntake(ctx, load, null, SINGLE_CLIENTS, durationMs);
    const singleRaw = await rawIntake(ctx.database, 1, SINGLE_CLIENTS, durationMs);
    return rows(database, { batchHerald, batchRaw, singleHerald, singleRaw });
  } finally {
    await load.stop();
  }
});

function rows(
  database: FigureRow['database'],
  m: { batchHerald: number; batchRaw: number; singleHerald: number; singleRaw: number },
): FigureRow[] {
  return [
    {
      id: 'intake-batch',
      figure: `intake, batches of ${BATCH}`,
      database,
      herald: m.batchHerald,
      raw: m.batchRaw,
      unit: 'events/s',
      note: `${BATCH_CLIENTS} clients; raw: ${BATCH} events per transaction`,
    },
    {
      id: 'intake-single',
      figure: `intake, single events, ${SINGLE_CLIENTS} clients`,
      database,
      herald: m.singleHerald,
      raw: m.singleRaw,
      unit: 'events/s',
      note: 'raw: one transaction per event',
    },
  ];
}
