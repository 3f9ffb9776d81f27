import type { HeraldConfig } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { SmtpTransports } from './email/smtp-transports.ts';
import { Intake } from './ingest/intake.ts';
import { createLogger, type Logger } from './logger.ts';
import { Dispatcher, type StopReport } from './queue/dispatcher.ts';
import { DeliveryThread } from './queue/delivery-thread.ts';
import { EventPrefetch } from './queue/event-prefetch.ts';
import { emailJob } from './queue/email-job.ts';
import { webhookJob } from './queue/webhook-job.ts';
import { issueKey } from './api/auth.ts';
import type { Api } from './api/context.ts';
import { openStore } from './store/open-store.ts';
import { RecordCache } from './store/record-cache.ts';
import type { Store } from './store/store.ts';
import { newId } from './ids.ts';
import { WebhookSender } from './webhooks/webhook-sender.ts';
import { EndpointHealth } from './webhooks/endpoint-health.ts';
import { OAuthTokens } from './webhooks/oauth-tokens.ts';
import { TargetGate } from './queue/target-gate.ts';
import { systemClock, type Clock } from './triggers/clock.ts';
import { Triggers } from './triggers/triggers.ts';
import { countingCommits } from './metrics/counting-store.ts';
import { HeraldMetrics, type HeraldObserver } from './metrics/herald-metrics.ts';
import { shutdown } from './shutdown.ts';

export interface HeraldOptions {
  config: HeraldConfig;
  logger?: Logger;
  /** Run the delivery workers in this process (the default). */
  workers?: boolean;
  /** Serve the HTTP API in this process (the default). */
  api?: boolean;
  /** Trusted CA for SMTP servers with self-signed certificates (tests, demo). */
  smtpCa?: string | Buffer;
  /** Run the trigger scheduler on its timer (defaults to `workers`). */
  triggers?: boolean;
  /** Where the triggers read the time; tests pass one they can set. */
  clock?: Clock;
  /** Told when this Herald queued events for the triggers (a delivery thread's). */
  onFacts?: () => void;
  /** Counts events and attempts instead of this Herald's metrics (a delivery thread's). */
  observer?: HeraldObserver;
}

/** A running Herald: store, API and workers, started and stopped together. */
export interface Herald {
  config: HeraldConfig;
  store: Store;
  /** The HTTP API; none in a workers-only process, which never loads it. */
  server: Api | undefined;
  /** The workers; idle in a process whose workers run on a delivery thread. */
  dispatcher: Dispatcher;
  /** The thread the workers run on, when HERALD_DELIVERY_THREAD gave them one. */
  deliveryThread: DeliveryThread | undefined;
  /** The workers' cache of endpoints, canned emails, SMTP profiles and owners. */
  records: RecordCache;
  /** The derived events; `triggers.scheduler.runDue(now)` fires what is due. */
  triggers: Triggers;
  /** This Herald's Prometheus registry, served at /metrics. */
  metrics: HeraldMetrics;
  /** The base URL the API listens on, once started. */
  url: string;
  /** Set when this start created the first owner: its admin key, shown once. */
  firstAdminKey?: string;
  /**
   * Stops gracefully (see shutdown.ts); says what became of the attempts in flight.
   * Later calls wait for the first.
   */
  stop(): Promise<StopReport>;
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

  const opened = await openStore(config);
  await opened.migrate();
  // Everything but the workers' reads sees the store as it is; any record write
  // through it empties the workers' cache.
  const records = new RecordCache(config.recordCacheMs);
  const store = records.clearing(opened);
  const prefetch = new EventPrefetch(opened);
  const workerStore = prefetch.reading(records.reading(opened));
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

  const runApi = options.api ?? true;
  const runWorkers = options.workers ?? true;
  // With both roles, the workers may get a thread, and this event loop then only
  // tells them of new work.
  const threaded = runApi && runWorkers && config.deliveryThread;
  let dispatcher: Dispatcher | undefined;
  let thread: DeliveryThread | undefined;
  // Until a delivery thread is ready, nothing to wake: it claims what is due as
  // it starts. This event loop's dispatcher then never runs.
  const wake = () => {
    if (threaded) thread?.wake();
    else if (runWorkers) dispatcher?.wake();
  };
  let triggers: Triggers | undefined;
  const metrics = new HeraldMetrics();
  const observer = options.observer ?? metrics;
  const intake = new Intake(
    countingCommits(store, (type) => observer.accepted(type)),
    logger.child({ component: 'intake' }),
    wake,
    config.maxBatchSize,
    options.onFacts ?? (() => triggers?.scheduler.wake()),
  );
  triggers = new Triggers({
    store,
    intake,
    clock: options.clock ?? systemClock,
    logger: logger.child({ component: 'triggers' }),
    pollIntervalMs: config.pollIntervalMs,
  });

