import type { RecordKind, Store, StoredRecord } from '../store/store.ts';

/** The two record reads intake makes, as RequestReads serves them. */
export type RecordReads = Pick<Store, 'getRecord' | 'listRecords'>;

/**
 * The records one intake request reads (the account of each event, the owner's
 * subscriptions, their endpoints), each read once however many of the request's
 * events need it: a batch of a hundred events for one account reads it once, not a
 * hundred times. A new one is made per request, so nothing outlives the request.
 */
export function requestReads(store: RecordReads): RecordReads {
  const seen = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let read = seen.get(key) as Promise<T> | undefined;
    if (!read) {
      read = load();
      seen.set(key, read);
    }
    return read;
  };
  return {
    getRecord: <T>(ownerId: string, kind: RecordKind, id: string) =>
      once(`record ${ownerId} ${kind} ${id}`, () => store.getRecord<T>(ownerId, kind, id)),
    listRecords: <T>(ownerId: string, kind: RecordKind) =>
      once(`list ${ownerId} ${kind}`, () => store.listRecords<T>(ownerId, kind)) as Promise<
        StoredRecord<T>[]
      >,
  };
}
