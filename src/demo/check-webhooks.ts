/**
 * Checks what the HTTPS receiver got against what the demo sent: every request
 * verified by the standardwebhooks library and carrying the endpoint's bearer
 * token, every accepted event delivered once with its own data and the endpoint's
 * rendered parameters, and each account's events in the order Herald accepted them.
 */
import { isDeepStrictEqual } from 'node:util';
import { ACCOUNT_TOKEN_FIELDS } from './expectations.ts';
import type { HeraldEvent } from './event-log.ts';
import type { SampleAccount } from './sample.ts';
import type { ReceivedWebhook } from './verifying-receiver.ts';

/** A delivery as GET /v1/deliveries lists it, as far as the checks read it. */
export interface ListedDelivery {
  id: string;
  eventId: string;
  channel: 'webhook' | 'email';
  status: string;
  attempts: number;
  lastError: unknown;
}

export interface WebhookCheckInput {
  /** Every event Herald holds, in acceptance order. */
  events: HeraldEvent[];
  deliveriesOf: (eventId: string, channel: ListedDelivery['channel']) => ListedDelivery[];
  /** Every request, in arrival order. */
  received: ReceivedWebhook[];
  /** The requests answered 2xx, in the order they were answered. */
  answeredOk: ReceivedWebhook[];
  ownerName: string;
  accounts: Map<string, SampleAccount>;
  bearerToken: string;
}

export interface WebhookReport {
  verified: number;
  /** Ids of the events whose webhook arrived complete and correct. */
  ok: Set<string>;
  /** Ordering keys whose events arrived out of acceptance order. */
  outOfOrder: string[];
}

export function checkWebhooks(
  input: WebhookCheckInput,
  fail: (message: string) => void,
): WebhookReport {
  const report: WebhookReport = { verified: 0, ok: new Set(), outOfOrder: [] };

  for (const request of input.received) {
    if (request.verified) report.verified++;
    else fail(`webhook ${request.id || '(no id)'} failed verification: ${request.verifyError}`);
    if (request.headers.authorization !== `Bearer ${input.bearerToken}`) {
      fail(`webhook ${request.id} came without the endpoint's bearer token`);
    }
  }

  const firstOk = new Map<string, ReceivedWebhook>();
  for (const request of input.answeredOk) {
    if (!firstOk.has(request.id)) firstOk.set(request.id, request);
  }

  for (const event of input.events) {
    const where = `${event.ref} (${event.type})`;
    const deliveries = input.deliveriesOf(event.id, 'webhook');
    if (deliveries.length !== 1) {
      fail(`${where}: ${deliveries.length} webhook deliveries, expected 1`);
      continue;
    }
    const [delivery] = deliveries;
    if (delivery.status !== 'succeeded') {
      fail(
        `${where}: webhook delivery is ${delivery.status} (${JSON.stringify(delivery.lastError)})`,
      );
    }
    const request = firstOk.get(delivery.id);
    if (!request) {
      fail(`${where}: no webhook with id ${delivery.id} reached the receiver`);
      continue;
    }
    const problems = bodyProblems(request, event, input);
    for (const problem of problems) fail(`${where}: webhook ${problem}`);
    if (problems.length === 0) report.ok.add(event.id);
  }

  report.outOfOrder = orderingBreaks(input.events, [...firstOk.values()]);
  return report;
}

function bodyProblems(request: ReceivedWebhook, event: HeraldEvent, input: WebhookCheckInput) {
  const problems: string[] = [];
  const body = request.body as any;
  const data = body?.data ?? {};
  const expect = (what: string, got: unknown, wanted: unknown) => {
    if (!isDeepStrictEqual(got, wanted)) {
      problems.push(`${what} is ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
    }
  };

  expect('type', body?.type, event.type);
  expect('timestamp', body?.timestamp, event.occurredAt);
  expect('data.event', data.event, {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
  });
  expect('data.owner.name', data.owner?.name, input.ownerName);
  for (const [group, fields] of Object.entries(event.data)) {
    expect(`data.${group}`, data[group], fields);
  }
  const account = event.accountId ? input.accounts.get(event.accountId) : undefined;
  if (account) {
    const fields = account as unknown as Record<string, unknown>;
    const wanted = Object.fromEntries(ACCOUNT_TOKEN_FIELDS.map((f) => [f, fields[f]]));
    expect('data.account', data.account, wanted);
  } else {
    expect('data.account', data.account, undefined);
  }
  if ('contact' in data) problems.push('carries contact tokens, which belong to emails only');

  const parameters = body?.parameters ?? {};
  expect('parameters.operator', parameters.operator, input.ownerName);
  expect('parameters.eventType', parameters.eventType, event.type);
  expect('parameters.reference', parameters.reference, event.id);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parameters.sentOn ?? '')) {
    problems.push(`parameters.sentOn is ${JSON.stringify(parameters.sentOn)}, expected a date`);
  }
  if (/\{\{|undefined/.test(request.rawBody)) problems.push('holds "{{" or "undefined"');
  return problems;
}

/**
 * The endpoint is ordered, and no event names an ordering key, so each account's
 * events (and the bill runs, which have none) must arrive in acceptance order.
 */
function orderingBreaks(accepted: HeraldEvent[], arrivals: ReceivedWebhook[]): string[] {
  const keyOf = (accountId: string | undefined) => accountId ?? '(no account)';
  const sequences = (pairs: [string, string][]) => {
    const byKey = new Map<string, string[]>();
    for (const [key, id] of pairs) byKey.set(key, [...(byKey.get(key) ?? []), id]);
    return byKey;
  };
  const expected = sequences(accepted.map((e) => [keyOf(e.accountId), e.id]));
  const accountOf = new Map(accepted.map((e) => [e.id, e.accountId]));
  const arrived = sequences(
    arrivals.map((r) => {
      const id = (r.body as any)?.data?.event?.id as string;
      return [keyOf(accountOf.get(id)), id];
    }),
  );
  return [...expected.keys()].filter((key) => {
    // Compare only what arrived: a lost webhook is reported on its own.
    const got = arrived.get(key) ?? [];
    const wanted = (expected.get(key) ?? []).filter((id) => got.includes(id));
    return !isDeepStrictEqual(got, wanted);
  });
}
