import { Type, type Static } from '@sinclair/typebox';
import { tokensFor } from '../../catalog/index.ts';
import { TIME_PATTERN } from '../../catalog/schema.ts';
import { invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { EmailTemplateDoc, EndpointDoc } from '../../store/records.ts';
import type { RecordReference, RecordWrite, StoredRecord } from '../../store/store.ts';
import type { TriggerSubscription as SubscriptionDoc } from '../../triggers/trigger-records.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';
import { checkEventTypes } from '../validators.ts';

const Fields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  eventTypes: Type.Optional(
    Type.Array(Type.String(), {
      minItems: 1,
      description: "defaults to the endpoint's event types or the template's event type",
    }),
  ),
  filter: Type.Optional(
    Type.Union([
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'token path to required value, e.g. {"service.newState": "Suspended"}',
      }),
      Type.Null(),
    ]),
  ),
  endpointId: Type.Optional(Type.String()),
  emailTemplateId: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.Boolean()),
  schedule: Type.Optional(
    Type.Union([
      Type.Object(
        {
          offsetDays: Type.Integer({ minimum: 0, maximum: 366 }),
          at: Type.String({ pattern: TIME_PATTERN, description: 'local time of day, HH:MM' }),
        },
        {
          additionalProperties: false,
          description:
            'invoice.delivery_followup only: notify offsetDays after each invoice delivery, ' +
            "at local time `at` in the account's time zone",
        },
      ),
      Type.Null(),
    ]),
  ),
  dormantDays: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], {
      description: "sim.dormant only: this subscription's own dormancy period, in days",
    }),
  ),
};
const Create = Type.Object(Fields, { additionalProperties: false });
const Patch = Type.Partial(Create, { additionalProperties: false });
type SubscriptionInput = Static<typeof Patch>;

function apiSubscription(record: StoredRecord<SubscriptionDoc>) {
  return { ...record.doc, createdAt: iso(record.createdAt), updatedAt: iso(record.updatedAt) };
}

/**
 * Subscriptions route events to channels: "events of these types (matching this
 * filter) go to this endpoint / this canned email". One event may match many.
 */
