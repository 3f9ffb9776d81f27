/**
 * Replays the sample's events into Herald in the order they happened, as a billing
 * platform would: most in batches (POST /v1/events/batch), some one at a time with
 * an Idempotency-Key (POST /v1/events), and a few of those sent twice, as a client
 * does when it never saw the first answer.
 */
import type { DemoApi } from './api-client.ts';
import type { HeraldEvent } from './event-log.ts';
import { eventBody, type SampleEvent } from './sample.ts';

export interface ReplayOptions {
  batchSize: number;
  /** Every n-th event goes alone, with an Idempotency-Key. */
  singleEvery: number;
  /** How many of the single events are sent a second time with the same key. */
  repeats: number;
  progress: (posted: number, total: number) => void;
}

export interface ReplayResult {
  /** In the order Herald accepted them. */
  accepted: HeraldEvent[];
  rejected: { ref: string; error: string }[];
  batches: number;
  singles: number;
  /** Repeats answered with the first event and marked as a replay. */
  replaysHonoured: number;
  /** Repeats that were not: a new event, or no replay mark. */
  replayFailures: string[];
}

export async function replayEvents(
  api: DemoApi,
  events: SampleEvent[],
  month: string,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const result: ReplayResult = {
    accepted: [],
    rejected: [],
    batches: 0,
    singles: 0,
    replaysHonoured: 0,
    replayFailures: [],
  };
  const keyOf = (event: SampleEvent) => `demo-${month}-${event.ref}`;
  const singles: { event: SampleEvent; id: string }[] = [];
  let pending: SampleEvent[] = [];
  let posted = 0;
  let reported = 0;

  const report = () => {
    if (posted - reported >= 50 || posted === events.length) {
      options.progress(posted, events.length);
      reported = posted;
    }
  };

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const body = await api.expect(202, 'POST', '/v1/events/batch', {
      events: batch.map(eventBody),
    });
    result.batches++;
    for (const item of body.results) {
      const sample = batch[item.index];
      if (item.status === 'accepted') {
        result.accepted.push(heard(sample, item.event));
      } else {
        result.rejected.push({ ref: sample.ref, error: item.error.message });
      }
    }
    posted += batch.length;
    report();
  };

  for (const [index, event] of events.entries()) {
    if (index % options.singleEvery !== options.singleEvery - 1) {
      pending.push(event);
      if (pending.length >= options.batchSize) await flush();
      continue;
    }
    // A single event must not overtake the batch before it: acceptance order is
    // what an ordered endpoint delivers in.
    await flush();
    const answer = await api.call('POST', '/v1/events', eventBody(event), {
      'idempotency-key': keyOf(event),
    });
    result.singles++;
    if (answer.status === 202) {
      result.accepted.push(heard(event, answer.body));
      singles.push({ event, id: answer.body.id });
    } else {
      result.rejected.push({ ref: event.ref, error: answer.body?.error?.message ?? answer.status });
    }
    posted++;
    report();
  }
  await flush();

  // The same request again, as after a lost answer: Herald must hand back the first
  // event and queue nothing new.
  for (const { event, id } of singles.slice(0, options.repeats)) {
    const answer = await api.call('POST', '/v1/events', eventBody(event), {
      'idempotency-key': keyOf(event),
    });
    const honoured =
      answer.status === 202 &&
      answer.body?.id === id &&
      answer.headers.get('idempotent-replayed') === 'true';
    if (honoured) result.replaysHonoured++;
    else {
      result.replayFailures.push(
        `${event.ref}: a repeat with its Idempotency-Key answered ${answer.status} ` +
          `with event ${answer.body?.id ?? '(none)'}, expected a replay of ${id}`,
      );
    }
  }
  return result;
}

/** The sample event as Herald accepted it, under Herald's id and time. */
function heard(sample: SampleEvent, accepted: { id: string; occurredAt: string }): HeraldEvent {
  const { ref, type, accountId, data } = sample;
  return { id: accepted.id, ref, type, accountId, occurredAt: accepted.occurredAt, data };
}
