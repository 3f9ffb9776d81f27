/**
 * What a figure file is: a script that bench/run.ts forks once per database, which
 * measures Herald and the raw limit of the same work and sends back its rows. Run
 * alone (`npx tsx bench/intake.ts --quick`), it prints its rows as JSON instead.
 */

export type BenchDatabase = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export interface FigureContext {
  quick: boolean;
  database: BenchDatabase;
  /** Progress for the operator, on stderr so that stdout stays clean. */
  log(message: string): void;
}

/** One line of the table: Herald's figure beside the raw limit of the same work. */
export interface FigureRow {
  /** Stable key, matched by bench/targets.ts. */
  id: string;
  figure: string;
  database: BenchDatabase['kind'];
  herald: number | null;
  raw: number | null;
  unit: string;
  note?: string;
}

export function figureContext(argv = process.argv.slice(2)): FigureContext {
  const kind = argv.find((a) => a.startsWith('--database='))?.slice('--database='.length);
  let database: BenchDatabase = { kind: 'sqlite' };
  if (kind === 'postgres') {
    const url = process.env.HERALD_BENCH_DATABASE_URL;
    if (!url) throw new Error('--database=postgres needs HERALD_BENCH_DATABASE_URL');
    database = { kind: 'postgres', url };
  }
  return {
    quick: argv.includes('--quick'),
    database,
    log: (message) => {
      const seconds = (performance.now() / 1000).toFixed(1);
      process.stderr.write(`  [${database.kind} ${seconds} s] ${message}\n`);
    },
  };
}

/**
 * Runs a figure and hands its rows to the parent (or prints them), then exits.
 *
 * An unhandled rejection inside Herald (a job racing its own shutdown, say) would
 * end the process and lose every figure measured so far; it is reported loudly
 * instead, and noted on each row, since it is a bug of Herald's to be fixed.
 */
export function runFigure(measure: (ctx: FigureContext) => Promise<FigureRow[]>): void {
  const ctx = figureContext();
  const stray: string[] = [];
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    stray.push(text.split('\n')[0]);
    ctx.log(`unhandled rejection in Herald's process: ${text}`);
  });
  measure(ctx).then(
    (rows) => finish({ rows: stray.length ? rows.map((row) => noted(row, stray)) : rows }),
    (error: unknown) => finish({ error: error instanceof Error ? error.stack : String(error) }),
  );
}

function noted(row: FigureRow, stray: string[]): FigureRow {
  const warning = `${stray.length} unhandled rejection(s) in Herald's process: ${stray[0]}`;
  return { ...row, note: row.note ? `${row.note}; ${warning}` : warning };
}

function finish(message: { rows?: FigureRow[]; error?: string }): void {
  if (process.send) {
    // Exit only once the message is out: role processes and pools may still hold
    // the event loop open, and a figure must never hang the whole run.
    process.send(message, () => process.exit(0));
    return;
  }
  if (message.error) process.stderr.write(message.error + '\n');
  else process.stdout.write(JSON.stringify(message.rows, null, 2) + '\n');
  process.exit(message.error ? 1 : 0);
}

/** Events (or calls) per second from a count and a time in ms. */
export const perSecond = (count: number, ms: number) => (count * 1000) / ms;
