/**
 * The table of routes the API tests know (the scope each needs, a body it accepts,
 * the seeded record its :id names) and the route list as the server itself
 * registers it, read from its OpenAPI document.
 *
 * The table is checked against the server's list, so a route added without an
 * entry here fails the isolation and bad-input tests until it has one.
 */
import assert from 'node:assert/strict';
import type { Scope } from '../../src/store/store.ts';
import type { TestHerald } from '../helpers/herald-harness.ts';

/** The ids of one owner's records, as seedOwner made them. */
export interface Seeded {
  ownerId: string;
  adminKey: string;
  /** A second key of the owner, with the events:read scope only. */
  keyId: string;
  keySecret: string;
  accountId: string;
  contactTypeId: string;
  endpointId: string;
  endpointSecret: string;
  smtpProfileId: string;
  templateId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  bucketId: string;
  contractId: string;
  /** The invoice fact kept from an invoice.posted event, due far in the future. */
  invoiceId: string;
  /** The pending overdue notification of that invoice. */
  scheduledId: string;
  /** The ICCID of a SIM known from a usage record. */
  simId: string;
}

export interface RouteSpec {
  /** The scope the route needs; null when any valid key of the owner will do. */
  scope: Scope | null;
  /** The seeded record that the route's {id} names. */
  target?: keyof Seeded;
  /** A body the route accepts, for an owner seeded as `ids`. */
  body?: (ids: Seeded) => Record<string, unknown>;
  /** The query a read of everything needs, for routes that want one. */
  query?: (ids: Seeded) => string;
}

/** A loopback port nothing listens on: a record saved by mistake never leaves the host. */
const NOWHERE = 'https://127.0.0.1:1/unused';

export const serviceEvent = (accountId: string, name = 'Fibre 100') => ({
  type: 'service.state_changed',
  accountId,
  data: { service: { id: 'svc-1', name, previousState: 'Active', newState: 'Suspended' } },
});

