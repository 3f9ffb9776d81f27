import type { Completion, Store } from '../store/store.ts';

interface Queued {
  completion: Completion;
  resolve: () => void;
  reject: (error: unknown) => void;
}

// A bound on one write, so a huge backlog of outcomes never makes one long transaction.
const MAX_BATCH = 500;

/**
 * Writes the outcomes of attempts that end in the same turn of the event loop in
 * one store call: one transaction (one WAL commit) for many deliveries instead of
 * one each. Each caller still waits for its own outcome to be committed, so a
 * worker slot frees only once its delivery's new state is durable.
 */
export class CompletionWriter {
  private queued: Queued[] = [];
  private scheduled = false;

  constructor(private readonly store: Store) {}

  write(completion: Completion): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ completion, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate, not a microtask: the replies read in this poll phase all land first.
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, MAX_BATCH);
      try {
        await this.store.completeDeliveries(batch.map((q) => q.completion));
        for (const q of batch) q.resolve();
      } catch (error) {
        for (const q of batch) q.reject(error);
      }
    }
  }
}
