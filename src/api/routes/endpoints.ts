import { Type, type Static } from '@sinclair/typebox';
import { getEventType, tokensFor } from '../../catalog/index.ts';
import { ApiError, conflict, invalid, notFound } from '../../errors.ts';
import { parseDateTime } from '../../ingest/input-checks.ts';
import { newId } from '../../ids.ts';
import { checkTemplate } from '../../templates/index.ts';
import { generateSecret } from '../../webhooks/signing.ts';
import { checkEndpointUrl } from '../../webhooks/url-policy.ts';
import type { EndpointAuth, EndpointDoc } from '../../store/records.ts';
import type { StoredRecord } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { Discriminated, IdParams, iso } from '../shared.ts';
import { checkEventTypes } from '../validators.ts';

const AuthSchema = Discriminated([
  Type.Object({ type: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('basic'),
      username: Type.String({ minLength: 1, maxLength: 500 }),
      password: Type.String({ minLength: 1, maxLength: 1000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('bearer'), token: Type.String({ minLength: 1, maxLength: 4096 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('oauth2'),
      tokenUrl: Type.String({ description: 'https:// token endpoint (client credentials)' }),
      clientId: Type.String({ minLength: 1, maxLength: 500 }),
      clientSecret: Type.String({ minLength: 1, maxLength: 2000 }),
      scope: Type.Optional(Type.String({ maxLength: 1000 })),
      audience: Type.Optional(Type.String({ maxLength: 1000 })),
    },
    { additionalProperties: false },
  ),
]);

const HEADER_NAME = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$";
const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  url: Type.String({ description: 'https:// with no port, at most 2048 characters' }),
  eventTypes: Type.Array(Type.String(), { minItems: 1, maxItems: 100 }),
  ordering: Type.Optional(Type.Union([Type.Literal('ordered'), Type.Literal('unordered')])),
  auth: Type.Optional(AuthSchema),
  headers: Type.Optional(
    Type.Record(Type.String({ pattern: HEADER_NAME }), Type.String({ maxLength: 4096 }), {
      description: 'extra request headers; values are write-only',
      additionalProperties: false,
    }),
  ),
  parameters: Type.Optional(
    Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 100 }),
          value: Type.String({ maxLength: 2000 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  ),
  rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
};
const Create = Type.Object(Fields, { additionalProperties: false });
const Patch = Type.Partial(Create, { additionalProperties: false });
type EndpointInput = Static<typeof Patch>;

const Rotate = Type.Object(
  { graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86400 })) },
  { additionalProperties: false },
);
const ResendFailed = Type.Object(
  { since: Type.String(), until: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** Headers Herald sets itself: an endpoint may not override them. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'authorization',
  'user-agent',
  'transfer-encoding',
  'connection',
]);

