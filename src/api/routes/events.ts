import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.ts';
import { apiEvent } from '../../ingest/intake.ts';
import type { Api, ApiContext } from '../context.ts';
import { decodeCursor, encodeCursor, IdParams, PageQuery, pageLimit } from '../shared.ts';

const EventBody = Type.Object(
  {
    type: Type.String({ description: 'an event type of GET /v1/event-types' }),
    accountId: Type.Optional(Type.String()),
    orderingKey: Type.Optional(Type.String()),
    occurredAt: Type.Optional(Type.String({ description: 'ISO 8601; defaults to acceptance' })),
    data: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: false },
);

const BatchBody = Type.Object(
  { events: Type.Array(Type.Unknown(), { description: 'events as for POST /v1/events' }) },
  { additionalProperties: false },
);

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

/** Event intake and the cursor feed of events. */
export function eventRoutes(app: Api, ctx: ApiContext): void {
  app.post(
    '/v1/events',
    {
      config: { scope: 'events:create' },
      schema: { body: EventBody, headers: IdempotencyHeaders, tags: ['events'] },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'] as string | undefined;
      const answer = await ctx.intake.acceptOne(request.caller.owner.id, request.body, key);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(answer.status).send(answer.body);
    },
  );

  app.post(
    '/v1/events/batch',
    {
      config: { scope: 'events:create' },
      schema: { body: BatchBody, headers: IdempotencyHeaders, tags: ['events'] },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'] as string | undefined;
      const answer = await ctx.intake.acceptBatch(request.caller.owner.id, request.body, key);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(answer.status).send(answer.body);
    },
  );

  app.get(
    '/v1/events',
    { config: { scope: 'events:read' }, schema: { querystring: PageQuery, tags: ['events'] } },
    async (request) => {
      const after = decodeCursor(request.query.after);
      const limit = pageLimit(request.query.limit);
      const events = await ctx.store.listEvents(request.caller.owner.id, after, limit);
      const last = events.at(-1);
      return {
        data: events.map(apiEvent),
        nextCursor: last ? encodeCursor(last.seq) : (request.query.after ?? null),
      };
    },
  );

  app.get(
    '/v1/events/:id',
    { config: { scope: 'events:read' }, schema: { params: IdParams, tags: ['events'] } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const event = await ctx.store.getEvent(ownerId, request.params.id);
      if (!event) throw notFound('event', request.params.id);
      const deliveries = await ctx.store.listDeliveries(ownerId, {
        eventId: event.id,
        limit: 1000,
      });
      return {
        ...apiEvent(event),
        deliveries: deliveries.map((d) => ({
          id: d.id,
          channel: d.channel,
          targetId: d.targetId,
          status: d.status,
        })),
      };
    },
  );
}
