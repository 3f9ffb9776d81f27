import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import type { Logger } from '../../logger.ts';

// Often enough that the WAL stays a few megabytes under steady intake.
const INTERVAL_MS = 500;

/**
 * The thread's whole program, run with `eval` so that it needs no file of its own
 * in both the TypeScript sources and the compiled build. It opens a second
 * connection to the database and checkpoints the WAL into it on a timer.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves WAL checkpoints off the event loop. SQLite checkpoints on the committing
 * connection by default, and a checkpoint copies pages into the database file and
 * waits for the disk: tens of milliseconds in which this process could neither
 * accept an event nor read a webhook's answer. Here a worker thread does it on its
 * own connection instead; the main connection's automatic checkpoints are off.
 *
 * A checkpoint only copies frames already committed, so durability is as before:
 * what an acknowledged commit wrote is in the WAL, synced, until it is copied.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopping = false;

  /** `onLost` runs if the thread dies: the caller then checkpoints as SQLite would. */
  constructor(file: string, onLost: () => void, logger?: Logger) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(PROGRAM, {
      eval: true,
      workerData: { file, driver, intervalMs: INTERVAL_MS },
    });
    // The thread must never keep a process alive that has nothing else to do.
    this.worker.unref();
    this.worker.on('message', (message) => {
      logger?.warn({ reason: message }, 'a WAL checkpoint failed; the next one tries again');
    });
    this.worker.on('error', (error) => {
      logger?.error({ err: error }, 'the WAL checkpoint thread stopped');
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        if (!this.stopping) onLost();
        resolve();
      });
    });
  }

  /** Stops the thread after its checkpoint under way, if any, and closes its connection. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      // Held again while it stops, or a process with nothing else to do would end
      // before the thread had closed its connection.
      this.worker.ref();
      this.worker.postMessage('stop');
    }
    await this.exited;
  }
}
