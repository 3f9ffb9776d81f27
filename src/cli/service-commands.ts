import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openStore } from '../store/open-store.ts';
import { UsageError, type CliIo } from './cli-io.ts';
import type { Command } from './command.ts';

const ROLES = {
  all: { api: true, workers: true },
  api: { api: true, workers: false },
  workers: { api: false, workers: true },
} as const;

/** Past the grace period, this long more before a stuck shutdown is cut short. */
const SHUTDOWN_SLACK_MS = 5000;

/**
 * Split roles scale apart when every process reaches the same database, which in
 * practice means PostgreSQL (see README.md).
 */
function roleOf(value: unknown): keyof typeof ROLES {
  const role = value ?? 'all';
  if (typeof role === 'string' && Object.hasOwn(ROLES, role)) return role as keyof typeof ROLES;
  throw new UsageError(
    `--role must be one of ${Object.keys(ROLES).join(', ')} (got ${JSON.stringify(role)})`,
  );
}

export const startCommand: Command = {
  name: 'start',
  summary: 'run the HTTP API and the delivery workers (the default command)',
  usage: `herald start [--role all|api|workers]

  --role all       the API and the workers in this process (the default); with
                   more than one core the workers get a thread of their own
                   (HERALD_DELIVERY_THREAD=auto|on|off)
  --role api       the HTTP API only: accepts events, leaves delivery to workers
  --role workers   the delivery workers only, no HTTP listener

  SIGTERM or Ctrl-C stops it gracefully: no new requests or claims, deliveries in
  flight get HERALD_SHUTDOWN_GRACE_MS (10 s) to finish, the rest go back to the
  queue. A second signal stops at once.`,
  options: { role: { type: 'string' } },
  positionals: { min: 0, max: 0 },

  async run({ values }, io) {
    const role = roleOf(values.role);
    const config = loadConfig(io.env);
    // Loaded here, not at the top: the other commands start faster without it.
    const { startHerald } = await import('../app.ts');
    const herald = await startHerald({ config, ...ROLES[role] });
    const logger = createLogger({ level: config.logLevel });
    logger.info({ role }, `Herald started (role ${role})`);
    if (herald.firstAdminKey && !config.adminKey) {
      // Printed to the terminal once, never to the log: it is the only copy.
      io.out.write(
        `\nFirst start: created the platform owner. Its admin API key (shown once):\n\n` +
          `  ${herald.firstAdminKey}\n\n`,
      );
    }

    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        io.err.write(`\n${signal} again: stopping now, without waiting\n`);
        process.exit(1);
      }
      stopping = true;
      io.out.write(
        `\n${signal}: taking no new work; deliveries in flight get up to ` +
          `${config.shutdownGraceMs} ms to finish, then Herald stops\n`,
      );
      const watchdog = setTimeout(() => {
        logger.error('shutdown did not finish in time; exiting anyway');
        process.exit(1);
      }, config.shutdownGraceMs + SHUTDOWN_SLACK_MS);
      watchdog.unref();
      herald.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    return -1;
  },
};

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date, then exit',
  usage: `herald migrate

  Applies the migrations the database lacks (SQLite under HERALD_DATA_DIR, or
  HERALD_DATABASE_URL). Safe to run again, and while other processes start.`,
  options: {},
  positionals: { min: 0, max: 0 },

  async run(_args, io) {
    const store = await openStore(loadConfig(io.env));
    try {
      await store.migrate();
      const { applied, latest } = await store.schemaState();
      createLogger().info({ applied, latest }, 'migrations are up to date');
    } finally {
      await store.close();
    }
    return 0;
  },
};

export const demoCommand: Command = {
  name: 'demo',
  summary: 'replay a month of a small telecom operator against real local servers',
  usage: `herald demo

  Starts Herald, a webhook receiver and an SMTP catcher on this machine, replays
  the sample month through the API and checks what arrived.`,
  options: {},
  positionals: { min: 0, max: 0 },

  async run() {
    const { runDemo } = await import('../demo/run-demo.ts');
    return runDemo();
  },
};