export function apiEndpoint(record: StoredRecord<EndpointDoc>) {
  const { secrets, headers, auth, ...rest } = record.doc;
  return {
    ...rest,
    auth: publicAuth(auth),
    headers: Object.fromEntries(headers.map((h) => [h.name, '[redacted]'])),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

/** Webhook endpoints: URL policy, secrets shown once, write-only credentials. */
export function endpointRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['endpoints'];

  function apply(doc: EndpointDoc, input: EndpointInput): EndpointDoc {
    const next = { ...doc };
    if (input.name !== undefined) next.name = input.name;
    if (input.url !== undefined)
      next.url = checkEndpointUrl(input.url, {
        allowPrivateTargets: ctx.config.allowPrivateTargets,
      });
    if (input.eventTypes !== undefined)
      next.eventTypes = checkEventTypes(input.eventTypes, 'eventTypes');
    if (input.ordering !== undefined) next.ordering = input.ordering;
    if (input.auth !== undefined) next.auth = sealAuth(input.auth);
    if (input.headers !== undefined) {
      next.headers = Object.entries(input.headers).map(([name, value]) => {
        if (RESERVED_HEADERS.has(name.toLowerCase())) {
          throw invalid(
            `headers.${name}`,
            `headers.${name} is set by Herald itself; use auth for credentials`,
          );
        }
        checkHeaderValue(value, `headers.${name}`);
        return { name, sealed: ctx.secrets.seal(value) };
      });
    }
    if (input.parameters !== undefined) next.parameters = input.parameters;
    if (input.rateLimit !== undefined) next.rateLimit = input.rateLimit;
    if (input.enabled !== undefined) {
      next.enabled = input.enabled;
      next.disabledReason = input.enabled ? null : 'disabled through the API';
      if (input.enabled) next.failingSince = null;
    }
    checkParameters(next);
    return next;
  }

  function sealAuth(auth: Static<typeof AuthSchema>): EndpointAuth {
    if (auth.type === 'oauth2') {
      const policy = { allowPrivateTargets: ctx.config.allowPrivateTargets };
      let tokenUrl: string;
      try {
        tokenUrl = checkEndpointUrl(auth.tokenUrl, policy);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        throw invalid('auth.tokenUrl', error.message.replace(/^url\b/, 'auth.tokenUrl'));
      }
      return {
        type: 'oauth2',
        tokenUrl,
        clientId: auth.clientId,
        scope: auth.scope,
        audience: auth.audience,
        sealed: ctx.secrets.seal(auth.clientSecret),
      };
    }
    if (auth.type === 'basic') {
      // RFC 7617: the user name ends at the first colon, so it may not hold one.
      if (auth.username.includes(':') || !VISIBLE_ASCII.test(auth.username)) {
        throw invalid(
          'auth.username',
          'auth.username must be printable ASCII without a colon (RFC 7617 splits at the first ' +
            'colon)',
        );
      }
      return { type: 'basic', username: auth.username, sealed: ctx.secrets.seal(auth.password) };
    }
    if (auth.type === 'bearer') {
      checkHeaderValue(auth.token, 'auth.token');
      return { type: 'bearer', sealed: ctx.secrets.seal(auth.token) };
    }
    return { type: 'none' };
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<EndpointDoc>(ownerId, 'endpoint', id);
    if (!record) throw notFound('endpoint', id);
    return record;
  }

  async function save(ownerId: string, doc: EndpointDoc, existing = true) {
    await ctx.store.putRecords([{ ownerId, kind: 'endpoint', id: doc.id, doc, existing }]);
    return load(ownerId, doc.id);
  }

  app.post('/v1/endpoints', { ...opts, schema: { body: Create, tags } }, async (request, reply) => {
    const existing = await ctx.store.listRecords(request.caller.owner.id, 'endpoint');
    if (existing.length >= ctx.config.maxEndpointsPerOwner) {
      throw conflict(
        'endpoint_limit',
        `an owner has at most ${ctx.config.maxEndpointsPerOwner} endpoints ` +
          '(HERALD_MAX_ENDPOINTS_PER_OWNER); delete one you no longer use first',
      );
    }
    const secret = generateSecret();
    const blank: EndpointDoc = {
      id: newId('ep'),
      name: '',
      url: '',
      eventTypes: [],
      ordering: 'unordered',
      auth: { type: 'none' },
      headers: [],
      parameters: [],
      rateLimit: null,
      enabled: true,
      disabledReason: null,
      secrets: [{ sealed: ctx.secrets.seal(secret), expiresAt: null }],
    };
    const fresh = apply(blank, request.body as EndpointInput);
    const saved = await save(request.caller.owner.id, fresh, false);
    return reply.status(201).send({ ...apiEndpoint(saved), secret });
  });

  app.get('/v1/endpoints', { ...opts, schema: { tags } }, async (request) => {
    const records = await ctx.store.listRecords<EndpointDoc>(request.caller.owner.id, 'endpoint');
    return { data: records.map(apiEndpoint) };
  });

  app.get('/v1/endpoints/:id', { ...opts, schema: { params: IdParams, tags } }, async (request) =>
    apiEndpoint(await load(request.caller.owner.id, request.params.id)),
  );

  app.patch(
    '/v1/endpoints/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      const saved = await save(ownerId, apply(current.doc, request.body as EndpointInput));
      if (saved.doc.enabled && !current.doc.enabled) {
        // Deliveries that waited while it was off are due again at once, in order.
        await ctx.store.wakeTarget(ownerId, saved.id, Date.now());
        ctx.wake();
      }
      return apiEndpoint(saved);
    },
  );

  app.delete(
    '/v1/endpoints/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const deleted = await ctx.store.deleteRecord(
        request.caller.owner.id,
        'endpoint',
        request.params.id,
      );
      if (!deleted) throw notFound('endpoint', request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/endpoints/:id/rotate-secret',
    { ...opts, schema: { params: IdParams, body: Rotate, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      // The old secret keeps signing beside the new one for the grace period, so a
      // receiver can switch over without rejecting a single delivery.
      const graceMs = (request.body?.graceSeconds ?? 86400) * 1000;
      const expiresAt = Date.now() + graceMs;
      const kept = current.doc.secrets
        .filter((s) => s.expiresAt === null || s.expiresAt > Date.now())
        .map((s) => ({
          sealed: s.sealed,
          expiresAt: s.expiresAt === null ? expiresAt : Math.min(s.expiresAt, expiresAt),
        }));
      const secret = generateSecret();
      const doc = {
        ...current.doc,
        secrets: [{ sealed: ctx.secrets.seal(secret), expiresAt: null }, ...kept],
      };
      const saved = await save(ownerId, doc);
      return { ...apiEndpoint(saved), secret, previousSecretsExpireAt: iso(expiresAt) };
    },
  );

  app.post(
    '/v1/endpoints/:id/resend-failed',
    { ...opts, schema: { params: IdParams, body: ResendFailed, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      await load(ownerId, request.params.id);
      const since = parseDateTime(request.body.since, 'since');
      const until =
        request.body.until === undefined ? Date.now() : parseDateTime(request.body.until, 'until');
      if (until < since) throw invalid('until', 'until must not be before since');
      const requeued = await ctx.store.requeueFailed(ownerId, request.params.id, since, until);
      if (requeued > 0) ctx.wake();
      return reply.status(202).send({ requeued });
    },
  );
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * A value that goes into an HTTP header must be visible ASCII, spaces and tabs
 * (RFC 9110 field-value); anything else could never be sent, so it is refused when
 * saved rather than failing every delivery later.
 */
function checkHeaderValue(value: string, field: string): void {
  if (!/^[\x20-\x7e\t]*$/.test(value)) {
    throw invalid(
      field,
      `${field} must hold only printable ASCII characters, spaces and tabs (no line breaks or ` +
        `non-ASCII)`,
    );
  }
}

/** What the API shows of an endpoint's auth: its kind and names, never a secret. */
function publicAuth(auth: EndpointAuth) {
  if (auth.type === 'basic') return { type: 'basic', username: auth.username };
  if (auth.type === 'oauth2') {
    const { tokenUrl, clientId, scope, audience } = auth;
    return { type: 'oauth2', tokenUrl, clientId, scope, audience };
  }
  return { type: auth.type };
}

/**
 * Parameter values may hold tokens; each token must be carried by every event type
 * the endpoint takes, or some deliveries would render it empty.
 */
function checkParameters(doc: EndpointDoc): void {
  const names = new Set<string>();
  doc.parameters.forEach((p, i) => {
    if (names.has(p.name))
      throw invalid(`parameters[${i}].name`, `parameter ${JSON.stringify(p.name)} appears twice`);
    names.add(p.name);
    for (const type of doc.eventTypes) {
      if (!getEventType(type)) continue;
      const allowed = tokensFor(type, 'webhook').map((t) => t.name);
      checkTemplate(p.value, allowed, `parameters[${i}].value`, type);
    }
  });
}