export const ROUTES: Record<string, RouteSpec> = {
  'POST /v1/owners': { scope: 'admin', body: () => ({ name: 'Another owner' }) },
  'GET /v1/owners/{id}': { scope: null, target: 'ownerId' },
  'PATCH /v1/owners/{id}': { scope: 'admin', target: 'ownerId', body: () => ({ name: 'Renamed' }) },
  'POST /v1/keys': { scope: 'admin', body: () => ({ name: 'reader', scopes: ['events:read'] }) },
  'GET /v1/keys': { scope: 'admin' },
  'DELETE /v1/keys/{id}': { scope: 'admin', target: 'keyId' },
  'GET /v1/event-types': { scope: null },
  'POST /v1/events': { scope: 'events:create', body: (ids) => serviceEvent(ids.accountId) },
  'GET /v1/events': { scope: 'events:read' },
  'POST /v1/events/batch': {
    scope: 'events:create',
    body: (ids) => ({ events: [serviceEvent(ids.accountId)] }),
  },
  'GET /v1/events/{id}': { scope: 'events:read', target: 'eventId' },
  'PATCH /v1/events/{id}': {
    scope: 'events:update',
    target: 'eventId',
    body: (ids) => ({ data: serviceEvent(ids.accountId, 'Renamed').data }),
  },
  'DELETE /v1/events/{id}': { scope: 'events:delete', target: 'eventId' },
  'POST /v1/accounts': { scope: 'config', body: () => ({ id: 'acc-new', name: 'New account' }) },
  'GET /v1/accounts': { scope: 'config' },
  'GET /v1/accounts/{id}': { scope: 'config', target: 'accountId' },
  'PUT /v1/accounts/{id}': { scope: 'config', target: 'accountId', body: () => ({ name: 'Put' }) },
  'PATCH /v1/accounts/{id}': {
    scope: 'config',
    target: 'accountId',
    body: () => ({ name: 'Patched' }),
  },
  'DELETE /v1/accounts/{id}': { scope: 'config', target: 'accountId' },
  'POST /v1/contact-types': { scope: 'config', body: () => ({ name: 'support' }) },
  'GET /v1/contact-types': { scope: 'config' },
  'GET /v1/contact-types/{id}': { scope: 'config', target: 'contactTypeId' },
  'PATCH /v1/contact-types/{id}': {
    scope: 'config',
    target: 'contactTypeId',
    body: () => ({ isEmailDefault: false }),
  },
  'DELETE /v1/contact-types/{id}': { scope: 'config', target: 'contactTypeId' },
  'POST /v1/endpoints': {
    scope: 'config',
    body: () => ({ name: 'second', url: NOWHERE, eventTypes: ['service.state_changed'] }),
  },
  'GET /v1/endpoints': { scope: 'config' },
  'GET /v1/endpoints/{id}': { scope: 'config', target: 'endpointId' },
  'PATCH /v1/endpoints/{id}': {
    scope: 'config',
    target: 'endpointId',
    body: () => ({ name: 'renamed', url: NOWHERE }),
  },
  'DELETE /v1/endpoints/{id}': { scope: 'config', target: 'endpointId' },
  'POST /v1/endpoints/{id}/rotate-secret': {
    scope: 'config',
    target: 'endpointId',
    body: () => ({ graceSeconds: 60 }),
  },
  'POST /v1/endpoints/{id}/resend-failed': {
    scope: 'config',
    target: 'endpointId',
    body: () => ({ since: '2020-01-01T00:00:00Z' }),
  },
  'POST /v1/smtp-profiles': {
    scope: 'config',
    body: () => ({
      name: 'backup',
      host: '127.0.0.1',
      port: 2526,
      tls: 'none',
      fromAddress: 'backup@example.com',
    }),
  },
  'GET /v1/smtp-profiles': { scope: 'config' },
  'GET /v1/smtp-profiles/{id}': { scope: 'config', target: 'smtpProfileId' },
  'PATCH /v1/smtp-profiles/{id}': {
    scope: 'config',
    target: 'smtpProfileId',
    body: () => ({ name: 'renamed' }),
  },
  'DELETE /v1/smtp-profiles/{id}': { scope: 'config', target: 'smtpProfileId' },
  'POST /v1/email-templates': {
    scope: 'config',
    body: () => ({
      name: 'another',
      eventType: 'service.state_changed',
      subject: '{{service.name}} changed',
      text: 'Now {{service.newState}}',
      to: [{ address: 'ops@example.com' }],
    }),
  },
  'GET /v1/email-templates': { scope: 'config' },
  'GET /v1/email-templates/{id}': { scope: 'config', target: 'templateId' },
  'PATCH /v1/email-templates/{id}': {
    scope: 'config',
    target: 'templateId',
    body: () => ({ subject: 'Changed' }),
  },
  'DELETE /v1/email-templates/{id}': { scope: 'config', target: 'templateId' },
  'POST /v1/email-templates/{id}/preview': {
    scope: 'config',
    target: 'templateId',
    body: () => ({}),
  },
  'POST /v1/email-templates/{id}/test-send': {
    scope: 'config',
    target: 'templateId',
    body: () => ({ to: 'ops@example.com' }),
  },
  'POST /v1/subscriptions': { scope: 'config', body: (ids) => ({ endpointId: ids.endpointId }) },
  'GET /v1/subscriptions': { scope: 'config' },
  'GET /v1/subscriptions/{id}': { scope: 'config', target: 'subscriptionId' },
  'PATCH /v1/subscriptions/{id}': {
    scope: 'config',
    target: 'subscriptionId',
    body: () => ({ name: 'renamed' }),
  },
  'DELETE /v1/subscriptions/{id}': { scope: 'config', target: 'subscriptionId' },
  'GET /v1/deliveries': { scope: 'events:read' },
  'GET /v1/deliveries/{id}': { scope: 'events:read', target: 'deliveryId' },
  'POST /v1/deliveries/{id}/resend': { scope: 'events:update', target: 'deliveryId' },
  'GET /v1/deliveries/feed': { scope: 'events:read' },
  'POST /v1/usage': {
    scope: 'events:create',
    body: (ids) => ({ accountId: ids.accountId, identifier: ids.simId, quantity: 2 }),
  },
  'GET /v1/usage/totals': { scope: 'events:read', query: (ids) => `accountId=${ids.accountId}` },
  'POST /v1/buckets': {
    scope: 'config',
    body: () => ({
      name: 'voice',
      unit: 'minutes',
      allowance: 100,
      tiers: [50],
      period: 'monthly',
    }),
  },
  'GET /v1/buckets': { scope: 'config' },
  'GET /v1/buckets/{id}': { scope: 'config', target: 'bucketId' },
  'PATCH /v1/buckets/{id}': { scope: 'config', target: 'bucketId', body: () => ({ allowance: 5 }) },
  'DELETE /v1/buckets/{id}': { scope: 'config', target: 'bucketId' },
  'POST /v1/contracts': {
    scope: 'config',
    body: (ids) => ({
      accountId: ids.accountId,
      period: 'monthly',
      tiers: [{ name: 'gold', commitAmount: 50 }],
    }),
  },
  'GET /v1/contracts': { scope: 'config' },
  'GET /v1/contracts/{id}': { scope: 'config', target: 'contractId' },
  'PATCH /v1/contracts/{id}': {
    scope: 'config',
    target: 'contractId',
    body: () => ({ name: 'renamed' }),
  },
  'DELETE /v1/contracts/{id}': { scope: 'config', target: 'contractId' },
  'GET /v1/invoices': { scope: 'events:read' },
  'GET /v1/invoices/{id}': { scope: 'events:read', target: 'invoiceId' },
  'POST /v1/invoices/{id}/settle': { scope: 'events:create', target: 'invoiceId' },
  'GET /v1/scheduled': { scope: 'events:read', query: () => 'status=all' },
  'GET /v1/scheduled/{id}': { scope: 'events:read', target: 'scheduledId' },
  'PATCH /v1/scheduled/{id}': {
    scope: 'events:update',
    target: 'scheduledId',
    body: () => ({ dueAt: '2098-06-01T09:00:00Z' }),
  },
  'DELETE /v1/scheduled/{id}': { scope: 'events:delete', target: 'scheduledId' },
  'GET /v1/sims/{id}': { scope: 'events:read', target: 'simId' },
  'GET /v1/trigger-settings': { scope: 'config' },
  'PATCH /v1/trigger-settings': { scope: 'config', body: () => ({ dormantDays: 45 }) },
};

