import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { ApiError } from '../errors.ts';
import type { ApiContext } from './context.ts';

/**
 * Per-key request limit: each API key may make HERALD_API_RATE_LIMIT requests a
 * second. It runs after authentication, so it counts keys rather than addresses,
 * and an over-eager client of one owner cannot slow another. The answer is a 429
 * with Retry-After, in the contract's error shape.
 */
export function apiRateLimit(ctx: ApiContext): RateLimitPluginOptions {
  return {
    hook: 'preHandler',
    max: ctx.config.apiRateLimitPerSecond,
    timeWindow: 1000,
    keyGenerator: (request) => request.caller?.key.id ?? request.ip,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new ApiError(
        429,
        'rate_limited',
        `this key made more than ${context.max} requests in a second; retry after ${seconds} s`,
        undefined,
        { headers: { 'retry-after': String(seconds) } },
      );
    },
  };
}
