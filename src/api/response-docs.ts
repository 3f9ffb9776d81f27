/**
 * What each /v1 route answers on success, for the OpenAPI document only (see
 * docs.ts): the status and, where there is a body, its schema. The schemas live in
 * response-schemas.ts; test/api/docs.test.ts checks real answers against both.
 */
import type { TSchema } from '@sinclair/typebox';
import * as C from './config-schemas.ts';
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
  ...crud('accounts', C.Account, { put: true }),
  ...crud('contact-types', C.ContactType),
  ...crud('endpoints', C.Endpoint),
  'POST /v1/endpoints': C.EndpointCreated,
  'POST /v1/endpoints/{id}/rotate-secret': C.EndpointRotated,
  'POST /v1/endpoints/{id}/resend-failed': C.Requeued,
  ...crud('smtp-profiles', C.SmtpProfile),
  ...crud('email-templates', C.EmailTemplate),
  'POST /v1/email-templates/{id}/preview': C.Preview,
  'POST /v1/email-templates/{id}/test-send': C.TestSent,
  ...crud('subscriptions', C.Subscription),
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

/** Routes that refuse with 409 when the request clashes with the state, and why. */
export const CONFLICTS: Record<string, string> = {
  'POST /v1/events': 'The Idempotency-Key was used before with another body',
  'POST /v1/events/batch': 'The Idempotency-Key was used before with another body',
  'PATCH /v1/events/{id}': 'The event was attempted or withdrawn already',
  'DELETE /v1/events/{id}': 'The event was delivered already',
  'DELETE /v1/keys/{id}': 'A key cannot delete itself',
  'POST /v1/accounts': 'An account with this id exists',
  'POST /v1/contact-types': 'A contact type of this name exists',
  'PATCH /v1/contact-types/{id}': 'A contact type of this name exists',
  'PATCH /v1/smtp-profiles/{id}': 'The owner must keep a default profile',
  'DELETE /v1/smtp-profiles/{id}': 'The profile is the default, or a canned email uses it',
  'POST /v1/deliveries/{id}/resend': 'The delivery is still queued or in flight',
  'POST /v1/buckets': 'A bucket with this id or name exists',
  'PATCH /v1/buckets/{id}': 'Another bucket has this name',
  'POST /v1/contracts': 'A contract with this id exists',
  'PATCH /v1/scheduled/{id}': 'The notification fired or was cancelled already',
  'DELETE /v1/scheduled/{id}': 'The notification fired or was cancelled already',
};

/** Other refusals particular to one route. */
export const OTHER_ERRORS: Record<string, Record<number, string>> = {
  'POST /v1/email-templates/{id}/test-send': { 502: 'The SMTP server refused the message' },
  'POST /v1/events/batch': { 413: 'More events than HERALD_MAX_BATCH_SIZE' },
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
