import { open } from 'node:fs/promises';

/**
 * Makes committed WAL frames durable without blocking the event loop. Intake
 * commits run with synchronous=OFF, so SQLite writes their frames to the WAL but
 * does not wait for the disk; the caller then awaits flush(), an fdatasync of the
 * WAL file on libuv's thread pool, before it acknowledges anything. Once it
 * resolves, every frame committed before the call is on disk: the same guarantee
 * as synchronous=FULL, while the process keeps serving other requests and
 * webhooks' answers during the wait.
 *
 * Calls that arrive while a sync is running share the next one, which starts as
 * soon as the running one ends (it may have started before their commit).
 */
export class WalFlusher {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly walFile: string) {}

  flush(): Promise<void> {
    if (!this.running) {
      this.running = this.sync().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.flush();
      });
    return this.queued;
  }

  private async sync(): Promise<void> {
    // Opened for each sync: SQLite may truncate or recreate the file between them.
    const handle = await open(this.walFile, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
