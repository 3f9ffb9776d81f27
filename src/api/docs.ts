/**
 * The API's documentation: an OpenAPI 3 document built from the same route schemas
 * that validate requests, at /openapi.json, and a browsable page at /docs (Swagger
 * UI, its files served from the package: the page loads nothing from elsewhere).
 *
 * Register it before any route: the document only sees routes added after it.
 *
 * Most routes declare no response schema, as fastify would then also filter what
 * they send. Their responses are documented here instead, for the document only:
 * the success status and body from response-docs.ts, and the error answers every
 * /v1 route shares. test/api/docs.test.ts calls every route and checks the
 * answers against the document, so the two cannot drift apart unnoticed.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema, RouteOptions } from 'fastify';
import type { Api } from './context.ts';
import { CONFLICTS, OTHER_ERRORS, responseDoc } from './response-docs.ts';
import { ErrorBody } from './shared.ts';

/** One route as registered, hidden from the document or not. */
export interface RouteEntry {
  method: string;
  /** In OpenAPI form: `/v1/endpoints/{id}`. */
  path: string;
  hidden: boolean;
}

const inventories = new WeakMap<object, RouteEntry[]>();

const TAGS = [
  { name: 'owners', description: 'Owners (tenants) of the platform; admin keys' },
  { name: 'keys', description: "An owner's API keys and their scopes" },
  { name: 'catalogue', description: 'The event types, their payload schemas and tokens' },
  { name: 'events', description: 'Posting events; reading, changing or withdrawing them' },
  { name: 'accounts', description: "The owner's customer accounts and their contacts" },
  { name: 'contacts', description: 'Contact types: the roles contacts have (billing, ...)' },
  { name: 'endpoints', description: 'Webhook endpoints: URL, auth, secrets, resend' },
  { name: 'email', description: 'SMTP profiles and canned emails, with preview and test-send' },
  { name: 'subscriptions', description: 'Which events go to which endpoint or canned email' },
  { name: 'deliveries', description: 'The delivery log, attempts, resends and outcome feed' },
  { name: 'usage', description: 'Usage records, buckets, contracts and SIMs' },
  { name: 'invoices', description: 'Invoice facts kept for the overdue and follow-up triggers' },
  { name: 'scheduled', description: 'Derived and scheduled notifications not yet sent' },
  { name: 'triggers', description: "The owner's trigger settings" },
  { name: 'operations', description: 'Probes and metrics for operators; outside /v1' },
];

/** Every route the server registers, in registration order (HEAD routes left out). */
export function routeInventory(app: Api): RouteEntry[] {
  return inventories.get(app) ?? [];
}

/** Registers the OpenAPI generator, /openapi.json and /docs; call before any route. */
export async function registerDocs(app: Api): Promise<void> {
  const inventory: RouteEntry[] = [];
  inventories.set(app, inventory);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
      inventory.push({ method, path: openApiPath(route.url), hidden });
    }
  });

  // One shared definition, listed once under components.schemas, not inlined in
  // every operation's error answers.
  app.addSchema({ $id: 'Error', ...ErrorBody });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: '1',
        description:
          'Billing events in; signed webhooks and canned emails out. Every /v1 route ' +
          'takes an API key as `Authorization: Bearer <key>`; errors answer ' +
          '`{"error": {"code", "message", "field"}}`.',
      },
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A Herald API key (hk_...)' },
        },
      },
      security: [{ bearer: [] }],
    },
    // Shared schemas are listed under their own $id ("Error"), not as def-0.
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
    transform: ({ schema, url, route }) => ({
      schema: documented(schema, url, route as RouteOptions),
      url,
    }),
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, defaultModelsExpandDepth: 0 },
    theme: { title: 'Herald API' },
  });
}

/** Fastify's `:id` as OpenAPI's `{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The route's schema as the document shows it; the route itself keeps its own. */
function documented(schema: FastifySchema | undefined, url: string, route: RouteOptions) {
  const base = (schema ?? {}) as FastifySchema & Record<string, unknown>;
  if (base.hide || !url.startsWith('/v1/')) return base;

  const method = [route.method].flat()[0];
  const path = openApiPath(url);
  const scope = (route.config as { scope?: string } | undefined)?.scope;
  const needs = scope
    ? `Needs a key with the ${scope} scope (an admin key has every scope).`
    : 'Any valid key of the owner will do.';
  const description = [base.description, needs].filter(Boolean).join('\n\n');

  const key = `${method} ${path}`;
  const success = responseDoc(method, path);
  const errors: Record<string, unknown> = {
    401: errorAnswer('No key, or a key that is not valid'),
    429: errorAnswer('Too many requests with this key (HERALD_API_RATE_LIMIT); see Retry-After'),
  };
  if (base.body || base.querystring || base.params) {
    errors[400] = errorAnswer('The request does not match its schema; `field` names the culprit');
    errors[422] = errorAnswer('A value is refused; `field` names it and the message says why');
  }
  if (base.body) errors[413] = errorAnswer('The body is larger than HERALD_BODY_LIMIT_BYTES');
  if (scope) errors[403] = errorAnswer(`The key lacks the ${scope} scope`);
  if (path.includes('{')) errors[404] = errorAnswer('No such record of this owner');
  if (CONFLICTS[key]) errors[409] = errorAnswer(CONFLICTS[key]);
  for (const [status, text] of Object.entries(OTHER_ERRORS[key] ?? {})) {
    errors[status] = errorAnswer(text);
  }
  if (method !== 'GET') {
    errors[503] = errorAnswer('Storage is full or read-only: nothing was accepted; retry');
  }

  return {
    ...base,
    tags: base.tags ?? [path.split('/')[2]],
    description,
    response: {
      [success.status]: success.schema
        ? described(success.schema, success.description)
        : { description: success.description, type: 'null' },
      ...errors,
      ...(base.response as object | undefined),
    },
  };
}

function described(schema: object, description: string) {
  return { ...schema, description };
}

function errorAnswer(description: string) {
  return { description, $ref: 'Error#' };
}
