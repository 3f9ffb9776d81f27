import type { Channel, DeliveryRecord, DeliveryStatus, Owner, Store } from '../store/store.ts';
import { choiceOption, intOption, stringOption, type Command } from './command.ts';
import { ownerById, withStore } from './operator-store.ts';
import { renderTable, when, type Column } from './table.ts';

const STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'in_flight',
  'succeeded',
  'failed',
  'cancelled',
];
const CHANNELS: readonly Channel[] = ['webhook', 'email'];
/** Rows read from the store per call while paging. */
const PAGE = 500;

const COLUMNS: Column<DeliveryRecord>[] = [
  { title: 'DELIVERY', value: (d) => d.id },
  { title: 'EVENT', value: (d) => d.eventId },
  { title: 'TYPE', value: (d) => d.eventType },
  { title: 'CHANNEL', value: (d) => d.channel },
  { title: 'STATUS', value: (d) => d.status },
  { title: 'TRIES', value: (d) => d.attempts, align: 'right' },
  { title: 'UPDATED', value: (d) => when(d.updatedAt) },
  { title: 'LAST ERROR', value: (d) => d.lastError, max: 60 },
];

export const deliveriesCommand: Command = {
  name: 'deliveries',
  summary: 'list deliveries (the failed ones, say) as a table, oldest first',
  usage: `herald deliveries [--status <status>] [--owner <id>] [--endpoint <id>]
           [--channel webhook|email] [--event-type <type>] [--limit <n>] [--json]

  --status      ${STATUSES.join(', ')}
  --owner       only this owner's deliveries (default: every owner's, owner by owner)
  --endpoint    only deliveries to this webhook endpoint (or email template) id
  --channel     only webhook or only email deliveries
  --event-type  only deliveries of events of this type
  --limit       at most this many rows in all (default 50, at most 10000)
  --json        one JSON object per line instead of the table

  Use "herald event <eventId>" for a delivery's attempts, "herald resend" to resend.`,
  options: {
    status: { type: 'string' },
    owner: { type: 'string' },
    endpoint: { type: 'string' },
    channel: { type: 'string' },
    'event-type': { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },

  async run({ values }, io) {
    const filter = {
      status: choiceOption(values.status, 'status', STATUSES),
      channel: choiceOption(values.channel, 'channel', CHANNELS),
      targetId: stringOption(values.endpoint),
      eventType: stringOption(values['event-type']),
    };
    const limit = intOption(values.limit, 'limit', 50, [1, 10_000]);
    const ownerId = stringOption(values.owner);

    return withStore(io, async (store) => {
      const owners = ownerId ? [await ownerById(store, ownerId)] : await store.listOwners();
      let shown = 0;
      let more = false;
      for (const owner of owners) {
        if (shown === limit) {
          more = true;
          break;
        }
        const { rows, truncated } = await readDeliveries(store, owner, filter, limit - shown);
        more ||= truncated;
        shown += rows.length;
        if (values.json) {
          for (const d of rows) io.out.write(JSON.stringify(d) + '\n');
        } else if (rows.length > 0) {
          io.out.write(`\nowner ${owner.id} (${owner.name})\n`);
          io.out.write(renderTable(rows, COLUMNS));
        }
      }
      if (!values.json) {
        const what = filter.status ? `${filter.status} deliveries` : 'deliveries';
        const tail = more ? `; there are more: raise --limit (now ${limit})` : '';
        io.err.write(`\n${shown} ${what}${tail}\n`);
      }
      return 0;
    });
  },
};

type Filter = Partial<Pick<DeliveryRecord, 'status' | 'channel' | 'targetId' | 'eventType'>>;

/** Up to `room` deliveries of the owner, and whether more matched. */
async function readDeliveries(store: Store, owner: Owner, filter: Filter, room: number) {
  const rows: DeliveryRecord[] = [];
  let afterSeq = 0;
  for (;;) {
    const want = Math.min(PAGE, room - rows.length + 1);
    const page = await store.listDeliveries(owner.id, { ...filter, afterSeq, limit: want });
    rows.push(...page);
    if (rows.length > room) return { rows: rows.slice(0, room), truncated: true };
    if (page.length < want) return { rows, truncated: false };
    afterSeq = page[page.length - 1].seq;
  }
}
