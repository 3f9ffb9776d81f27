import { Type } from '@sinclair/typebox';
import { validatePayload } from '../../catalog/index.ts';
import { conflict, notFound } from '../../errors.ts';
import { parseDateTime } from '../../ingest/input-checks.ts';
import type { ScheduledRecord, ScheduledStatus } from '../../store/trigger-store.ts';
import { localIso } from '../../triggers/local-time.ts';
import type { Triggers } from '../../triggers/triggers.ts';
import type { Api, ApiContext } from '../context.ts';
import { decodeCursor, encodeCursor, IdParams, iso, pageLimit } from '../shared.ts';

const ListQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 100 })),
    accountId: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(
      Type.Union(
        ['pending', 'fired', 'cancelled', 'all'].map((s) => Type.Literal(s)),
        {
          description: 'pending unless given',
        },
      ),
    ),
    after: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);

const Patch = Type.Object(
  {
    dueAt: Type.Optional(Type.String({ description: 'ISO 8601; the new due moment' })),
    data: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: true, description: 'the payload to fire, exactly as given' },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export function apiScheduled(row: ScheduledRecord) {
  return {
    id: row.id,
    type: row.type,
    key: row.dedupeKey,
    accountId: row.accountId,
    subscriptionId: row.subscriptionId,
    dueAt: iso(row.dueAt),
    dueLocal: row.dueLocal,
    timezone: row.timezone,
    status: row.status,
    data: row.data,
    edited: row.edited,
    eventId: row.eventId,
    note: row.note,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function notPending(row: ScheduledRecord, verb: string) {
  const what = row.eventId ? ` (event ${row.eventId})` : row.note ? ` (${row.note})` : '';
  return conflict(
    'scheduled_not_pending',
    `scheduled notification ${row.id} is ${row.status}${what}; only pending ones can be ${verb}`,
  );
}

/**
 * Scheduled and derived notifications: what the triggers will fire, and when (UTC
 * and in the time zone they were planned in). Subscribers with events:update move
 * one or set its data; with events:delete they withdraw it.
 */
export function scheduledRoutes(app: Api, ctx: ApiContext, triggers: Triggers): void {
  const tags = ['scheduled'];

  async function load(ownerId: string, id: string) {
    const row = await ctx.store.getScheduled(ownerId, id);
    if (!row) throw notFound('scheduled notification', id);
    return row;
  }

  app.get(
    '/v1/scheduled',
    { config: { scope: 'events:read' }, schema: { querystring: ListQuery, tags } },
    async (request) => {
      const q = request.query;
      const status: string = q.status ?? 'pending';
      const rows = await ctx.store.listScheduled(request.caller.owner.id, {
        status: status === 'all' ? undefined : (status as ScheduledStatus),
        type: q.type,
        accountId: q.accountId,
        afterSeq: decodeCursor(q.after),
        limit: pageLimit(q.limit),
      });
      const last = rows.at(-1);
      return {
        data: rows.map(apiScheduled),
        nextCursor: last ? encodeCursor(last.seq) : (q.after ?? null),
      };
    },
  );

  app.get(
    '/v1/scheduled/:id',
    { config: { scope: 'events:read' }, schema: { params: IdParams, tags } },
    async (request) => apiScheduled(await load(request.caller.owner.id, request.params.id)),
  );

  app.patch(
    '/v1/scheduled/:id',
    { config: { scope: 'events:update' }, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const row = await load(ownerId, request.params.id);
      if (row.status !== 'pending') throw notPending(row, 'changed');
      const { dueAt: dueText, data } = request.body;
      const dueAt = dueText === undefined ? undefined : parseDateTime(dueText, 'dueAt');
      if (data !== undefined) validatePayload(row.type, data);

      const change = {
        dueAt,
        dueLocal: dueAt === undefined ? undefined : localIso(dueAt, row.timezone),
        data,
      };
      const changed = await ctx.store.updateScheduled(ownerId, row.id, change, Date.now());
      const after = await load(ownerId, row.id);
      if (!changed) throw notPending(after, 'changed');
      triggers.scheduler.wake();
      return apiScheduled(after);
    },
  );

  app.delete(
    '/v1/scheduled/:id',
    { config: { scope: 'events:delete' }, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const row = await load(ownerId, request.params.id);
      const note = `withdrawn by a subscriber (key ${request.caller.key.id})`;
      const cancelled = await ctx.store.cancelScheduled(ownerId, { id: row.id }, note, Date.now());
      if (!cancelled) throw notPending(await load(ownerId, row.id), 'withdrawn');
      return reply.status(204).send();
    },
  );
}
