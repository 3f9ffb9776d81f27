/**
 * The `herald` command (bin/herald.js, or `npx tsx src/cli.ts`). The commands
 * live in src/cli/; `herald help` lists them.
 */
import { runCli } from './cli/run-cli.ts';

const io = {
  out: process.stdout,
  err: process.stderr,
  env: process.env,
  interactive: Boolean(process.stderr.isTTY),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    process.stderr.write(`herald: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
