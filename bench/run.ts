/**
 * `npm run bench [-- --quick] [-- --only=intake,email]`: measures Herald on this
 * machine beside the raw limit of the same work, prints the table and writes it
 * to bench/results/latest.json.
 *
 * Each figure runs in a fresh process (and each measurement on fresh data), one
 * after another, so that no figure's memory, caches or leftover work skews the
 * next. SQLite always; PostgreSQL too when HERALD_BENCH_DATABASE_URL is set.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { machineFacts } from './machine.ts';
import { formatTable, reportRow, writeReport, type Report, type ReportRow } from './report.ts';
import type { BenchDatabase, FigureRow } from './support/figure.ts';

const FIGURES = ['intake', 'webhooks', 'latency', 'email', 'backlog'];

interface FigureAnswer {
  rows?: FigureRow[];
  error?: string;
}

function runFigureProcess(name: string, args: string[], timeoutMs: number) {
  return new Promise<FigureAnswer>((resolve) => {
    const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    const child = fork(file, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    let answer: FigureAnswer | undefined;
    const timer = setTimeout(() => {
      answer ??= { error: `${name} did not finish within ${timeoutMs / 1000} s` };
      child.kill();
    }, timeoutMs);
    child.on('message', (message: FigureAnswer) => {
      answer ??= message;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(answer ?? { error: `${name} exited with code ${code} and no figures` });
    });
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const figures = only ? FIGURES.filter((f) => only.includes(f)) : FIGURES;
  const databases: BenchDatabase['kind'][] = ['sqlite'];
  if (process.env.HERALD_BENCH_DATABASE_URL) databases.push('postgres');

  const started = Date.now();
  const machine = machineFacts();
  console.log(
    `Herald benchmark (${quick ? 'quick' : 'full'}): ${figures.join(', ')} on ` +
      `${databases.join(' and ')}; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
  );

  const rows: ReportRow[] = [];
  let failed = false;
  for (const name of figures) {
    for (const database of databases) {
      console.log(`${name} (${database})`);
      const args = [`--database=${database}`, ...(quick ? ['--quick'] : [])];
      const figureStarted = Date.now();
      const answer = await runFigureProcess(name, args, quick ? 90_000 : 45 * 60_000);
      console.log(`  ${name} took ${Math.round((Date.now() - figureStarted) / 1000)} s`);
      if (answer.error) {
        failed = true;
        console.error(`  ${name} on ${database} failed:\n${answer.error}`);
        continue;
      }
      rows.push(...answer.rows!.map(reportRow));
    }
  }

  const report: Report = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine,
    rows,
  };
  console.log('\n' + formatTable(report));
  console.log(`\nwritten to ${await writeReport(report)}`);
  if (failed) process.exitCode = 1;
}

await main();
