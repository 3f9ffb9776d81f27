/**
 * Load on Herald's HTTP API, from a process of its own so that Herald's process
 * does nothing but Herald. Every client is an undici Pool with keep-alive, one
 * connection per concurrent client.
 */
import { setMaxListeners } from 'node:events';

import { Pool } from 'undici';

import { benchEvent } from '../support/bench-event.ts';
import { serveRole } from '../support/child-rpc.ts';
import { atSteadyRate } from '../support/steady-rate.ts';
import { epochMs } from '../support/measure.ts';

interface Target {
  url: string;
  key: string;
}

const pools = new Map<string, Pool>();
let marker = 0;

interface SteadyEvent {
  marker: string;
  sentAt: number;
  /** Herald's acceptedAt, or null when no answer came in time. */
  acceptedAt: number | null;
}

function poolFor(url: string, connections: number): Pool {
  const key = `${url} ${connections}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 120_000 });
    pools.set(key, pool);
  }
  return pool;
}

async function post(
  target: Target,
  connections: number,
  path: string,
  body: unknown,
  signal?: AbortSignal,
) {
  const response = await poolFor(target.url, connections).request({
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.body.text();
  if (response.statusCode !== 202) {
    throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

function batchOf(size: number) {
  return { events: Array.from({ length: size }, () => benchEvent(`m${marker++}`)) };
}

/**
 * `concurrency` clients post for `durationMs`, each as fast as its answers come:
 * batches of `batchSize` to /v1/events/batch, or single events to /v1/events.
 */
async function flood(
  args: Target & { batchSize: number | null; concurrency: number; durationMs: number },
) {
  const { batchSize, concurrency, durationMs } = args;
  const started = performance.now();
  const deadline = started + durationMs;
  let accepted = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      if (batchSize === null) {
        await post(args, concurrency, '/v1/events', benchEvent(`m${marker++}`));
        accepted += 1;
      } else {
        const answer = await post(args, concurrency, '/v1/events/batch', batchOf(batchSize));
        accepted += answer.accepted;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { accepted, elapsedMs: performance.now() - started };
}

/** Posts `total` events in batches, `concurrency` batches at once; resolves when all are in. */
async function feed(args: Target & { total: number; batchSize: number; concurrency: number }) {
  const startedAt = epochMs();
  let left = args.total;
  const client = async () => {
    while (left > 0) {
      const size = Math.min(args.batchSize, left);
      left -= size;
      await post(args, args.concurrency, '/v1/events/batch', batchOf(size));
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, client));
  return { startedAt, endedAt: epochMs() };
}

/**
 * Single events at a steady rate. For each one: its marker, when it was sent, when
 * the 202 came back, and Herald's own acceptedAt from that answer. A POST still
 * unanswered `graceMs` after the last one was sent is given up (acceptedAt null),
 * so an overloaded Herald cannot stretch the run without bound.
 */
async function steady(
  args: Target & { ratePerSecond: number; durationMs: number; graceMs: number },
) {
  const events: SteadyEvent[] = [];
  const giveUp = new AbortController();
  // Every POST in flight listens on the one signal; that is expected here.
  setMaxListeners(Infinity, giveUp.signal);
  const timer = setTimeout(() => giveUp.abort(), args.durationMs + args.graceMs);
  await atSteadyRate(args.ratePerSecond, args.durationMs, async () => {
    const event: SteadyEvent = { marker: `m${marker++}`, sentAt: epochMs(), acceptedAt: null };
    events.push(event);
    try {
      const body = benchEvent(event.marker);
      const answer = await post(args, 64, '/v1/events', body, giveUp.signal);
      event.acceptedAt = Date.parse(answer.acceptedAt);
    } catch (error) {
      if (!giveUp.signal.aborted) throw error;
    }
  });
  clearTimeout(timer);
  return events;
}

serveRole({
  flood,
  feed,
  steady,
  stop: async () => {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  },
});
