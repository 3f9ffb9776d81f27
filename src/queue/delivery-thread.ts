import { Worker } from 'node:worker_threads';

import type { HeraldConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { HeraldObserver } from '../metrics/herald-metrics.ts';
import type { Channel } from '../store/store.ts';
import type { StopReport } from './dispatcher.ts';
import type { FromThread, ToThread } from './delivery-thread-messages.ts';
import { replay } from './forwarding-observer.ts';

export interface DeliveryThreadOptions {
  config: HeraldConfig;
  smtpCa?: string | Buffer;
  logger: Logger;
  /** The thread queued events for the triggers (an endpoint.disabled, say). */
  onFacts(): void;
  /** Counts what the thread's workers do (this process's metrics). */
  observer: HeraldObserver;
}

// A thread that died is started again after this long; its claims come back to
// the queue when their leases run out, as a crashed process's would.
const RESTART_MS = 1000;
// A scrape does not wait longer than this for the thread's count of attempts.
const ASK_TIMEOUT_MS = 2000;

type Counts = Record<Channel, number>;
const NONE: Counts = { webhook: 0, email: 0 };

/**
 * The delivery workers of a process that also serves the API, run on a thread of
 * their own (HERALD_DELIVERY_THREAD). Intake and delivery then each have a core:
 * on one event loop, a busy API delays every webhook, and a busy queue every 202.
 *
 * The thread is a workers-only Herald (delivery-thread-program.ts) with its own
 * connection to the store. This side tells it what it cannot see from there: new
 * work committed here (a wake, at once), and records written here (its cache of
 * endpoints and canned emails is emptied, as in one event loop). What the
 * thread's workers observe is counted in this process's metrics, and the thread
 * stops with the process.
 */
export class DeliveryThread {
  private worker: Worker | undefined;
  private wakeQueued = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly questions = new Map<number, (counts: Counts) => void>();
  private nextRequest = 0;
  private stopped: ((report: StopReport) => void) | undefined;
  private spawning: Promise<void> | undefined;

  private constructor(private readonly options: DeliveryThreadOptions) {}

  /** Resolves once the thread's workers run; rejects with why they could not start. */
  static async start(options: DeliveryThreadOptions): Promise<DeliveryThread> {
    const thread = new DeliveryThread(options);
    await thread.spawn();
    return thread;
  }

  /** New work: the thread claims at once. Wakes within one turn are sent once. */
  wake(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.post({ type: 'wake' });
    });
  }

  /** A record was written here: the thread's next attempt reads it afresh. */
  recordsChanged(): void {
    this.post({ type: 'records' });
  }

  /** The attempts the thread runs now, per channel (none while it restarts). */
  inFlight(): Promise<Counts> {
    if (!this.worker) return Promise.resolve(NONE);
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(NONE), ASK_TIMEOUT_MS);
      const answer = (counts: Counts) => {
        clearTimeout(timer);
        this.questions.delete(id);
        resolve(counts);
      };
      this.questions.set(id, answer);
      this.post({ type: 'inFlight', id });
    });
  }

  /**
   * Stops the thread's workers as Dispatcher.stop does (HERALD_SHUTDOWN_GRACE_MS for
   * the attempts in flight, the rest released) and waits for the thread to end.
   */
  async stop(_graceMs?: number): Promise<StopReport> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // A restart under way finishes first, so that its workers are stopped too.
    await this.spawning?.catch(() => undefined);
    const worker = this.worker;
    if (!worker) return { finished: 0, released: 0 };
    const report = new Promise<StopReport>((resolve) => {
      this.stopped = resolve;
      // A thread that dies while stopping has nothing more to report.
      worker.once('exit', () => resolve({ finished: 0, released: 0 }));
    });
    this.post({ type: 'stop' });
    const result = await report;
    // Its store is closed and its claims recorded or released; what may still run
    // there is a released attempt's call, which a process's exit would cut off too.
    await worker.terminate();
    return result;
  }

  private post(message: ToThread): void {
    this.worker?.postMessage(message);
  }

  private spawn(): Promise<void> {
    this.spawning = this.startWorker().finally(() => {
      this.spawning = undefined;
    });
    return this.spawning;
  }

  private startWorker(): Promise<void> {
    const { config, smtpCa, logger } = this.options;
    const program = threadProgram();
    const worker = new Worker(program.source, {
      eval: program.eval,
      workerData: { config, smtpCa },
    });
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') {
          ready = true;
          this.worker = worker;
          resolve();
        } else if (message.type === 'failed') {
          reject(new Error(`the delivery thread could not start: ${message.error}`));
        } else this.received(message);
      });
      worker.on('error', (error) => {
        logger.error({ err: error }, 'the delivery thread failed');
        if (!ready) reject(error);
      });
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        for (const answer of this.questions.values()) answer(NONE);
        if (!ready) {
          reject(new Error(`the delivery thread exited with code ${code} before it started`));
        } else if (!this.stopping) {
          const again = `starting it again in ${RESTART_MS} ms`;
          logger.error({ code }, `the delivery thread exited; ${again}`);
          this.restartTimer = setTimeout(() => this.restart(), RESTART_MS);
        }
      });
    });
  }

  private restart(): void {
    if (this.stopping) return;
    this.spawn().catch((error) => {
      this.options.logger.error({ err: error }, 'the delivery thread did not start again');
      if (!this.stopping) this.restartTimer = setTimeout(() => this.restart(), RESTART_MS);
    });
  }

  private received(message: FromThread): void {
    if (message.type === 'observed') replay(message.observations, this.options.observer);
    else if (message.type === 'inFlight') this.questions.get(message.id)?.(message.counts);
    else if (message.type === 'facts') this.options.onFacts();
    else if (message.type === 'stopped') this.stopped?.(message.report);
  }
}

const PROGRAM = new URL(
  import.meta.url.endsWith('.ts') ? './delivery-thread-program.ts' : './delivery-thread-program.js',
  import.meta.url,
);

/**
 * The thread runs the same files as this process. From the TypeScript sources
 * (tests, benchmarks, a checkout never built) it loads them through tsx, whose
 * loader a worker thread does not inherit on Node 20.
 */
function threadProgram(): { source: string | URL; eval: boolean } {
  if (!PROGRAM.pathname.endsWith('.ts')) return { source: PROGRAM, eval: false };
  const source =
    `import('tsx/esm/api').then(({ tsImport }) => ` +
    `tsImport(${JSON.stringify(PROGRAM.href)}, ${JSON.stringify(import.meta.url)}))`;
  return { source, eval: true };
}
