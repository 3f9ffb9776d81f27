/**
 * Where a CLI command reads its settings and writes its output. The real CLI
 * passes the process's; the tests pass buffers, so commands run in-process.
 */
export interface CliIo {
  /** Results: tables, JSON, what was done. */
  out: { write(text: string): unknown };
  /** Progress and errors, so `herald deliveries > file` keeps only the table. */
  err: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** True on a terminal: progress may redraw its line. */
  interactive: boolean;
}

/** A mistake in how the command was called: exit code 2, with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something the command could not do (no such delivery, no database): exit code 1. */
export class CommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandError';
  }
}