/** One route as the server registers it, read from its OpenAPI document. */
export interface ServerRoute {
  /** `METHOD /path/{id}`, the key of ROUTES. */
  key: string;
  method: string;
  path: string;
  operation: any;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export function serverRoutes(h: TestHerald): ServerRoute[] {
  const spec = h.herald.server!.swagger() as { paths: Record<string, Record<string, any>> };
  const routes: ServerRoute[] = [];
  for (const [path, operations] of Object.entries(spec.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      const upper = method.toUpperCase();
      routes.push({ key: `${upper} ${path}`, method: upper, path, operation });
    }
  }
  return routes;
}

/** Fails with the names of server routes the table lacks, and of stale entries. */
export function assertTableCoversServer(routes: ServerRoute[]): void {
  const served = new Set(routes.map((r) => r.key));
  const missing = [...served].filter((key) => !(key in ROUTES));
  const stale = Object.keys(ROUTES).filter((key) => !served.has(key));
  assert.deepEqual({ missing, stale }, { missing: [], stale: [] }, 'update ROUTES in api-fixtures');
}

export function spec(route: ServerRoute): RouteSpec {
  const found = ROUTES[route.key];
  assert.ok(found, `${route.key} has no entry in ROUTES (test/api/api-fixtures.ts)`);
  return found;
}

/** The route's path with {id} replaced by the seeded record it names (or `id`). */
export function pathFor(route: ServerRoute, ids: Seeded, id?: string): string {
  const target = spec(route).target;
  if (!route.path.includes('{id}')) return route.path;
  return route.path.replace('{id}', encodeURIComponent(id ?? ids[target!]));
}

/** A list route's path with the query that reads everything it holds. */
export function readAllPath(route: ServerRoute, ids: Seeded): string {
  const paged = (route.operation.parameters ?? []).some((p: any) => p.name === 'limit');
  const query = [spec(route).query?.(ids), paged ? 'limit=1000' : undefined];
  return `${route.path}?${query.filter(Boolean).join('&')}`;
}

/** The JSON schema of the route's body, when it takes one. */
export function bodySchema(route: ServerRoute): any | undefined {
  return route.operation.requestBody?.content?.['application/json']?.schema;
}

/**
 * Everything the owner can read, to compare before and after a refused request:
 * every list route, every seeded record, and the number of owners.
 */
export async function snapshotOwner(h: TestHerald, ids: Seeded): Promise<unknown> {
  // Routes without a query schema ignore the limit; the feeds need it to show all.
  const reads = serverRoutes(h)
    .filter((r) => r.method === 'GET')
    .map((r) => (r.path.includes('{id}') ? pathFor(r, ids) : readAllPath(r, ids)));
  const state: Record<string, unknown> = { owners: await h.herald.store.countOwners() };
  const answers = await Promise.all(
    reads.map((path) => h.api('GET', path, undefined, { key: ids.adminKey })),
  );
  answers.forEach((r, i) => (state[reads[i]] = { status: r.status, body: r.body }));
  return state;
}
