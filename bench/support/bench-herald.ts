/**
 * Starts Herald in this process for a figure, on a fresh temporary data folder (and,
 * for PostgreSQL, a fresh database), with the development switch on so webhooks may
 * reach the benchmark's receiver on 127.0.0.1, and configures one owner the way a
 * real tenant would: through the HTTP API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startHerald, type Herald } from '../../src/app.ts';
import { loadConfig, type HeraldConfig } from '../../src/config.ts';
import { ACCOUNT, CONTACT_TYPE, EMAIL, EVENT_TYPE } from './bench-event.ts';
import type { BenchDatabase } from './figure.ts';
import { freshPostgres, type FreshDatabase } from './fresh-postgres.ts';

export interface BenchHerald {
  herald: Herald;
  config: HeraldConfig;
  /** The tenant owner and its admin key (which holds events:create). */
  ownerId: string;
  key: string;
  dataDir: string;
  /** Stops Herald (once, however often called); the data stays for another Herald. */
  stop(): Promise<void>;
  /** Deletes the data folder (and the PostgreSQL database). */
  discard(): Promise<void>;
}

export interface ReusedData {
  dataDir: string;
  databaseUrl?: string;
  ownerId: string;
  key: string;
}

export interface BenchHeraldOptions {
  database: BenchDatabase;
  workers: boolean;
  webhookCa?: string;
  /**
   * Start on the data of an earlier BenchHerald (maybe of another process) instead
   * of fresh data; that one's discard() still owns the cleanup.
   */
  reuse?: ReusedData;
  overrides?: Partial<HeraldConfig>;
}

export const SECRET_KEY = 'herald-benchmark-secret-key-not-for-production';

export async function startBenchHerald(options: BenchHeraldOptions): Promise<BenchHerald> {
  const dataDir = options.reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'herald-bench-')));
  let database: FreshDatabase | undefined;
  if (!options.reuse && options.database.kind === 'postgres') {
    database = await freshPostgres(options.database.url);
  }
  const databaseUrl = options.reuse ? options.reuse.databaseUrl : database?.url;
  const config = loadConfig(process.env, {
    dataDir,
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    secretKey: SECRET_KEY,
    allowPrivateTargets: true,
    webhookCa: options.webhookCa,
    logLevel: 'silent',
    // The figures measure Herald's capacity, not the per-key limit that guards it.
    apiRateLimitPerSecond: 0,
    ...options.overrides,
  });
  const discard = async () => {
    if (options.reuse) return;
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  };

  let herald: Herald;
  try {
    herald = await startHerald({ config, workers: options.workers });
  } catch (error) {
    await discard();
    throw error;
  }
  const tenant = options.reuse ?? (await createTenant(herald));
  let stopped: Promise<void> | undefined;
  return {
    herald,
    config,
    ownerId: tenant.ownerId,
    key: tenant.key,
    dataDir,
    stop: () => (stopped ??= herald.stop().then(() => undefined)),
    discard,
  };
}

/** Calls Herald's API with a key; setup only, so plain fetch is enough. */
export async function api(h: BenchHerald, method: string, path: string, body?: unknown) {
  const response = await fetch(h.herald.url + path, {
    method,
    headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => undefined);
  if (response.status >= 300) {
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer as any;
}

async function createTenant(herald: Herald): Promise<{ ownerId: string; key: string }> {
  const response = await fetch(herald.url + '/v1/owners', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${herald.firstAdminKey}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: 'Northwind Telecom' }),
  });
  const owner = (await response.json()) as any;
  if (response.status !== 201) throw new Error(`creating the owner: ${JSON.stringify(owner)}`);
  return { ownerId: owner.id, key: owner.key.secret };
}

/** The contact type and the account every bench event belongs to. */
export async function addAccount(h: BenchHerald): Promise<void> {
  await api(h, 'POST', '/v1/contact-types', { name: CONTACT_TYPE, isEmailDefault: true });
  await api(h, 'POST', '/v1/accounts', ACCOUNT);
}

export interface BenchEndpoint {
  id: string;
  secret: string;
  subscriptionId: string;
}

/** One unordered endpoint per URL, each with a subscription to the bench event. */
export async function addEndpoints(h: BenchHerald, urls: string[]): Promise<BenchEndpoint[]> {
  const endpoints: BenchEndpoint[] = [];
  for (const [i, url] of urls.entries()) {
    const endpoint = await api(h, 'POST', '/v1/endpoints', {
      name: `receiver ${i + 1}`,
      url,
      eventTypes: [EVENT_TYPE],
      ordering: 'unordered',
    });
    const subscription = await api(h, 'POST', '/v1/subscriptions', { endpointId: endpoint.id });
    endpoints.push({ id: endpoint.id, secret: endpoint.secret, subscriptionId: subscription.id });
  }
  return endpoints;
}

/** An SMTP profile on the sink and a canned email to the account's contact. */
export async function addEmail(h: BenchHerald, port: number, maxConnections: number) {
  await api(h, 'POST', '/v1/smtp-profiles', {
    name: 'sink',
    host: '127.0.0.1',
    port,
    tls: 'none',
    fromAddress: EMAIL.fromAddress,
    fromName: EMAIL.fromName,
    maxConnections,
  });
  const template = await api(h, 'POST', '/v1/email-templates', {
    name: 'service suspended',
    eventType: EVENT_TYPE,
    subject: EMAIL.subject,
    html: EMAIL.html,
    text: EMAIL.text,
    to: [{ contactType: CONTACT_TYPE }],
  });
  await api(h, 'POST', '/v1/subscriptions', { emailTemplateId: template.id });
}
