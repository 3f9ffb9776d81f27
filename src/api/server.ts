import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authenticator } from './auth.ts';
import type { Api, ApiContext } from './context.ts';
import { errorHandler } from './error-handler.ts';
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

/**
 * Builds the HTTP API. Requests are validated by the route schemas (TypeBox, so the
 * same schemas produce the OpenAPI document at /openapi.json), with no type coercion
 * and no silent removal of unknown fields: a client learns about every mistake.
 */
export async function buildServer(ctx: ApiContext): Promise<Api> {
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
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      info: { title: 'Herald API', version: '1' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'no_route',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      },
    }),
  );

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (v1) => {
    v1.addHook('onRequest', authenticator(ctx.store));
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
  });
  return app;
}
