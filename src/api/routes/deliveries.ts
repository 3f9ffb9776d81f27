import { Type } from '@sinclair/typebox';
import { ApiError, notFound } from '../../errors.ts';
import type { AttemptRecord, DeliveryRecord } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { decodeCursor, encodeCursor, IdParams, iso, pageLimit } from '../shared.ts';

const ListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union(
        ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)),
      ),
    ),
    channel: Type.Optional(Type.Union([Type.Literal('webhook'), Type.Literal('email')])),
    endpointId: Type.Optional(Type.String()),
    emailTemplateId: Type.Optional(Type.String()),
    eventType: Type.Optional(Type.String()),
    eventId: Type.Optional(Type.String()),
    accountId: Type.Optional(Type.String()),
    after: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);

export function apiDelivery(d: DeliveryRecord) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    accountId: d.accountId,
    subscriptionId: d.subscriptionId,
    channel: d.channel,
    endpointId: d.channel === 'webhook' ? d.targetId : undefined,
    emailTemplateId: d.channel === 'email' ? d.targetId : undefined,
    orderingKey: d.orderingKey,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    completedAt: iso(d.completedAt),
  };
}

function apiAttempt(a: AttemptRecord) {
  return {
    number: a.number,
    startedAt: iso(a.startedAt),
    durationMs: a.durationMs,
    ok: a.ok,
    statusCode: a.statusCode,
    errorCode: a.errorCode,
    error: a.error,
    responseBody: a.responseBody,
    request: a.request,
  };
}

/** The delivery log: every delivery, its attempts, and manual resend. */
export function deliveryRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'events:read' as const } };
  const tags = ['deliveries'];

  app.get(
    '/v1/deliveries',
    { ...opts, schema: { querystring: ListQuery, tags } },
    async (request) => {
      const q = request.query;
      const deliveries = await ctx.store.listDeliveries(request.caller.owner.id, {
        status: q.status as DeliveryRecord['status'] | undefined,
        channel: q.channel,
        targetId: q.endpointId ?? q.emailTemplateId,
        eventType: q.eventType,
        eventId: q.eventId,
        accountId: q.accountId,
        afterSeq: decodeCursor(q.after),
        limit: pageLimit(q.limit),
      });
      const last = deliveries.at(-1);
      return {
        data: deliveries.map(apiDelivery),
        nextCursor: last ? encodeCursor(last.seq) : (q.after ?? null),
      };
    },
  );

  app.get(
    '/v1/deliveries/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const delivery = await ctx.store.getDelivery(ownerId, request.params.id);
      if (!delivery) throw notFound('delivery', request.params.id);
      const attempts = await ctx.store.listAttempts(ownerId, delivery.id);
      return { ...apiDelivery(delivery), attempts: attempts.map(apiAttempt) };
    },
  );

  app.post(
    '/v1/deliveries/:id/resend',
    { config: { scope: 'events:update' }, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const delivery = await ctx.store.getDelivery(ownerId, request.params.id);
      if (!delivery) throw notFound('delivery', request.params.id);
      const now = Date.now();
      const requeued = await ctx.store.requeueDelivery(ownerId, delivery.id, now);
      if (!requeued) {
        throw new ApiError(
          409,
          'delivery_active',
          `delivery ${delivery.id} is ${delivery.status}; only finished deliveries are resent`,
        );
      }
      // The answer is the delivery as the requeue left it, not read back: a worker
      // (here, or another process told by the store) may already have claimed it.
      ctx.wake();
      return reply.status(202).send(apiDelivery(requeued));
    },
  );
}
