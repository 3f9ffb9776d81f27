/**
 * A verifying HTTPS receiver on a worker thread, so that it has an event loop of its
 * own: an arrival is stamped when it reaches the socket, however busy the Herald in
 * the main thread keeps that thread. Timing tests use it; others need no such care.
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
import { Webhook } from 'standardwebhooks';
import { testCertificate } from '../helpers/tls-cert.ts';
import { startRawServer } from './fixtures-servers.ts';

/** One request as the thread saw it. */
export interface Arrival {
  id: string;
  receivedAt: number;
  /** Whether the signature verified with the secret set at the time. */
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
  // The thread serves the certificate Herald trusts, not one of its own making.
  const pems = await testCertificate();
  // A worker does not inherit the test runner's TypeScript loader, so a small script
  // registers tsx in the thread before it imports this file.
  const boot = `import('tsx/esm/api')
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { role: ROLE, pems } });
  const arrivals: Arrival[] = [];
  const waiters = new Set<() => void>();
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: Message) => {
      if ('url' in message) return resolve(message.url);
      arrivals.push(message.arrival);
      for (const wake of waiters) wake();
    });
  });

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
  let secret: string | undefined;
  const verified = (body: string, headers: Record<string, unknown>) => {
    if (!secret) return false;
    try {
      new Webhook(secret).verify(body, headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };
  const server = await startRawServer((hit, res) => {
    const arrival: Arrival = {
      id: String(hit.headers['webhook-id'] ?? ''),
      receivedAt: hit.receivedAt,
      verified: verified(hit.body, hit.headers),
    };
    parentPort!.postMessage({ arrival } satisfies Message);
    res.writeHead(200).end('ok');
  }, workerData.pems);
  parentPort!.on('message', async (command: Command) => {
    if (command !== 'close') {
      secret = command.secret;
      return;
    }
    await server.close();
    parentPort!.close();
  });
  parentPort!.postMessage({ url: server.url() } satisfies Message);
}

if (!isMainThread && workerData?.role === ROLE) void runInThread();
