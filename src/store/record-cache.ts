import type { Owner, Store, StoredRecord } from './store.ts';

/** The Store methods that change a record or an owner. */
const WRITES = new Set<string>([
  'putRecords',
  'deleteRecord',
  'deleteRecordGuarded',
  'makeDefault',
  'mergeRecord',
  'createOwner',
  'updateOwner',
]);

/**
 * The records every delivery attempt reads (its endpoint or canned email, the SMTP
 * profile, the contact types, the owner) change rarely, and reading them for each
 * attempt was a good part of a delivery's cost. Workers read them through this
 * cache, each entry for at most `ttlMs`.
 *
 * Every write made through either view of the store empties the cache, so within
 * one process a change applies to the very next attempt. A change made by another
 * process (several Herald processes on one PostgreSQL) reaches these workers
 * within `ttlMs`.
 */
export class RecordCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly writeListeners: (() => void)[] = [];

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The store with its record reads (one record, a kind's list, a record by unique
   * key) and getOwner served from the cache. Workers list only small kinds (contact
   * types, a template's locale variants).
   */
  reading(store: Store): Store {
    const getRecord: Store['getRecord'] = (ownerId, kind, id) =>
      this.cached(`r:${ownerId}:${kind}:${id}`, () =>
        store.getRecord(ownerId, kind, id),
      ) as Promise<StoredRecord<any> | undefined>;
    const listRecords: Store['listRecords'] = (ownerId, kind) =>
      this.cached(`l:${ownerId}:${kind}`, () => store.listRecords(ownerId, kind)) as Promise<
        StoredRecord<any>[]
      >;
    const findRecordByUniqueKey: Store['findRecordByUniqueKey'] = (ownerId, kind, key) =>
      this.cached(`u:${ownerId}:${kind}:${key}`, () =>
        store.findRecordByUniqueKey(ownerId, kind, key),
      ) as Promise<StoredRecord<any> | undefined>;
    const getOwner: Store['getOwner'] = (id) =>
      this.cached(`o:${id}`, () => store.getOwner(id)) as Promise<Owner | undefined>;
    return this.view(store, { getRecord, listRecords, findRecordByUniqueKey, getOwner });
  }

  /** The store as it is, except that its writes empty the cache. */
  clearing(store: Store): Store {
    return this.view(store, {});
  }

  clear(): void {
    this.entries.clear();
  }

  /** Told after each write through either view: a delivery thread empties its cache. */
  onWrite(listener: () => void): void {
    this.writeListeners.push(listener);
  }

  private cached(key: string, load: () => Promise<unknown>): Promise<unknown> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.entries.set(key, { at: now, value });
    // A failed read is not remembered.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  private view(store: Store, overrides: Partial<Store>): Store {
    const bound = new Map<PropertyKey, unknown>();
    return new Proxy(store, {
      get: (target, property) => {
        if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
        let value = bound.get(property);
        if (value !== undefined) return value;
        value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        value = WRITES.has(String(property))
          ? async (...args: unknown[]) => {
              // Cleared before and after: a read that starts during the write must
              // not keep what it read before the write committed.
              this.clear();
              try {
                return await method.apply(target, args);
              } finally {
                this.clear();
                for (const listener of this.writeListeners) listener();
              }
            }
          : method.bind(target);
        bound.set(property, value);
        return value;
      },
    });
  }
}
