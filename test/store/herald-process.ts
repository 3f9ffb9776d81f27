/**
 * Runs `herald start --role ...` as a child process, the way an operator would,
 * and reads its JSON log lines. Used by the multi-process tests.
 *
 * ```ts
 * const api = spawnHerald('api', env);
 * const { url } = await api.waitForLog((line) => line.msg?.startsWith('Herald API listening'));
 * api.kill('SIGKILL');
 * await api.exited;
 * ```
 *
 * Pitfall: a child left running keeps the test process alive; kill every one in
 * t.after(), even on failure (stopAll does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  msg?: string;
  level?: number;
  [field: string]: unknown;
}

export interface HeraldProcess {
  role: string;
  child: ChildProcess;
  /** Every JSON log line so far. */
  lines: LogLine[];
  /** Resolves with the first line (past or future) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnHerald(role: 'api' | 'workers' | 'all', env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'start', '--role', role],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const stderr: string[] = [];
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));

  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text));
    } catch {
      return; // The shutdown notice and the like are plain text.
    }
    for (const wake of waiters) wake();
  });
  createInterface({ input: child.stderr! }).on('line', (text) => stderr.push(text));

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 30_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`herald ${role} logged no such line in ${timeoutMs} ms:\n` + tail()));
      }, timeoutMs);
      const failed = () => {
        done();
        reject(new Error(`herald ${role} exited before logging the line:\n` + tail()));
      };
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', failed);
      };
      waiters.add(check);
      child.once('exit', failed);
      check();
      if (child.exitCode !== null || child.signalCode !== null) failed();
    });

  const tail = () =>
    [...lines.slice(-5).map((line) => JSON.stringify(line)), ...stderr.slice(-20)].join('\n');

  return {
    role,
    child,
    lines,
    waitForLog,
    kill: (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
  } satisfies HeraldProcess;
}

/** Stops every process still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(processes: HeraldProcess[], graceMs = 5000): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
      await p.exited;
      clearTimeout(timer);
    }),
  );
}
