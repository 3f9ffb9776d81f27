import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { randomToken } from './ids.ts';

/** Every setting Herald reads. Environment variables are documented in the README. */
export interface HeraldConfig {
  port: number;
  host: string;
  dataDir: string;
  /** A postgres:// URL selects PostgreSQL; unset means SQLite under dataDir. */
  databaseUrl?: string;
  /** The first owner's admin key, used instead of a generated one. */
  adminKey?: string;
  secretKey: string;
  /** Development switch: webhook receivers on loopback/private addresses and ports. */
  allowPrivateTargets: boolean;
  /** Delays in ms before each retry; its length + 1 is the number of attempts. */
  retrySchedule: number[];
  /** Share of each delay added or removed at random, 0..1. */
  retryJitter: number;
  webhookTimeoutMs: number;
  webhookConnectTimeoutMs: number;
  /** Bytes of a response body kept in the attempt log. */
  responseBodyLimit: number;
  /** Extra CA certificates (PEM) trusted for webhook receivers, beside the system's. */
  webhookCa?: string | Buffer;
  /** Deliveries claimed at once by the worker, and in flight at once. */
  workerConcurrency: number;
  /** How long a claimed delivery stays ours before another worker may take it. */
  leaseMs: number;
  /** Fallback poll interval of an idle worker; new work wakes it at once anyway. */
  pollIntervalMs: number;
  /** Calls in flight at once to one unordered endpoint. */
  endpointConcurrency: number;
  /**
   * How long a worker may use an endpoint, canned email, SMTP profile or owner it
   * read, before reading it again: changes made in another process apply within it.
   */
  recordCacheMs: number;
  /** An endpoint whose every attempt failed for this long is disabled. */
  endpointDisableAfterMs: number;
  /** API requests per second allowed to one key; 0 turns the limit off. */
  apiRateLimitPerSecond: number;
  /** Webhook endpoints one owner may have. */
  maxEndpointsPerOwner: number;
  bodyLimitBytes: number;
  maxBatchSize: number;
  logLevel: string;
  /** On SIGTERM, how long deliveries in flight may run before they are released. */
  shutdownGraceMs: number;
  /** Serve /metrics without a key (a scraper on a private network). */
  metricsPublic: boolean;
  /**
   * With the API and the workers in one process, run the workers on a thread of
   * their own, so that delivery and intake each have a core.
   */
  deliveryThread: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The default retry schedule: an immediate retry, then growing delays that add up
 * to a little over a day, so a receiver down for a night still gets its events.
 */
export const DEFAULT_RETRY_SCHEDULE = [
  5_000,
  30_000,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  10 * HOUR,
];

function parseSchedule(raw: string): number[] {
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`HERALD_RETRY_SCHEDULE_MS must be comma-separated milliseconds (got ${raw})`);
  }
  return parts;
}

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a whole number (got ${raw})`);
  }
  return n;
}

/**
 * When the operator gives no HERALD_SECRET_KEY, one is generated once and kept in the
 * data folder, so stored secrets stay readable across restarts of a laptop install.
 */
function secretKeyFor(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomToken(32);
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

/** auto (the default): a thread when the machine has more than one core. */
function deliveryThreadSetting(env: NodeJS.ProcessEnv): boolean {
  const raw = env.HERALD_DELIVERY_THREAD ?? 'auto';
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  if (raw === 'auto' || raw === '') return availableParallelism() > 1;
  throw new Error(`HERALD_DELIVERY_THREAD must be auto, on or off (got ${raw})`);
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`HERALD_WEBHOOK_CA_FILE: cannot read ${path} (${reason})`);
  }
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<HeraldConfig> = {},
): HeraldConfig {
  const dataDir = resolve(overrides.dataDir ?? env.HERALD_DATA_DIR ?? './data');
  const base: HeraldConfig = {
    port: intSetting(env, 'HERALD_PORT', 8080),
    host: env.HERALD_HOST ?? '127.0.0.1',
    dataDir,
    databaseUrl: env.HERALD_DATABASE_URL || undefined,
    adminKey: env.HERALD_ADMIN_KEY || undefined,
    secretKey: '',
    allowPrivateTargets: env.HERALD_ALLOW_PRIVATE_TARGETS === '1',
    retrySchedule: env.HERALD_RETRY_SCHEDULE_MS
      ? parseSchedule(env.HERALD_RETRY_SCHEDULE_MS)
      : DEFAULT_RETRY_SCHEDULE,
    retryJitter: 0.2,
    webhookTimeoutMs: intSetting(env, 'HERALD_WEBHOOK_TIMEOUT_MS', 15_000),
    webhookConnectTimeoutMs: intSetting(env, 'HERALD_WEBHOOK_CONNECT_TIMEOUT_MS', 5_000),
    responseBodyLimit: 4096,
    webhookCa: env.HERALD_WEBHOOK_CA_FILE ? readCaFile(env.HERALD_WEBHOOK_CA_FILE) : undefined,
    workerConcurrency: intSetting(env, 'HERALD_WORKER_CONCURRENCY', 32),
    leaseMs: intSetting(env, 'HERALD_LEASE_MS', 60_000),
    pollIntervalMs: intSetting(env, 'HERALD_POLL_INTERVAL_MS', 1_000),
    endpointConcurrency: intSetting(env, 'HERALD_ENDPOINT_CONCURRENCY', 32),
    recordCacheMs: intSetting(env, 'HERALD_RECORD_CACHE_MS', 1_000),
    endpointDisableAfterMs: intSetting(env, 'HERALD_ENDPOINT_DISABLE_AFTER_MS', 5 * 24 * HOUR),
    apiRateLimitPerSecond: intSetting(env, 'HERALD_API_RATE_LIMIT', 2000),
    maxEndpointsPerOwner: intSetting(env, 'HERALD_MAX_ENDPOINTS_PER_OWNER', 100),
    bodyLimitBytes: intSetting(env, 'HERALD_BODY_LIMIT_BYTES', 1_048_576),
    maxBatchSize: intSetting(env, 'HERALD_MAX_BATCH_SIZE', 1000),
    logLevel: env.HERALD_LOG_LEVEL ?? 'info',
    shutdownGraceMs: intSetting(env, 'HERALD_SHUTDOWN_GRACE_MS', 10_000),
    metricsPublic: env.HERALD_METRICS_PUBLIC === '1',
    deliveryThread: deliveryThreadSetting(env),
  };
  const merged = { ...base, ...overrides };
  merged.secretKey = secretKeyFor(dataDir, overrides.secretKey ?? env.HERALD_SECRET_KEY);
  return merged;
}
