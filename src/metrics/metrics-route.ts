import { authenticator } from '../api/auth.ts';
import type { Api } from '../api/context.ts';
import { ErrorBody } from '../api/shared.ts';
import { ApiError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { HeraldMetrics } from './herald-metrics.ts';

export interface MetricsRouteOptions {
  store: Store;
  metrics: HeraldMetrics;
  /** HERALD_METRICS_PUBLIC=1: no key asked, for a scraper on a private network. */
  public: boolean;
}

/**
 * GET /metrics in the Prometheus text format. The numbers span every owner, so by
 * default it takes an admin key of the platform owner as a bearer token (what a
 * Prometheus scrape job sends with `authorization: {credentials: ...}`); an admin
 * key of any other owner is refused with 403.
 */
export function metricsRoute(app: Api, options: MetricsRouteOptions): void {
  const { metrics } = options;
  const guard = options.public
    ? {}
    : {
        onRequest: authenticator(options.store),
        preHandler: async (request: { caller: { owner: { platform: boolean } } }) => {
          if (request.caller.owner.platform) return;
          throw new ApiError(
            403,
            'platform_key_required',
            'metrics cover every owner: use an admin key of the platform owner, ' +
              'or set HERALD_METRICS_PUBLIC=1 to serve them without a key',
          );
        },
      };

  app.get(
    '/metrics',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics: events, deliveries, attempt latency, queue depth',
        description: options.public
          ? 'Served without a key (HERALD_METRICS_PUBLIC=1).'
          : 'Needs an admin key of the platform owner, unless HERALD_METRICS_PUBLIC=1.',
        ...(options.public ? { security: [] } : {}),
        response: {
          200: {
            description: 'The Prometheus text exposition format, version 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          401: { description: 'No key, or a key that is not valid', ...ErrorBody },
          403: { description: 'Not an admin key of the platform owner', ...ErrorBody },
        },
      },
      ...guard,
    },
    async (_request, reply) => {
      const text = await metrics.scrape();
      return reply.type(metrics.contentType).send(text);
    },
  );
}
