/**
 * The verifying HTTPS receiver, run on a worker thread so that it has an event loop
 * of its own: an arrival is stamped when it reaches the socket, however busy the
 * Herald in the main thread is. Timing tests use it; most tests need no such care.
 *
 * ```ts
 * const receiver = await startReceiverThread();
 * receiver.setSecret(endpoint.secret);
 * const arrivals = await receiver.waitFor(100);
 * await receiver.close();
 * ```
 */
import { once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startReceiver } from '../helpers/https-receiver.ts';

/** One request as the thread saw it. */
export interface Arrival {
  id: string;
  receivedAt: number;
  verified: boolean;
}

export interface ReceiverThread {
  url: string;
  arrivals: Arrival[];
  /** Verify later requests with this secret. */
  setSecret(secret: string): void;
  waitFor(count: number, timeoutMs?: number): Promise<Arrival[]>;
  close(): Promise<void>;
}

type Message = { url: string } | { arrival: Arrival };
type Command = { secret: string } | 'close';
const ROLE = 'herald-test-receiver';

/** Starts the receiver on its own thread; always close() it. */
export async function startReceiverThread(): Promise<ReceiverThread> {
  // A worker does not inherit the test runner's TypeScript loader, so a small script
  // registers tsx in the thread before it imports this file.
  const boot = `import('tsx/esm/api')
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { role: ROLE } });
  const arrivals: Arrival[] = [];
  const waiters = new Set<() => void>();
  let url = '';
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: Message) => {
      if ('url' in message) {
        url = message.url;
        resolve();
        return;
      }
      arrivals.push(message.arrival);
      for (const wake of waiters) wake();
    });
  });
  await ready;

  return {
    url,
    arrivals,
    setSecret(secret) {
      worker.postMessage({ secret } satisfies Command);
    },
    waitFor(count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (arrivals.length < count) return;
          done();
          resolve(arrivals.slice(0, count));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`receiver got ${arrivals.length} request(s), expected ${count}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      const exited = once(worker, 'exit');
      worker.postMessage('close' satisfies Command);
      await exited;
    },
  };
}

async function runInThread() {
  const receiver = await startReceiver();
  receiver.setResponder((hook) => {
    const arrival: Arrival = { id: hook.id, receivedAt: hook.receivedAt, verified: hook.verified };
    parentPort!.postMessage({ arrival } satisfies Message);
    return { status: 200, body: 'ok' };
  });
  parentPort!.on('message', async (command: Command) => {
    if (command === 'close') {
      await receiver.close();
      parentPort!.close();
    } else {
      receiver.setSecret(command.secret);
    }
  });
  parentPort!.postMessage({ url: receiver.url } satisfies Message);
}

if (!isMainThread && workerData?.role === ROLE) void runInThread();
