import { open, type FileHandle } from 'node:fs/promises';

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
  /**
   * Kept open between syncs: opening and closing the file was a good part of a
   * single event's intake. SQLite truncates the WAL in place and deletes it only
   * when the last connection closes, which this store's connection is not while
   * it flushes; close() lets go of it first.
   */
  private handle: Promise<FileHandle> | undefined;

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

  /** Waits for the sync under way, if any, and closes the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.queued]);
    const handle = this.handle;
    this.handle = undefined;
    await handle?.then((h) => h.close()).catch(() => undefined);
  }

  private async sync(): Promise<void> {
    const opening = (this.handle ??= open(this.walFile, 'r'));
    try {
      await (await opening).datasync();
    } catch (error) {
      // Opened afresh next time, should the file have gone away under it.
      if (this.handle === opening) this.handle = undefined;
      await opening.then((h) => h.close()).catch(() => undefined);
      throw error;
    }
  }
}
