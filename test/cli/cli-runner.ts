/**
 * Runs `herald <args>` for the CLI tests: in this process through runCli, with
 * buffers for its output and the settings of a test Herald's database, so a
 * command runs in milliseconds beside the Herald that made the data.
 */
import { runCli } from '../../src/cli/run-cli.ts';
import type { TestHerald } from '../helpers/herald-harness.ts';

export interface CliAnswer {
  code: number;
  out: string;
  err: string;
}

export type Cli = (...args: string[]) => Promise<CliAnswer>;

/** A runner on the database of `h` (its SQLite folder, or its PostgreSQL URL). */
export function cliFor(h: TestHerald): Cli {
  const env: NodeJS.ProcessEnv = { HERALD_DATA_DIR: h.dataDir, HERALD_LOG_LEVEL: 'silent' };
  if (h.herald.config.databaseUrl) env.HERALD_DATABASE_URL = h.herald.config.databaseUrl;
  return cliWith(env);
}

export function cliWith(env: NodeJS.ProcessEnv): Cli {
  return async (...args) => {
    let out = '';
    let err = '';
    const io = {
      out: { write: (text: string) => (out += text) },
      err: { write: (text: string) => (err += text) },
      env,
      interactive: false,
    };
    const code = await runCli(args, io);
    return { code, out, err };
  };
}
