import type { DeliveryRecord, Store } from '../store/store.ts';
import { CommandError, UsageError, type CliIo } from './cli-io.ts';
import { stringOption, timeOption, type Command } from './command.ts';
import { endpointOwner, findDelivery, withStore } from './operator-store.ts';
import { Progress } from './progress.ts';

const PAGE = 500;

export const resendCommand: Command = {
  name: 'resend',
  summary: 'resend deliveries: by id, or every failed one of an endpoint in a time range',
  usage: `herald resend <deliveryId>...
       herald resend --endpoint <id> --since <time> [--until <time>] [--dry-run]

  <deliveryId>  finished deliveries (failed, succeeded or cancelled) to send again
  --endpoint    resend the endpoint's failed deliveries that failed within the range
  --since       start of the range, ISO 8601 (2024-05-01T00:00:00Z)
  --until       end of the range (default: now)
  --dry-run     count what would be resent, change nothing

  A resent delivery gets a new round of attempts; a running Herald picks it up at
  its next poll (within HERALD_POLL_INTERVAL_MS).`,
  options: {
    endpoint: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  positionals: { min: 0, max: 1000, name: 'deliveryId' },

  async run({ values, positionals }, io) {
    const endpointId = stringOption(values.endpoint);
    if (endpointId === undefined) {
      if (values.since !== undefined || values.until !== undefined) {
        throw new UsageError('--since and --until go with --endpoint');
      }
      if (positionals.length === 0) {
        throw new UsageError('name the deliveries to resend, or an --endpoint and --since');
      }
      return withStore(io, (store) => resendByIds(store, positionals, io, !!values['dry-run']));
    }

    if (positionals.length > 0) {
      throw new UsageError('give delivery ids or --endpoint, not both');
    }
    const since = timeOption(values.since, 'since');
    if (since === undefined) throw new UsageError('--endpoint needs --since');
    const until = timeOption(values.until, 'until') ?? Date.now();
    if (until < since) throw new UsageError('--until is before --since');
    return withStore(io, (store) =>
      resendRange(store, { endpointId, since, until }, io, !!values['dry-run']),
    );
  },
};

async function resendByIds(store: Store, ids: string[], io: CliIo, dryRun: boolean) {
  // Every id is checked before anything is resent, so a typo changes nothing.
  const deliveries = [];
  for (const id of ids) deliveries.push(await findDelivery(store, id));
  const active = deliveries.filter((d) => d.status === 'pending' || d.status === 'in_flight');
  if (active.length > 0) {
    const list = active.map((d) => `${d.id} is ${d.status}`).join(', ');
    throw new CommandError(`only finished deliveries are resent: ${list}`);
  }
  if (dryRun) {
    for (const d of deliveries) io.out.write(`would resend ${d.id} (${describe(d)})\n`);
    return 0;
  }
  const refused = await requeueAll(store, deliveries, io);
  for (const d of deliveries) {
    if (!refused.includes(d)) io.out.write(`resent ${d.id} (was ${describe(d)})\n`);
  }
  return reportRefused(refused, io);
}

interface Range {
  endpointId: string;
  since: number;
  until: number;
}

async function resendRange(store: Store, range: Range, io: CliIo, dryRun: boolean) {
  const owner = await endpointOwner(store, range.endpointId);
  const matching = await failedInRange(store, owner.id, range);
  const span = `${new Date(range.since).toISOString()} to ${new Date(range.until).toISOString()}`;
  if (dryRun || matching.length === 0) {
    const verb = dryRun ? 'would resend' : 'nothing to resend:';
    io.out.write(
      `${verb} ${matching.length} failed deliveries of endpoint ${range.endpointId} ` +
        `that failed from ${span}\n`,
    );
    return 0;
  }
  const refused = await requeueAll(store, matching, io);
  io.out.write(
    `resent ${matching.length - refused.length} failed deliveries of endpoint ` +
      `${range.endpointId} (owner ${owner.id}) that failed from ${span}\n`,
  );
  return reportRefused(refused, io);
}

/** The endpoint's failed deliveries completed within the range, oldest first. */
async function failedInRange(store: Store, ownerId: string, range: Range) {
  const found: DeliveryRecord[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await store.listDeliveries(ownerId, {
      status: 'failed',
      targetId: range.endpointId,
      afterSeq,
      limit: PAGE,
    });
    for (const d of page) {
      const at = d.completedAt ?? d.updatedAt;
      if (at >= range.since && at <= range.until) found.push(d);
    }
    if (page.length < PAGE) return found;
    afterSeq = page[page.length - 1].seq;
  }
}

/**
 * Requeues one delivery at a time, counting on screen. Returns those the store
 * refused: picked up again meanwhile, or their event withdrawn.
 */
async function requeueAll(store: Store, deliveries: DeliveryRecord[], io: CliIo) {
  const progress = new Progress(io, 'resent', deliveries.length);
  const refused: DeliveryRecord[] = [];
  for (const d of deliveries) {
    if (!(await store.requeueDelivery(d.ownerId, d.id, Date.now()))) refused.push(d);
    progress.tick();
  }
  if (deliveries.length > 1) progress.finish();
  return refused;
}

function reportRefused(refused: DeliveryRecord[], io: CliIo): number {
  if (refused.length === 0) return 0;
  io.err.write(
    `not resent (${refused.length}): ${refused.map((d) => d.id).join(', ')}: ` +
      'each is queued already or its event was withdrawn\n',
  );
  return 1;
}

function describe(d: DeliveryRecord): string {
  const tries = d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`;
  return `${d.status} after ${tries}`;
}
