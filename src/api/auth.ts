import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import type { ApiKey, Owner, Scope, Store } from '../store/store.ts';

/** Who is calling: resolved from the bearer key on every /v1 request. */
export interface Caller {
  key: ApiKey;
  owner: Owner;
  /** The owner's records version as this request found it (see versioned-records.ts). */
  recordsVersion: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one need only a valid key. */
    scope?: Scope;
  }
}

const KEY_PREFIX = 'hk_';

/** Keys are stored as SHA-256 hashes: a leaked database holds no usable key. */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Makes a new API key; the secret is returned once and never stored in clear. */
export async function issueKey(
  store: Store,
  ownerId: string,
  name: string,
  scopes: Scope[],
  secret = KEY_PREFIX + randomToken(32),
): Promise<{ key: ApiKey; secret: string }> {
  const key: ApiKey = {
    id: newId('key'),
    ownerId,
    name,
    prefix: secret.slice(0, 10),
    scopes,
    createdAt: Date.now(),
  };
  await store.createApiKey(key, hashKey(secret));
  return { key, secret };
}

/** An `admin` key holds every scope of its own owner. */
export function hasScope(caller: Caller, scope: Scope): boolean {
  return caller.key.scopes.includes(scope) || caller.key.scopes.includes('admin');
}

/**
 * Checks the bearer key of each request. The key is looked up afresh every time,
 * so a revoked key stops working at once; its owner may come from a cache (the
 * workers' record cache), as owners change rarely and are never deleted.
 */
export function authenticator(store: Store, owners: Pick<Store, 'getOwner'> = store) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new ApiError(
        401,
        'unauthenticated',
        'send your API key as "Authorization: Bearer <key>"',
        'Authorization',
      );
    }
    const found = await store.findKeyWithRecordsVersion(hashKey(match[1]));
    const owner = found && (await owners.getOwner(found.key.ownerId));
    if (!found || !owner) {
      throw new ApiError(
        401,
        'invalid_key',
        'the API key is not valid or was revoked',
        'Authorization',
      );
    }
    request.caller = { key: found.key, owner, recordsVersion: found.recordsVersion };

    const needed = request.routeOptions.config.scope;
    if (needed && !hasScope(request.caller, needed)) {
      throw new ApiError(403, 'missing_scope', `this route needs a key with the ${needed} scope`);
    }
  };
}