  const health = new EndpointHealth(
    workerStore,
    config.endpointDisableAfterMs,
    async (ownerId, endpoint, details) => {
      await intake.acceptSystemEvent(ownerId, 'endpoint.disabled', {
        endpoint: {
          id: endpoint.id,
          name: endpoint.name,
          url: endpoint.url,
          reason: details.reason,
          failingSince: new Date(details.failingSince).toISOString(),
          disabledAt: new Date(details.disabledAt).toISOString(),
        },
      });
    },
    logger.child({ component: 'webhooks' }),
  );
  dispatcher = new Dispatcher({
    store,
    logger: logger.child({ component: 'worker' }),
    jobs: {
      webhook: webhookJob({
        store: workerStore,
        secrets,
        sender,
        oauth: new OAuthTokens(sender),
        health,
        gate: new TargetGate(),
        endpointConcurrency: config.endpointConcurrency,
      }),
      email: emailJob({ store: workerStore, secrets, transports }),
    },
    retry: { schedule: config.retrySchedule, jitter: config.retryJitter },
    concurrency: config.workerConcurrency,
    leaseMs: config.leaseMs,
    pollIntervalMs: config.pollIntervalMs,
    observer,
    prefetch,
  });
  const workers = dispatcher;
  metrics.observe({
    queue: (now) => store.queueStats(now),
    inFlight: () => (thread ? thread.inFlight() : workers.activeByChannel()),
    capacity: runWorkers ? config.workerConcurrency : 0,
  });

  let server: Api | undefined;
  let url = '';
  // A start that fails lets go of what it opened, so the caller may try again.
  const abandon = async (error: unknown): Promise<never> => {
    await server?.close().catch(() => undefined);
    await Promise.allSettled([sender.close(), transports.close()]);
    await opened.close();
    throw error;
  };
  if (runApi) {
    try {
      // Loaded only here: the HTTP framework and its schemas are a good part of a
      // process's memory, and a workers-only process has no use for them.
      const { buildServer } = await import('./api/server.ts');
      server = await buildServer(
        { store, owners: workerStore, config, secrets, intake, transports, logger, wake },
        triggers,
        metrics,
      );
      url = await server.listen({ port: config.port, host: config.host });
    } catch (error) {
      await abandon(error);
    }
    logger.info({ url }, `Herald API listening on ${url}`);
  }
  // Started once the API listens, as the workers of one event loop are: a start
  // that fails to listen must not have claimed anything.
  if (threaded) {
    const started = await DeliveryThread.start({
      config,
      smtpCa: options.smtpCa,
      logger: logger.child({ component: 'worker' }),
      onFacts: () => triggers?.scheduler.wake(),
      observer: metrics,
    }).catch(abandon);
    logger.info('the delivery workers run on a thread of their own (HERALD_DELIVERY_THREAD)');
    records.onWrite(() => started.recordsChanged());
    thread = started;
  }

  if (runWorkers && !thread) dispatcher.start();
  // New work wakes these workers at once: on PostgreSQL also work queued by another
  // process (LISTEN/NOTIFY); on SQLite as soon as intake commits, before its sync.
  // A delivery thread hears PostgreSQL itself, but not this connection's SQLite.
  const listening =
    runWorkers && hasWorkSignal(store) && (!thread || !config.databaseUrl) ? store : undefined;
  const unlisten = listening ? await listening.onWork(wake) : undefined;
  if (options.triggers ?? runWorkers) triggers.scheduler.start();
  const scheduler = triggers.scheduler;
  let stopping: Promise<StopReport> | undefined;

  return {
    config,
    store,
    server,
    dispatcher: workers,
    deliveryThread: thread,
    records,
    triggers,
    metrics,
    url,
    firstAdminKey,
    stop: () =>
      (stopping ??= (async () => {
        await unlisten?.();
        const parts = {
          server,
          scheduler,
          dispatcher: thread ?? workers,
          sender,
          transports,
          store,
          logger,
        };
        return shutdown(parts, config.shutdownGraceMs);
      })()),
  };
}

function hasWorkSignal(
  store: Store,
): store is Store & { onWork(listener: () => void): Promise<() => void> } {
  return typeof (store as { onWork?: unknown }).onWork === 'function';
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
    alertEmail: null,
    createdAt: Date.now(),
  };
  await store.createOwner(owner);
  const { secret } = await issueKey(store, owner.id, 'first admin key', ['admin'], config.adminKey);
  logger.info({ ownerId: owner.id }, 'created the platform owner and its admin key');
  return secret;
}
