import type { HeraldConfig } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { SmtpTransports } from './email/smtp-transports.ts';
import { Intake } from './ingest/intake.ts';
import { createLogger, type Logger } from './logger.ts';
import { Dispatcher } from './queue/dispatcher.ts';
import { emailJob } from './queue/email-job.ts';
import { webhookJob } from './queue/webhook-job.ts';
import { issueKey } from './api/auth.ts';
import { buildServer } from './api/server.ts';
import type { Api } from './api/context.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import type { EndpointDoc } from './store/records.ts';
import { newId } from './ids.ts';
import { WebhookSender } from './webhooks/webhook-sender.ts';

export interface HeraldOptions {
  config: HeraldConfig;
  logger?: Logger;
  /** Run the delivery workers in this process (the default). */
  workers?: boolean;
  /** Serve the HTTP API in this process (the default). */
  api?: boolean;
  /** Trusted CA for SMTP servers with self-signed certificates (tests, demo). */
  smtpCa?: string | Buffer;
}

/** A running Herald: store, API and workers, started and stopped together. */
export interface Herald {
  config: HeraldConfig;
  store: Store;
  server: Api;
  dispatcher: Dispatcher;
  /** The base URL the API listens on, once started. */
  url: string;
  /** Set when this start created the first owner: its admin key, shown once. */
  firstAdminKey?: string;
  stop(): Promise<void>;
}

export async function startHerald(options: HeraldOptions): Promise<Herald> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  if (config.allowPrivateTargets) {
    logger.warn(
      'HERALD_ALLOW_PRIVATE_TARGETS is on: webhooks may reach loopback and private ' +
        'addresses on any port. This is for development and tests only.',
    );
  }

  const store = await openStore(config);
  await store.migrate();
  const firstAdminKey = await ensureFirstOwner(store, config, logger);

  const secrets = new SecretBox(config.secretKey);
  const sender = new WebhookSender({
    allowPrivateTargets: config.allowPrivateTargets,
    timeoutMs: config.webhookTimeoutMs,
    connectTimeoutMs: config.webhookConnectTimeoutMs,
    responseBodyLimit: config.responseBodyLimit,
    ca: config.webhookCa,
    logger: logger.child({ component: 'webhooks' }),
  });
  const transports = new SmtpTransports({
    logger: logger.child({ component: 'email' }),
    ca: options.smtpCa,
  });

  const dispatcher = new Dispatcher({
    store,
    logger: logger.child({ component: 'worker' }),
    jobs: {
      webhook: webhookJob({ store, secrets, sender }),
      email: emailJob({ store, secrets, transports }),
    },
    retry: { schedule: config.retrySchedule, jitter: config.retryJitter },
    concurrency: config.workerConcurrency,
    leaseMs: config.leaseMs,
    pollIntervalMs: config.pollIntervalMs,
    onDisableTarget: async (delivery, reason) => {
      const endpoint = await store.getRecord<EndpointDoc>(
        delivery.ownerId,
        'endpoint',
        delivery.targetId,
      );
      if (!endpoint) return;
      const doc = { ...endpoint.doc, enabled: false, disabledReason: reason };
      await store.putRecords([
        { ownerId: delivery.ownerId, kind: 'endpoint', id: endpoint.id, doc },
      ]);
      logger.warn(
        { endpointId: endpoint.id, ownerId: delivery.ownerId },
        `endpoint disabled: ${reason}`,
      );
    },
  });
  const runWorkers = options.workers ?? true;
  const wake = () => {
    if (runWorkers) dispatcher.wake();
  };

  const intake = new Intake(
    store,
    logger.child({ component: 'intake' }),
    wake,
    config.maxBatchSize,
  );
  const server = await buildServer({ store, config, secrets, intake, transports, logger, wake });
  let url = '';
  if (options.api ?? true) {
    url = await server.listen({ port: config.port, host: config.host });
    logger.info({ url }, `Herald API listening on ${url}`);
  }
  if (runWorkers) dispatcher.start();

  return {
    config,
    store,
    server,
    dispatcher,
    url,
    firstAdminKey,
    async stop() {
      await server.close();
      await dispatcher.stop();
      await sender.close();
      await transports.close();
      await store.close();
    },
  };
}

/**
 * On the first start there is no owner: create the platform owner and its admin
 * key, from HERALD_ADMIN_KEY when given, else a new one returned to be shown once.
 */
async function ensureFirstOwner(store: Store, config: HeraldConfig, logger: Logger) {
  if ((await store.countOwners()) > 0) return undefined;
  const owner = {
    id: newId('own'),
    name: 'Platform',
    defaultLocale: 'en',
    platform: true,
    createdAt: Date.now(),
  };
  await store.createOwner(owner);
  const { secret } = await issueKey(store, owner.id, 'first admin key', ['admin'], config.adminKey);
  logger.info({ ownerId: owner.id }, 'created the platform owner and its admin key');
  return secret;
}
