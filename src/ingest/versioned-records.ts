import type { RecordKind, Store } from '../store/store.ts';

/** The two record reads intake makes. */
export type RecordReads = Pick<Store, 'getRecord' | 'listRecords'>;

interface Kept {
  /** The owner's records version of the request that made the read. */
  version: string;
  read: Promise<unknown>;
}

// Reads kept across all owners, least recently used dropped first: a bound on
// entries is a bound on memory, as an account document is a few kilobytes at most,
// however many accounts an owner posts for.
const MAX_KEPT = 5_000;

/**
 * The records intake reads for each event (its account, the owner's subscriptions,
 * their endpoints), kept from one request to the next while the owner's records
 * version stays the same. Every change to an owner's records gives that version a
 * new random value in the change's own transaction (a trigger in the schema), and
 * a request reads the version with its API key, in the query it makes anyway. So a
 * request sees every change committed before it was authenticated, made by any
 * process or by hand in SQL, and records are read afresh only after a change: on
 * PostgreSQL a single event then costs two round trips instead of five.
 *
 * A read is kept with the version of the request that made it, and was made after
 * that request saw the version, so it is never older than its version says. It
 * serves only requests holding that same version; one with any other version (a
 * newer one, or one authenticated just before a change) reads afresh and keeps its
 * read instead. Versions are only ever compared for equality.
 *
 * Reads are shared as they are: callers must not change what they get.
 */
export class VersionedRecords {
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly store: RecordReads,
    private readonly maxKept = MAX_KEPT,
  ) {}

  /**
   * Record reads for a request holding `version`: a read the request repeats (a batch
   * of a hundred events for one account) is made once, as is one an earlier request
   * with the same version made.
   */
  reads(ownerId: string, version: string): RecordReads {
    const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      const found = this.kept.get(key);
      this.kept.delete(key);
      if (found?.version === version) {
        this.kept.set(key, found); // now the most recently used
        return found.read as Promise<T>;
      }
      const read = load();
      const entry = { version, read };
      this.kept.set(key, entry);
      if (this.kept.size > this.maxKept) this.kept.delete(this.kept.keys().next().value!);
      // A failed read is not kept.
      read.catch(() => {
        if (this.kept.get(key) === entry) this.kept.delete(key);
      });
      return read;
    };
    return {
      getRecord: <T>(owner: string, kind: RecordKind, id: string) => {
        const load = () => this.store.getRecord<T>(owner, kind, id);
        return owner === ownerId
          ? once(`record\u0000${owner}\u0000${kind}\u0000${id}`, load)
          : load();
      },
      listRecords: <T>(owner: string, kind: RecordKind) => {
        const load = () => this.store.listRecords<T>(owner, kind);
        return owner === ownerId ? once(`list\u0000${owner}\u0000${kind}`, load) : load();
      },
    };
  }

  /** Reads kept now (for tests). */
  get size(): number {
    return this.kept.size;
  }
}
