import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { startHerald } from './app.ts';
import { createLogger } from './logger.ts';
import { openStore } from './store/open-store.ts';

const USAGE = `usage: herald <command>

commands:
  start     run the HTTP API and the delivery workers
  migrate   bring the database schema up to date, then exit
  demo      replay a month of a small telecom operator against real local servers

settings come from the environment: see README.md`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const command = positionals[0] ?? 'start';

  if (command === 'start') {
    const config = loadConfig();
    const herald = await startHerald({ config });
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
