import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { startHerald } from './app.ts';
import { createLogger } from './logger.ts';
import { openStore } from './store/open-store.ts';

const USAGE = `usage: herald <command> [options]

commands:
  start     run the HTTP API and the delivery workers
  migrate   bring the database schema up to date, then exit
  demo      replay a month of a small telecom operator against real local servers

options of start:
  --role all       the API and the workers in this process (the default)
  --role api       the HTTP API only: accepts events, leaves delivery to workers
  --role workers   the delivery workers only, no HTTP listener

settings come from the environment: see README.md`;

const ROLES = {
  all: { api: true, workers: true },
  api: { api: true, workers: false },
  workers: { api: false, workers: true },
} as const;

/**
 * Split roles scale apart when every process reaches the same database, which in
 * practice means PostgreSQL (see README.md).
 */
function roleOf(value: unknown): keyof typeof ROLES {
  const role = value ?? 'all';
  if (typeof role === 'string' && Object.hasOwn(ROLES, role)) return role as keyof typeof ROLES;
  throw new Error(
    `--role must be one of ${Object.keys(ROLES).join(', ')} (got ${JSON.stringify(role)})`,
  );
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { role: { type: 'string' } },
  });
  const command = positionals[0] ?? 'start';

  if (command === 'start') {
    const role = roleOf(values.role);
    const config = loadConfig();
    const herald = await startHerald({ config, ...ROLES[role] });
    createLogger({ level: config.logLevel }).info({ role }, `Herald started (role ${role})`);
    if (herald.firstAdminKey && !config.adminKey) {
      // Printed to the terminal once, never to the log: it is the only copy.
      process.stdout.write(
        `\nFirst start: created the platform owner. Its admin API key (shown once):\n\n` +
          `  ${herald.firstAdminKey}\n\n`,
      );
    }
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: finishing deliveries in flight, then stopping\n`);
      await herald.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    return -1;
  }
  if (command === 'migrate') {
    const store = await openStore(loadConfig());
    await store.migrate();
    await store.close();
    createLogger().info('migrations are up to date');
    return 0;
  }
  if (command === 'demo') {
    const { runDemo } = await import('./demo/run-demo.ts');
    return runDemo();
  }
  process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    process.stderr.write(`herald: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
