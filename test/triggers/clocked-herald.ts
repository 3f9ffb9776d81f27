/**
 * A real Herald in this process whose triggers read a clock the test sets, on a data
 * folder the test may start it on again (restarts). Its trigger scheduler does not
 * run on a timer: tests fire what is due with `runDue()`, at the clock's time.
 * Tests that share one Herald each take an owner of their own with `owner()`.
 *
 * ```ts
 * const clock = new TestClock('2026-03-01T00:00:00Z');
 * const h = await startClockedHerald({ clock });
 * const c = await h.owner('followups');
 * await c.ok('POST', '/v1/accounts', { id: 'acc-1', timezone: 'Europe/London' });
 * clock.set('2026-03-08T07:00:00Z');
 * await h.runDue();
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHerald, type Herald } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/triggers/clock.ts';
import type { RunReport } from '../../src/triggers/trigger-scheduler.ts';
import { testCertificate } from '../helpers/tls-cert.ts';

export const ADMIN_KEY = 'hk_trigger-tests-admin-key-0123456789';

export class TestClock implements Clock {
  private ms: number;
  constructor(start: string) {
    this.ms = Date.parse(start);
  }
  now(): number {
    return this.ms;
  }
  set(when: string): void {
    this.ms = Date.parse(when);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Calls the API as one owner, with its admin key. */
export interface Client {
  key: string;
  call(method: string, path: string, body?: unknown, key?: string): Promise<Answer>;
  /** Calls and checks the status (any 2xx unless given), answering the body. */
  ok(method: string, path: string, body?: unknown, status?: number): Promise<any>;
}

export interface ClockedHerald extends Client {
  herald: Herald;
  dataDir: string;
  /** A new owner: a namespace of its own, with an admin key. */
  owner(name: string): Promise<Client>;
  runDue(): Promise<RunReport>;
  /** Stops Herald and keeps its data folder, for a restart. */
  stop(): Promise<void>;
  /** Stops Herald and removes its data folder. */
  destroy(): Promise<void>;
}

export interface Answer {
  status: number;
  body: any;
}

export async function startClockedHerald(options: {
  clock: Clock;
  dataDir?: string;
  workers?: boolean;
}): Promise<ClockedHerald> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'herald-triggers-')));
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      adminKey: ADMIN_KEY,
      secretKey: 'test-secret-key-for-trigger-tests',
      allowPrivateTargets: true,
      retrySchedule: [50],
      retryJitter: 0,
      pollIntervalMs: 50,
      webhookCa: (await testCertificate()).cert,
      logLevel: process.env.HERALD_TEST_LOG_LEVEL ?? 'silent',
      deliveryThread: false,
    },
  );
  const herald = await startHerald({
    config,
    clock: options.clock,
    triggers: false,
    workers: options.workers ?? false,
  });
  const admin = client(herald.url, ADMIN_KEY);
  return {
    ...admin,
    herald,
    dataDir,
    async owner(name: string) {
      const created = await admin.ok('POST', '/v1/owners', { name });
      return client(herald.url, created.key.secret);
    },
    runDue: () => herald.triggers.scheduler.runDue(),
    stop: async () => {
      await herald.stop();
    },
    async destroy() {
      await herald.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function client(url: string, ownKey: string): Client {
  async function call(method: string, path: string, body?: unknown, key = ownKey) {
    const response = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function ok(method: string, path: string, body?: unknown, status?: number) {
    const answer = await call(method, path, body);
    const fine = status === undefined ? answer.status < 300 : answer.status === status;
    if (!fine) {
      const shown = JSON.stringify(answer.body);
      throw new Error(`${method} ${path} answered ${answer.status}: ${shown}`);
    }
    return answer.body;
  }

  return { key: ownKey, call, ok };
}

/** The owner's events of one type, oldest first. */
export async function eventsOf(c: Client, type: string): Promise<any[]> {
  const all: any[] = [];
  let after = '';
  for (;;) {
    const page = await c.ok('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`);
    all.push(...page.data);
    if (page.data.length < 1000) break;
    after = page.nextCursor;
  }
  return all.filter((e) => e.type === type);
}

/** The owner's scheduled notifications of one type (every status), oldest first. */
export async function scheduledOf(c: Client, type: string): Promise<any[]> {
  const page = await c.ok('GET', `/v1/scheduled?status=all&limit=1000&type=${type}`);
  return page.data;
}
