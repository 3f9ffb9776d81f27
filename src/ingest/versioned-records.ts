import type { RecordKind, StoredRecord } from '../store/store.ts';
import { requestReads, type RecordReads } from './request-reads.ts';

interface OwnerReads {
  version: string;
  reads: Map<string, Promise<unknown>>;
}

// Bounds, so that an owner posting for a million accounts, or a million owners,
// cannot grow the cache without end: past them it starts over.
const MAX_READS_PER_OWNER = 10_000;
const MAX_OWNERS = 1_000;

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
 * What is kept under a version was read after a request saw that version, so it is
 * never older than the version says. A request with another version (newer, or one
 * authenticated just before a change) replaces what is kept: versions are only
 * ever compared for equality.
 *
 * Reads are shared as they are: callers must not change what they get.
 */
export class VersionedRecords {
  private readonly owners = new Map<string, OwnerReads>();

  constructor(private readonly store: RecordReads) {}

  /** Record reads for a request; without a version, nothing is kept past it. */
  reads(ownerId: string, version?: string): RecordReads {
    if (version === undefined) return requestReads(this.store);
    return this.kept(ownerId, this.current(ownerId, version));
  }

  private kept(ownerId: string, cached: OwnerReads): RecordReads {
    const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      let read = cached.reads.get(key) as Promise<T> | undefined;
      if (read) return read;
      if (cached.reads.size >= MAX_READS_PER_OWNER) cached.reads.clear();
      read = load();
      cached.reads.set(key, read);
      // A failed read is not kept.
      read.catch(() => {
        if (cached.reads.get(key) === read) cached.reads.delete(key);
      });
      return read;
    };
    return {
      getRecord: <T>(owner: string, kind: RecordKind, id: string) =>
        owner !== ownerId
          ? this.store.getRecord<T>(owner, kind, id)
          : once(`record ${kind} ${id}`, () => this.store.getRecord<T>(owner, kind, id)),
      listRecords: <T>(owner: string, kind: RecordKind) =>
        (owner !== ownerId
          ? this.store.listRecords<T>(owner, kind)
          : once(`list ${kind}`, () => this.store.listRecords<T>(owner, kind))) as Promise<
          StoredRecord<T>[]
        >,
    };
  }

  private current(ownerId: string, version: string): OwnerReads {
    const cached = this.owners.get(ownerId);
    if (cached?.version === version) return cached;
    if (!cached && this.owners.size >= MAX_OWNERS) this.owners.clear();
    const fresh: OwnerReads = { version, reads: new Map() };
    this.owners.set(ownerId, fresh);
    return fresh;
  }
}
