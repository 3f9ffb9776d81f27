/**
 * After the replay: reads back what Herald holds (its events and delivery log, by
 * the API) and what the local servers received, runs every check, and gathers the
 * problems and the per-type counts the summary shows.
 */
import type { CatalogueEntry } from './canned-emails.ts';
import { checkEmails } from './check-emails.ts';
import { checkWebhooks, type ListedDelivery } from './check-webhooks.ts';
import type { ConfiguredOwner } from './configure-owner.ts';
import { readEventLog, type HeraldEvent } from './event-log.ts';
import type { ReplayResult } from './replay.ts';
import type { SampleMonth } from './sample.ts';
import type { ReceivedEmail } from './smtp-catcher.ts';
import type { TypeRow } from './summary.ts';
import type { ReceivedWebhook } from './verifying-receiver.ts';

export interface RunRecord {
  sample: SampleMonth;
  owner: ConfiguredOwner;
  replay: ReplayResult;
  /** Every request the receiver got, and those it answered 2xx, in order. */
  webhooks: { received: ReceivedWebhook[]; answeredOk: ReceivedWebhook[] };
  emails: ReceivedEmail[];
  bearerToken: string;
}

export interface Verdict {
  failures: string[];
  rows: TypeRow[];
  derived: HeraldEvent[];
  deliveries: ListedDelivery[];
  webhooksVerified: number;
  emailsTranslated: number;
  outOfOrder: string[];
}

export async function verifyRun(run: RunRecord): Promise<Verdict> {
  const { owner, replay } = run;
  const failures: string[] = [];
  const fail = (message: string) => void failures.push(message);
  for (const r of replay.rejected) fail(`${r.ref} was rejected at intake: ${r.error}`);
  for (const f of replay.replayFailures) fail(f);

  const log = await readEventLog(owner.api, replay.accepted);
  for (const problem of log.problems) fail(problem);
  // Herald's own alert types (endpoint.disabled) are not subscribed; they would go
  // to no endpoint and no canned email, rightly.
  const events = log.events.filter((e) => owner.emails.has(e.type));
  const deliveries = (await owner.api.all('/v1/deliveries')) as ListedDelivery[];
  const byEvent = new Map<string, ListedDelivery[]>();
  for (const d of deliveries) byEvent.set(d.eventId, [...(byEvent.get(d.eventId) ?? []), d]);
  const deliveriesOf = (eventId: string, channel: ListedDelivery['channel']) =>
    (byEvent.get(eventId) ?? []).filter((d) => d.channel === channel);
  const accounts = new Map(run.sample.accounts.map((a) => [a.id, a]));

  const webhooks = checkWebhooks(
    {
      events,
      deliveriesOf,
      received: run.webhooks.received,
      answeredOk: run.webhooks.answeredOk,
      ownerName: owner.ownerName,
      accounts,
      bearerToken: run.bearerToken,
    },
    fail,
  );
  for (const key of webhooks.outOfOrder) fail(`webhooks of ${key} arrived out of order`);
  const emails = checkEmails(
    {
      events,
      deliveriesOf,
      received: run.emails,
      ownerName: owner.ownerName,
      accounts,
      emails: owner.emails,
      invoiceTypes: invoiceTypesOf(owner.catalogue),
    },
    fail,
  );

  // Rows in catalogue order, the order of the design's table.
  const types = [...owner.catalogue.keys()].filter((type) => events.some((e) => e.type === type));
  const derivedIds = new Set(log.derived.map((e) => e.id));
  const rows = types.map((type) => {
    const ofType = events.filter((e) => e.type === type);
    return {
      type,
      posted: ofType.filter((e) => !derivedIds.has(e.id)).length,
      derived: ofType.filter((e) => derivedIds.has(e.id)).length,
      webhooks: ofType.filter((e) => webhooks.ok.has(e.id)).length,
      emails: ofType.filter((e) => emails.ok.has(e.id)).length,
    };
  });
  return {
    failures,
    rows,
    derived: log.derived,
    deliveries,
    webhooksVerified: webhooks.verified,
    emailsTranslated: emails.translated,
    outOfOrder: webhooks.outOfOrder,
  };
}

/** Types that carry an invoice, to which email invoicing applies. */
function invoiceTypesOf(catalogue: Map<string, CatalogueEntry>): Set<string> {
  const types = [...catalogue.values()].filter((e) =>
    e.tokens.some((t) => t.name.startsWith('invoice.')),
  );
  return new Set(types.map((e) => e.type));
}
