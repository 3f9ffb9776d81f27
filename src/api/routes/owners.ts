import { Type } from '@sinclair/typebox';
import { issueKey } from '../auth.ts';
import { parseEmailAddress } from '../../email/address.ts';
import { ApiError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { ALL_SCOPES, type Owner, type Scope } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';

const ScopeSchema = Type.Union(ALL_SCOPES.map((s) => Type.Literal(s)));

const OwnerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    defaultLocale: Type.Optional(Type.String({ minLength: 2, maxLength: 35 })),
    alertEmail: Type.Optional(
      Type.Union([Type.String({ maxLength: 254 }), Type.Null()], {
        description: "where Herald's own alerts go, such as an endpoint it disabled",
      }),
    ),
  },
  { additionalProperties: false },
);
const OwnerPatch = Type.Partial(OwnerBody, { additionalProperties: false });

const KeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export function apiOwner(owner: Owner) {
  return {
    id: owner.id,
    name: owner.name,
    defaultLocale: owner.defaultLocale,
    alertEmail: owner.alertEmail,
    createdAt: iso(owner.createdAt),
  };
}

/** Owners (tenants) and their API keys. */
export function ownerRoutes(app: Api, ctx: ApiContext): void {
  app.post(
    '/v1/owners',
    { config: { scope: 'admin' }, schema: { body: OwnerBody, tags: ['owners'] } },
    async (request, reply) => {
      if (!request.caller.owner.platform) {
        throw new ApiError(
          403,
          'not_platform_admin',
          "only the platform owner's admin keys create owners",
        );
      }
      const owner: Owner = {
        id: newId('own'),
        name: request.body.name,
        defaultLocale: canonicalLocale(request.body.defaultLocale ?? 'en'),
        platform: false,
        alertEmail: alertEmailOf(request.body.alertEmail),
        createdAt: Date.now(),
      };
      await ctx.store.createOwner(owner);
      const { key, secret } = await issueKey(ctx.store, owner.id, 'first admin key', ['admin']);
      return reply
        .status(201)
        .send({ ...apiOwner(owner), key: { id: key.id, scopes: key.scopes, secret } });
    },
  );

  app.get('/v1/owners/:id', { schema: { params: IdParams, tags: ['owners'] } }, async (request) => {
    const { caller } = request;
    const mayRead =
      caller.owner.id === request.params.id ||
      (caller.owner.platform && caller.key.scopes.includes('admin'));
    const owner = mayRead ? await ctx.store.getOwner(request.params.id) : undefined;
    if (!owner) throw notFound('owner', request.params.id);
    return apiOwner(owner);
  });

  app.patch(
    '/v1/owners/:id',
    {
      config: { scope: 'admin' },
      schema: { params: IdParams, body: OwnerPatch, tags: ['owners'] },
    },
    async (request) => {
      const { caller } = request;
      const mayWrite = caller.owner.id === request.params.id || caller.owner.platform;
      const owner = mayWrite ? await ctx.store.getOwner(request.params.id) : undefined;
      if (!owner) throw notFound('owner', request.params.id);
      const { name, defaultLocale, alertEmail } = request.body;
      const changed: Owner = {
        ...owner,
        name: name ?? owner.name,
        defaultLocale: defaultLocale ? canonicalLocale(defaultLocale) : owner.defaultLocale,
        alertEmail: alertEmail === undefined ? owner.alertEmail : alertEmailOf(alertEmail),
      };
      await ctx.store.updateOwner(changed);
      return apiOwner(changed);
    },
  );

  app.post(
    '/v1/keys',
    { config: { scope: 'admin' }, schema: { body: KeyBody, tags: ['keys'] } },
    async (request, reply) => {
      const scopes = request.body.scopes as Scope[];
      const { key, secret } = await issueKey(
        ctx.store,
        request.caller.owner.id,
        request.body.name,
        scopes,
      );
      return reply.status(201).send({ ...apiKey(key), secret });
    },
  );

  app.get(
    '/v1/keys',
    { config: { scope: 'admin' }, schema: { tags: ['keys'] } },
    async (request) => {
      const keys = await ctx.store.listApiKeys(request.caller.owner.id);
      return { data: keys.map(apiKey) };
    },
  );

  app.delete(
    '/v1/keys/:id',
    { config: { scope: 'admin' }, schema: { params: IdParams, tags: ['keys'] } },
    async (request, reply) => {
      if (request.params.id === request.caller.key.id) {
        throw new ApiError(409, 'key_in_use', 'a key cannot delete itself; use another admin key');
      }
      const deleted = await ctx.store.deleteApiKey(request.caller.owner.id, request.params.id);
      if (!deleted) throw notFound('key', request.params.id);
      return reply.status(204).send();
    },
  );
}

function apiKey(key: {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: number;
}) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: iso(key.createdAt),
  };
}

function alertEmailOf(value: string | null | undefined): string | null {
  return value ? parseEmailAddress(value, 'alertEmail') : null;
}

export function canonicalLocale(locale: string, field = 'defaultLocale'): string {
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    throw new ApiError(
      422,
      'invalid_locale',
      `${field} must be a BCP 47 locale like en or fr-CA (got ${JSON.stringify(locale)})`,
      field,
    );
  }
}
