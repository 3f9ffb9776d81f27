/**
 * A tiny request/answer protocol over Node's IPC channel, so a benchmark can run its
 * load generators, receivers and SMTP sink in processes of their own. Herald then
 * has its process to itself, and its memory and CPU are not mixed with theirs.
 *
 * Parent side: `const child = await spawnRole('receiver.ts')`, then `child.call()`.
 * Child side: `serveRole({ method: async (args) => result })`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

type Handlers = Record<string, (args: any) => unknown>;

interface Call {
  id: number;
  method: string;
  args: unknown;
}

interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

export interface RoleProcess {
  pid: number;
  call<T = unknown>(method: string, args?: unknown): Promise<T>;
  /** Asks the role to shut down, then waits for the process to exit. */
  stop(): Promise<void>;
}

const ROLES_DIR = new URL('../roles/', import.meta.url);

/** Forks bench/roles/<file> under tsx and waits until it says it is ready. */
export async function spawnRole(file: string): Promise<RoleProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL(file, ROLES_DIR)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;

  child.on('message', (message: Answer | 'ready') => {
    if (message === 'ready') return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(`${file}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.on('exit', (code) => {
    exited = true;
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${file} exited with code ${code} before answering`));
    }
    pending.clear();
  });

  const [first] = (await once(child, 'message')) as [unknown];
  if (first !== 'ready') throw new Error(`${file} did not start (sent ${JSON.stringify(first)})`);

  return {
    pid: child.pid!,
    call(method, args) {
      if (exited) return Promise.reject(new Error(`${file} is not running`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, method, args } satisfies Call);
      });
    },
    async stop() {
      if (exited) return;
      const gone = once(child, 'exit');
      child.send({ id: 0, method: 'stop', args: null } satisfies Call);
      await gone;
    },
  };
}

/**
 * Serves a role's methods to the parent. A `stop` handler, when given, runs before
 * the process exits; the parent dying also ends the role, so no process outlives
 * the benchmark.
 */
export function serveRole(handlers: Handlers): void {
  process.on('message', async (message: Call) => {
    if (message.method === 'stop') {
      await handlers.stop?.(null);
      process.exit(0);
    }
    const answer: Answer = { id: message.id };
    try {
      const handler = handlers[message.method];
      if (!handler) throw new Error(`no method ${message.method}`);
      answer.result = await handler(message.args);
    } catch (error) {
      answer.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    process.send!(answer);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}
