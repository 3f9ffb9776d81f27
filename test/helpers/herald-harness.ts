/**
 * Starts a real Herald in this process for a test: its own temporary data folder
 * and SQLite file, the API on a random loopback port, the development switch on so
 * webhooks may reach the local receiver, and a short retry schedule. When
 * HERALD_TEST_DATABASE_URL is set (`npm test` does so for its PostgreSQL run), it
 * stores in a fresh PostgreSQL database instead, dropped again by stop().
 *
 * ```ts
 * const herald = await startTestHerald();
 * const res = await herald.api('POST', '/v1/accounts', { id: 'a1' });
 * await herald.stop();
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHerald, type Herald } from '../../src/app.ts';
import { loadConfig, type HeraldConfig } from '../../src/config.ts';
import { testCertificate } from './tls-cert.ts';
import { smtpTestCertificate } from './smtp-cert.ts';
import { createTestDatabase } from './postgres-database.ts';

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export interface TestHerald {
  herald: Herald;
  url: string;
  adminKey: string;
  dataDir: string;
  /** Calls the API with the admin key, or the key given. */
  api(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<ApiAnswer>;
  /** Waits until no delivery is pending or in flight. */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  key?: string;
  headers?: Record<string, string>;
  /** Send this string as the body as it is, without JSON encoding. */
  raw?: string;
}

export async function startTestHerald(overrides: Partial<HeraldConfig> = {}): Promise<TestHerald> {
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-test-'));
  const database = overrides.databaseUrl ? undefined : await createTestDatabase();
  const cert = await testCertificate();
  const smtpCert = await smtpTestCertificate();
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      secretKey: 'test-secret-key-for-herald-tests',
      allowPrivateTargets: true,
      retrySchedule: [50, 100, 200],
      retryJitter: 0,
      pollIntervalMs: 100,
      webhookCa: cert.cert,
      logLevel: process.env.HERALD_TEST_LOG_LEVEL ?? 'silent',
      databaseUrl: database?.url,
      // One event loop, as the tests of the parts expect (and a faster start);
      // delivery-thread.test.ts runs the thread the CLI starts by default.
      deliveryThread: false,
      ...overrides,
    },
  );
  const herald = await startHerald({ config, smtpCa: smtpCert.cert }).catch(async (error) => {
    await database?.drop();
    throw error;
  });
  const adminKey = herald.firstAdminKey!;

  async function api(method: string, path: string, body?: unknown, options: RequestOptions = {}) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.key ?? adminKey}`,
      ...options.headers,
    };
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const response = await fetch(herald.url + path, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the assertion message.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  async function drain(timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await herald.store.countDeliveries();
      if (counts.pending === 0 && counts.in_flight === 0) return;
      if (Date.now() > deadline)
        throw new Error(`deliveries still queued: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    herald,
    url: herald.url,
    adminKey,
    dataDir,
    api,
    drain,
    async stop() {
      await herald.stop();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
