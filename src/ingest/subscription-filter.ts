import type { NewEvent } from '../store/store.ts';

/**
 * A subscription filter is a map of token path to required value, for example
 * {"service.newState": "Suspended"}. Paths are read from the event's payload, with
 * `account.*` read from the account the event names. Every pair must match.
 */
export function matchesFilter(
  filter: Record<string, unknown> | null,
  event: Pick<NewEvent['event'], 'data' | 'account' | 'type'>,
): boolean {
  if (!filter) return true;
  const root: Record<string, unknown> = { ...event.data, account: event.account ?? undefined };
  return Object.entries(filter).every(([path, expected]) => readPath(root, path) === expected);
}

export function readPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
