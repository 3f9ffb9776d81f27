/**
 * What each /v1 route answers on success, for the OpenAPI document only (see
 * docs.ts): the status and, where there is a body, its schema. The schemas live in
 * response-schemas.ts; test/api/docs.test.ts checks real answers against both.
 */
import type { TSchema } from '@sinclair/typebox';
import * as S from './response-schemas.ts';

export interface ResponseDoc {
  status: number;
  description: string;
  schema?: object;
}

/** The body of each route's success answer; routes answering 204 have none. */
const BODIES: Record<string, object> = {
  'POST /v1/owners': S.OwnerCreated,
  'GET /v1/owners/{id}': S.Owner,
  'PATCH /v1/owners/{id}': S.Owner,
  'POST /v1/keys': S.KeyCreated,
  'GET /v1/keys': S.List(S.Key),
  'GET /v1/event-types': S.List(S.EventType),
  'POST /v1/events': S.Event,
  'POST /v1/events/batch': S.BatchAnswer,
  'GET /v1/events': S.Page(S.Event),
  'GET /v1/events/{id}': S.EventWithDeliveries,
  'PATCH /v1/events/{id}': S.Event,
  ...crud('accounts', S.Account, { put: true }),
  ...crud('contact-types', S.ContactType),
  ...crud('endpoints', S.Endpoint),
  'POST /v1/endpoints': S.EndpointCreated,
  'POST /v1/endpoints/{id}/rotate-secret': S.EndpointRotated,
  'POST /v1/endpoints/{id}/resend-failed': S.Requeued,
  ...crud('smtp-profiles', S.SmtpProfile),
  ...crud('email-templates', S.EmailTemplate),
  'POST /v1/email-templates/{id}/preview': S.Preview,
  'POST /v1/email-templates/{id}/test-send': S.TestSent,
  ...crud('subscriptions', S.Subscription),
  'GET /v1/deliveries': S.Page(S.Delivery),
  'GET /v1/deliveries/{id}': S.DeliveryWithAttempts,
  'POST /v1/deliveries/{id}/resend': S.Delivery,
  'GET /v1/deliveries/feed': S.Page(S.FeedItem),
  'POST /v1/usage': S.UsageAnswer,
  'GET /v1/usage/totals': S.List(S.UsageTotal),
  ...crud('buckets', S.Bucket),
  ...crud('contracts', S.Contract),
  'GET /v1/invoices': S.List(S.Invoice),
  'GET /v1/invoices/{id}': S.Invoice,
  'POST /v1/invoices/{id}/settle': S.Invoice,
  'GET /v1/scheduled': S.Page(S.Scheduled),
  'GET /v1/scheduled/{id}': S.Scheduled,
  'PATCH /v1/scheduled/{id}': S.Scheduled,
  'GET /v1/sims/{id}': S.Sim,
  'GET /v1/trigger-settings': S.TriggerSettings,
  'PATCH /v1/trigger-settings': S.TriggerSettings,
};

/** Routes whose success status is not the one their method and path suggest. */
const STATUS: Record<string, number> = {
  'POST /v1/events': 202,
  'POST /v1/events/batch': 202,
  'POST /v1/usage': 202,
  'POST /v1/deliveries/{id}/resend': 202,
  'POST /v1/endpoints/{id}/resend-failed': 202,
};

/** A collection's create, list, read and update answers. */
function crud(collection: string, item: TSchema, options: { put?: boolean } = {}) {
  const base = `/v1/${collection}`;
  const routes: Record<string, object> = {
    [`POST ${base}`]: item,
    [`GET ${base}`]: S.List(item),
    [`GET ${base}/{id}`]: item,
    [`PATCH ${base}/{id}`]: item,
  };
  if (options.put) routes[`PUT ${base}/{id}`] = item;
  return routes;
}

const DESCRIPTIONS: Record<number, string> = {
  200: 'Done',
  201: 'Created',
  202: 'Accepted: stored, and queued',
  204: 'Done; no body',
};

/** The success answer of `method path` (an OpenAPI path, `/v1/endpoints/{id}`). */
export function responseDoc(method: string, path: string): ResponseDoc {
  const key = `${method} ${path}`;
  const status = STATUS[key] ?? conventionalStatus(method, path);
  return { status, description: DESCRIPTIONS[status] ?? 'Done', schema: BODIES[key] };
}

/** DELETE answers 204, a POST to a collection 201, everything else 200. */
function conventionalStatus(method: string, path: string): number {
  if (method === 'DELETE') return 204;
  if (method === 'POST' && path.split('/').length === 3) return 201;
  return 200;
}
