/**
 * A real `herald start` as a child process for the resilience tests: configured
 * through the environment as an operator would, reached over HTTP with a fixed
 * admin key, and killable at any moment (SIGKILL runs no shutdown code at all).
 *
 * ```ts
 * const env = childEnv({ dataDir, caFile });
 * let herald = await startChildHerald(env);
 * await herald.api('POST', '/v1/accounts', { id: 'acc-1' });
 * await herald.kill();
 * herald = await startChildHerald(env); // the same data folder, a new port
 * ```
 *
 * Pitfall: a child still running keeps the test process alive; stop() or kill()
 * every one in t.after(), even on failure.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnHerald, type HeraldProcess } from '../store/herald-process.ts';

export const ADMIN_KEY = 'hk_resilience_admin_key_0123456789abcdef';
export const SECRET_KEY = 'resilience-test-secret-key-0123456789';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface ChildHerald {
  url: string;
  process: HeraldProcess;
  /** Every chunk the process wrote to stdout and stderr, when asked to keep it. */
  output: string[];
  /** The last lines the process wrote to stderr: where a crash says why. */
  stderrTail(): string;
  /** Calls the API with the admin key (or `key`); rejects when no answer comes. */
  api(method: string, path: string, body?: unknown, key?: string): Promise<Answer>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful stop), then waits for the exit; SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** Writes the receiver's certificate where NODE_EXTRA_CA_CERTS can point. */
export async function writeCaFile(dir: string, pem: string): Promise<string> {
  const file = join(dir, 'receiver-ca.pem');
  await writeFile(file, pem);
  return file;
}

/** The settings of a test Herald: loopback receivers allowed, short retries. */
export function childEnv(options: {
  dataDir: string;
  caFile: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  return {
    HERALD_DATA_DIR: options.dataDir,
    HERALD_PORT: '0',
    HERALD_ADMIN_KEY: ADMIN_KEY,
    HERALD_SECRET_KEY: SECRET_KEY,
    HERALD_ALLOW_PRIVATE_TARGETS: '1',
    HERALD_POLL_INTERVAL_MS: '100',
    HERALD_RETRY_SCHEDULE_MS: '100,200,400,800,1000,1000,1000,1000,1000,1000',
    HERALD_LOG_LEVEL: 'info',
    // The webhook client trusts the receiver's self-signed certificate.
    NODE_EXTRA_CA_CERTS: options.caFile,
    ...options.extra,
  };
}

export async function startChildHerald(
  env: NodeJS.ProcessEnv,
  options: { keepOutput?: boolean } = {},
): Promise<ChildHerald> {
  const child = spawnHerald('all', env);
  const output: string[] = [];
  const stderr: string[] = [];
  child.child.stderr!.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString('utf8'));
    if (stderr.length > 50) stderr.shift();
  });
  if (options.keepOutput) {
    child.child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  }
  let listening;
  try {
    listening = await child.waitForLog((line) => typeof line.url === 'string', 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    await child.exited;
    throw error;
  }
  const url = listening.url as string;

  const api = async (method: string, path: string, body?: unknown, key = ADMIN_KEY) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the assertion message.
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  };

  const stopWith = async (signal: NodeJS.Signals) => {
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await child.exited;
    clearTimeout(timer);
  };

  return {
    url,
    process: child,
    output,
    stderrTail: () => stderr.join('').split('\n').slice(-25).join('\n'),
    api,
    kill: () => stopWith('SIGKILL'),
    stop: () => stopWith('SIGTERM'),
  };
}
