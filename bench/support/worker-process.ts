/**
 * Herald's delivery workers as an operator runs them: the compiled CLI,
 * `node build/cli.js start --role workers` with the V8 setting of `npm start`,
 * configured through the environment
 * alone, in a process of its own so that its memory is Herald's and nothing else.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { SECRET_KEY } from './bench-herald.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO, 'build', 'cli.js');
const MB = 1024 * 1024;
// The V8 setting `npm start` runs Herald with (package.json): a small young
// generation, which keeps a busy worker's memory down for little extra GC.
const NODE_FLAGS = ['--max-semi-space-size=2'];

/** Compiles the server once per run, as `npm start` does before it starts. */
export function ensureServerBuild(): void {
  if (process.env.HERALD_BENCH_BUILT === '1' && existsSync(CLI)) return;
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
  process.env.HERALD_BENCH_BUILT = '1';
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The kernel's high-water mark of the process's resident memory, in MB. */
  peakMb(): number;
  stop(): Promise<void>;
}

export async function startWorkerProcess(options: {
  dataDir: string;
  databaseUrl?: string;
  webhookCa: string;
}): Promise<WorkerProcess> {
  ensureServerBuild();
  const caFile = join(options.dataDir, 'bench-receiver-ca.pem');
  await writeFile(caFile, options.webhookCa);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HERALD_DATA_DIR: options.dataDir,
    HERALD_SECRET_KEY: SECRET_KEY,
    HERALD_ALLOW_PRIVATE_TARGETS: '1',
    HERALD_WEBHOOK_CA_FILE: caFile,
    HERALD_LOG_LEVEL: 'silent',
  };
  if (options.databaseUrl) env.HERALD_DATABASE_URL = options.databaseUrl;
  if (process.env.BENCH_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS;
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'start', '--role', 'workers'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    peakMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      if (!kb) throw new Error('the kernel did not report VmHWM for the worker process');
      return (Number(kb) * 1024) / MB;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
