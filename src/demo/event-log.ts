/**
 * The events Herald holds after the replay, read back from its cursor feed
 * (GET /v1/events) in acceptance order: the ones the demo posted, and any Herald
 * derived itself. The triggers derive notices from the facts of the month (an
 * invoice left unpaid past its due date fires invoice.overdue), and since the
 * sample's dates lie in the past they come due at once, during the demo. Every one
 * of them must reach the webhook and the email like a posted event.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DemoApi } from './api-client.ts';

/** An event as Herald holds it, with the demo's name for it. */
export interface HeraldEvent {
  id: string;
  /** The sample's ref (e0042), or `derived-N` for an event Herald raised itself. */
  ref: string;
  type: string;
  accountId?: string;
  /** As Herald reports it, ISO 8601 UTC. */
  occurredAt: string;
  data: Record<string, Record<string, unknown>>;
}

export interface EventLog {
  /** Every event of the owner, in the order Herald accepted them. */
  events: HeraldEvent[];
  derived: HeraldEvent[];
  /** Posted events the feed lacks or shows with other data. */
  problems: string[];
}

interface FeedEvent {
  id: string;
  type: string;
  accountId: string | null;
  occurredAt: string;
  data: HeraldEvent['data'];
}

export async function readEventLog(api: DemoApi, posted: HeraldEvent[]): Promise<EventLog> {
  const feed = (await api.all('/v1/events')) as FeedEvent[];
  const byId = new Map(posted.map((e) => [e.id, e]));
  const log: EventLog = { events: [], derived: [], problems: [] };

  for (const item of feed) {
    const mine = byId.get(item.id);
    if (mine) {
      byId.delete(item.id);
      if (!isDeepStrictEqual(item.data, mine.data) || item.type !== mine.type) {
        log.problems.push(`${mine.ref}: the event feed shows it with other data than was posted`);
      }
      log.events.push(mine);
      continue;
    }
    const derived: HeraldEvent = {
      id: item.id,
      ref: `derived-${log.derived.length + 1}`,
      type: item.type,
      ...(item.accountId === null ? {} : { accountId: item.accountId }),
      occurredAt: item.occurredAt,
      data: item.data,
    };
    log.derived.push(derived);
    log.events.push(derived);
  }
  for (const lost of byId.values()) {
    log.problems.push(`${lost.ref}: accepted as ${lost.id}, but missing from the event feed`);
  }
  return log;
}
