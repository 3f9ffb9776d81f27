import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IntakeAnswer, IntakeCaller } from '../../ingest/intake.ts';
import { Type } from '@sinclair/typebox';
import { validatePayload } from '../../catalog/index.ts';
import { conflict, notFound } from '../../errors.ts';
import { apiEvent } from '../../ingest/intake.ts';
import type { EventChange } from '../../store/trigger-store.ts';
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

const EventPatch = Type.Object(
  { data: Type.Object({}, { additionalProperties: true, description: 'the new payload' }) },
  { additionalProperties: false },
);

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

/** Why a change to an event was refused, as the 409 the client reads. */
function refusal(id: string, change: EventChange, verb: string) {
  if (change.kind === 'not_found') return notFound('event', id);
  if (change.kind === 'withdrawn') {
    return conflict('event_withdrawn', `event ${id} was withdrawn; it can no longer be ${verb}`);
  }
  if (change.kind === 'delivered') {
    const tries = change.attempts === 1 ? '1 attempt' : `${change.attempts} attempts`;
    return conflict(
      'event_delivered',
      `event ${id} was already sent (delivery ${change.deliveryId} is ` +
        `${change.deliveryStatus} after ${tries}), so it can no longer be ${verb}; ` +
        'post a new event instead',
    );
  }
  return undefined;
}

/**
 * Event intake, the cursor feed of events, and the subscribers' changes: PATCH
 * replaces the data of an event none of whose deliveries was attempted yet, DELETE
 * withdraws one that none delivered (its pending deliveries are cancelled).
 */
export function eventRoutes(app: Api, ctx: ApiContext): void {
  app.post(
    '/v1/events',
    {
      config: { scope: 'events:create' },
      schema: { body: EventBody, headers: IdempotencyHeaders, tags: ['events'] },
    },
    (request, reply) =>
      intakeAnswer(request, reply, (caller, key) =>
        ctx.intake.acceptOne(caller, request.body, key),
      ),
  );

  app.post(
    '/v1/events/batch',
    {
      config: { scope: 'events:create' },
      schema: { body: BatchBody, headers: IdempotencyHeaders, tags: ['events'] },
    },
    (request, reply) =>
      intakeAnswer(request, reply, (caller, key) =>
        ctx.intake.acceptBatch(caller, request.body, key),
      ),
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

  app.patch(
    '/v1/events/:id',
    {
      config: { scope: 'events:update' },
      schema: { params: IdParams, body: EventPatch, tags: ['events'] },
    },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const { id } = request.params;
      const event = await ctx.store.getEvent(ownerId, id);
      if (!event) throw notFound('event', id);
      validatePayload(event.type, request.body.data);
      const change = await ctx.store.updateEventData(ownerId, id, request.body.data);
      const refused = refusal(id, change, 'changed');
      if (refused) throw refused;
      return apiEvent((await ctx.store.getEvent(ownerId, id))!);
    },
  );

  app.delete(
    '/v1/events/:id',
    { config: { scope: 'events:delete' }, schema: { params: IdParams, tags: ['events'] } },
    async (request, reply) => {
      const { id } = request.params;
      const change = await ctx.store.withdrawEvent(request.caller.owner.id, id, Date.now());
      // Withdrawing twice is not an error: the event is withdrawn as asked.
      if (change.kind !== 'withdrawn') {
        const refused = refusal(id, change, 'withdrawn');
        if (refused) throw refused;
      }
      return reply.status(204).send();
    },
  );
}

/** Runs one intake call with the request's Idempotency-Key and answers as it says. */
async function intakeAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  accept: (caller: IntakeCaller, key: string | undefined) => Promise<IntakeAnswer>,
) {
  const key = request.headers['idempotency-key'] as string | undefined;
  const { owner, recordsVersion } = request.caller;
  const answer = await accept({ ownerId: owner.id, recordsVersion }, key);
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(answer.status).send(answer.body);
}