export function subscriptionRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['subscriptions'];

  async function apply(ownerId: string, doc: SubscriptionDoc, input: SubscriptionInput) {
    const next = { ...doc };
    if (input.name !== undefined) next.name = input.name;
    if (input.enabled !== undefined) next.enabled = input.enabled;
    if (input.filter !== undefined) next.filter = input.filter;
    if (input.schedule !== undefined) next.schedule = input.schedule;
    if (input.dormantDays !== undefined) next.dormantDays = input.dormantDays;
    if (input.endpointId !== undefined || input.emailTemplateId !== undefined) {
      next.endpointId = input.endpointId;
      next.emailTemplateId = input.emailTemplateId;
    }
    if (Boolean(next.endpointId) === Boolean(next.emailTemplateId)) {
      throw invalid(
        'endpointId',
        'a subscription names exactly one of endpointId and emailTemplateId',
      );
    }

    let accepted: string[];
    if (next.endpointId) {
      const endpoint = await ctx.store.getRecord<EndpointDoc>(ownerId, 'endpoint', next.endpointId);
      if (!endpoint)
        throw invalid(
          'endpointId',
          `endpoint ${JSON.stringify(next.endpointId)} does not exist`,
          'unknown_endpoint',
        );
      accepted = endpoint.doc.eventTypes;
    } else {
      const template = await ctx.store.getRecord<EmailTemplateDoc>(
        ownerId,
        'email-template',
        next.emailTemplateId!,
      );
      if (!template)
        throw invalid(
          'emailTemplateId',
          `email template ${JSON.stringify(next.emailTemplateId)} does not exist`,
          'unknown_email_template',
        );
      accepted = [template.doc.eventType];
    }
    if (input.eventTypes !== undefined)
      next.eventTypes = checkEventTypes(input.eventTypes, 'eventTypes');
    else if (next.eventTypes.length === 0 || input.endpointId || input.emailTemplateId)
      next.eventTypes = accepted;
    next.eventTypes.forEach((type, i) => {
      if (!accepted.includes(type)) {
        const target = next.endpointId
          ? `endpoint ${next.endpointId}`
          : `email template ${next.emailTemplateId}`;
        throw invalid(
          `eventTypes[${i}]`,
          `${target} takes ${accepted.join(', ')}, not ${type}`,
          'event_type_not_accepted',
        );
      }
    });
    checkFilter(next);
    checkOwnSchedule(next);
    return next;
  }

  /** The endpoint or canned email it names must still exist when it is written. */
  function subscriptionWrite(ownerId: string, doc: SubscriptionDoc, existing: boolean) {
    const refersTo: RecordReference[] = doc.endpointId
      ? [{ kind: 'endpoint', id: doc.endpointId, field: 'endpointId' }]
      : [{ kind: 'email-template', id: doc.emailTemplateId!, field: 'emailTemplateId' }];
    const write: RecordWrite<SubscriptionDoc> = {
      ownerId,
      kind: 'subscription',
      id: doc.id,
      doc,
      existing,
      refersTo,
    };
    return write;
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<SubscriptionDoc>(ownerId, 'subscription', id);
    if (!record) throw notFound('subscription', id);
    return record;
  }

  app.post(
    '/v1/subscriptions',
    { ...opts, schema: { body: Create, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const blank: SubscriptionDoc = {
        id: newId('sub'),
        eventTypes: [],
        filter: null,
        schedule: null,
        enabled: true,
      };
      const doc = await apply(ownerId, blank, request.body);
      await ctx.store.putRecords([subscriptionWrite(ownerId, doc, false)]);
      return reply.status(201).send(apiSubscription(await load(ownerId, doc.id)));
    },
  );

  app.get('/v1/subscriptions', { ...opts, schema: { tags } }, async (request) => {
    const records = await ctx.store.listRecords<SubscriptionDoc>(
      request.caller.owner.id,
      'subscription',
    );
    return { data: records.map(apiSubscription) };
  });

  app.get(
    '/v1/subscriptions/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request) => apiSubscription(await load(request.caller.owner.id, request.params.id)),
  );

  app.patch(
    '/v1/subscriptions/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      const doc = await apply(ownerId, current.doc, request.body);
      await ctx.store.putRecords([subscriptionWrite(ownerId, doc, true)]);
      return apiSubscription(await load(ownerId, doc.id));
    },
  );

  app.delete(
    '/v1/subscriptions/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const deleted = await ctx.store.deleteRecord(
        request.caller.owner.id,
        'subscription',
        request.params.id,
      );
      if (!deleted) throw notFound('subscription', request.params.id);
      return reply.status(204).send();
    },
  );
}

/** A schedule or a dormancy period belongs to a subscription to that one event type. */
function checkOwnSchedule(doc: SubscriptionDoc): void {
  const alone = (type: string) => doc.eventTypes.length === 1 && doc.eventTypes[0] === type;
  if (doc.schedule && !alone('invoice.delivery_followup')) {
    throw invalid(
      'schedule',
      'schedule is for subscriptions whose eventTypes is ["invoice.delivery_followup"] ' +
        `(got ${JSON.stringify(doc.eventTypes)}); set eventTypes or drop schedule`,
    );
  }
  if (doc.dormantDays && !alone('sim.dormant')) {
    throw invalid(
      'dormantDays',
      'dormantDays is for subscriptions whose eventTypes is ["sim.dormant"] ' +
        `(got ${JSON.stringify(doc.eventTypes)}); set eventTypes or drop dormantDays`,
    );
  }
}

/** A filter may only name tokens that every subscribed event type carries. */
function checkFilter(doc: SubscriptionDoc): void {
  if (!doc.filter) return;
  for (const path of Object.keys(doc.filter)) {
    for (const type of doc.eventTypes) {
      const tokens = tokensFor(type, 'webhook').map((t) => t.name);
      if (!tokens.includes(path)) {
        throw invalid(
          `filter.${path}`,
          `filter names token ${path}, which ${type} does not carry; available: ` +
            `${tokens.join(', ')}`,
          'unknown_token',
        );
      }
    }
  }
}
