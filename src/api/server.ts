import { isUtf8 } from 'node:buffer';
import Fastify, { LogController } from 'fastify';
import { ApiError } from '../errors.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import { authenticator } from './auth.ts';
import { apiRateLimit } from './rate-limit.ts';
import { registerDocs } from './docs.ts';
import { healthRoutes } from './health.ts';
import { metricsRoute } from '../metrics/metrics-route.ts';
import type { HeraldMetrics } from '../metrics/herald-metrics.ts';
import type { Api, ApiContext } from './context.ts';
import { errorHandler } from './error-handler.ts';
import { consoleRoutes } from './console.ts';
import { accountRoutes } from './routes/accounts.ts';
import { contactTypeRoutes } from './routes/contact-types.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { emailTemplateRoutes } from './routes/email-templates.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { eventTypeRoutes } from './routes/event-types.ts';
import { eventRoutes } from './routes/events.ts';
import { ownerRoutes } from './routes/owners.ts';
import { smtpProfileRoutes } from './routes/smtp-profiles.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { bucketRoutes } from './routes/buckets.ts';
import { contractRoutes } from './routes/contracts.ts';
import { deliveryFeedRoutes } from './routes/delivery-feed.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { scheduledRoutes } from './routes/scheduled.ts';
import { simRoutes } from './routes/sims.ts';
import { triggerSettingsRoutes } from './routes/trigger-settings.ts';
import { usageRoutes } from './routes/usage.ts';
import type { Triggers } from '../triggers/triggers.ts';

/**
 * Builds the HTTP API. Requests are validated by the route schemas (TypeBox, so the
 * same schemas produce the OpenAPI document at /openapi.json), with no type coercion
 * and no silent removal of unknown fields: a client learns about every mistake.
 */
export async function buildServer(
  ctx: ApiContext,
  triggers: Triggers,
  metrics: HeraldMetrics,
): Promise<Api> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'api' }),
    // Requests are not logged one by one: at intake rates that would be most of the
    // log. Failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimitBytes,
    ajv: {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        allErrors: false,
        verbose: true,
        discriminator: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await registerDocs(app);

  app.setErrorHandler(errorHandler);
  // JSON bodies must be valid UTF-8: a stray Latin-1 byte would otherwise be stored
  // as U+FFFD and the client would never learn its data was changed.
  app.removeContentTypeParser('application/json');
  // Fastify's own parser, with its guards against prototype poisoning, after the check.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      const message = 'body is not valid UTF-8; send JSON encoded as UTF-8';
      done(new ApiError(400, 'invalid_json', message, 'body'));
      return;
    }
    parseJson(request, bytes.toString('utf8'), done);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'no_route',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      },
    }),
  );

  healthRoutes(app, ctx.store);
  metricsRoute(app, { store: ctx.store, metrics, public: ctx.config.metricsPublic });

  await app.register(async (v1) => {
    v1.addHook('onRequest', authenticator(ctx.store, ctx.owners));
    if (ctx.config.apiRateLimitPerSecond > 0) await v1.register(rateLimit, apiRateLimit(ctx));
    // A POST without a body (rotate-secret, preview) means "no options", not a
    // malformed request; routes that need fields still say which are missing.
    v1.addHook('preValidation', async (request) => {
      refuseNul(request.body, 'body');
      refuseNul(request.params, '');
      refuseNul(request.query, '');
      if (request.body === undefined && request.method !== 'GET' && request.method !== 'DELETE') {
        request.body = {};
      }
    });
    const api = v1.withTypeProvider<TypeBoxTypeProvider>();
    ownerRoutes(api, ctx);
    eventTypeRoutes(api);
    eventRoutes(api, ctx);
    accountRoutes(api, ctx);
    contactTypeRoutes(api, ctx);
    endpointRoutes(api, ctx);
    smtpProfileRoutes(api, ctx);
    emailTemplateRoutes(api, ctx);
    subscriptionRoutes(api, ctx);
    deliveryRoutes(api, ctx);
    deliveryFeedRoutes(api, ctx);
    usageRoutes(api, ctx, triggers);
    bucketRoutes(api, ctx);
    contractRoutes(api, ctx, triggers);
    invoiceRoutes(api, ctx, triggers);
    scheduledRoutes(api, ctx, triggers);
    simRoutes(api, ctx);
    triggerSettingsRoutes(api, ctx);
  });
  await app.register(consoleRoutes);
  return app;
}

/**
 * U+0000 has no place in any field, and PostgreSQL cannot store it in text or jsonb:
 * refuse it up front, naming the field, on either backend.
 */
function refuseNul(value: unknown, path: string, depth = 0): void {
  if (depth > 200) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      const field = path || 'value';
      throw new ApiError(
        400,
        'invalid_character',
        `${field} must not hold the NUL character (U+0000)`,
        field,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value)
      ? `${path}[${key}]`
      : path && path !== 'body'
        ? `${path}.${key}`
        : key;
    if (key.includes('\u0000')) refuseNul(key, childPath, depth + 1);
    refuseNul(child, childPath, depth + 1);
  }
}
