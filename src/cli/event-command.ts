import type { AttemptRecord, DeliveryRecord, EventRecord } from '../store/store.ts';
import { CommandError, type CliIo } from './cli-io.ts';
import type { Command } from './command.ts';
import { withStore } from './operator-store.ts';
import { when } from './table.ts';

export const eventCommand: Command = {
  name: 'event',
  summary: 'show an event with its deliveries and every attempt',
  usage: `herald event <eventId> [--json]

  Prints the event (type, account, times, payload), then each delivery with its
  attempts: when, how long, the receiver's status or the error. Request headers
  are shown as stored, which is without secrets.

  --json  the same as one JSON document`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1, name: 'eventId' },

  async run({ values, positionals }, io) {
    const [eventId] = positionals;
    return withStore(io, async (store) => {
      const event = await store.getEventById(eventId);
      if (!event) throw new CommandError(`no event ${eventId}`);
      const owner = await store.getOwner(event.ownerId);
      const deliveries = await store.listDeliveries(event.ownerId, { eventId, limit: 1000 });
      const attempts = new Map<string, AttemptRecord[]>();
      for (const d of deliveries) attempts.set(d.id, await store.listAttempts(event.ownerId, d.id));

      if (values.json) {
        const document = {
          ...event,
          ownerName: owner?.name ?? null,
          deliveries: deliveries.map((d) => ({ ...d, attempts: attempts.get(d.id) })),
        };
        io.out.write(JSON.stringify(document, null, 2) + '\n');
      } else {
        printEvent(io, event, owner?.name);
        for (const d of deliveries) printDelivery(io, d, attempts.get(d.id) ?? []);
      }
      return 0;
    });
  },
};

function printEvent(io: CliIo, event: EventRecord, ownerName: string | undefined) {
  const lines = [
    `event ${event.id}  ${event.type}  (${event.status})`,
    `  owner        ${event.ownerId}${ownerName ? ` (${ownerName})` : ''}`,
    `  account      ${event.accountId ?? '-'}`,
    `  ordering key ${event.orderingKey ?? '-'}`,
    `  occurred     ${when(event.occurredAt)}`,
    `  accepted     ${when(event.acceptedAt)}`,
    `  data         ${indent(JSON.stringify(event.data, null, 2), 15)}`,
    '',
    `deliveries (${event.status === 'withdrawn' ? 'event withdrawn' : 'in order of creation'}):`,
  ];
  io.out.write(lines.join('\n') + '\n');
}

function printDelivery(io: CliIo, d: DeliveryRecord, attempts: AttemptRecord[]) {
  const target = d.channel === 'webhook' ? `endpoint ${d.targetId}` : `template ${d.targetId}`;
  const lines = [`\n  ${d.id}  ${d.channel} to ${target}  ${d.status}`];
  if (d.status === 'pending') lines.push(`    next attempt ${when(d.nextAttemptAt)}`);
  if (d.lastError) lines.push(`    last error: ${d.lastError}`);
  if (attempts.length === 0) lines.push('    no attempt yet');
  for (const a of attempts) {
    const answer = a.statusCode !== null ? `HTTP ${a.statusCode}` : 'no answer';
    const result = a.ok ? 'ok' : `failed (${a.errorCode ?? 'unknown'}): ${a.error ?? ''}`;
    lines.push(`    #${a.number}  ${when(a.startedAt)}  ${a.durationMs} ms  ${answer}  ${result}`);
    const request = Object.entries(a.request);
    for (const [name, value] of request) {
      lines.push(`        ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
    if (a.responseBody) lines.push(`        response: ${a.responseBody.slice(0, 200)}`);
  }
  io.out.write(lines.join('\n') + '\n');
}

function indent(text: string, by: number): string {
  return text.replaceAll('\n', '\n' + ' '.repeat(by));
}
