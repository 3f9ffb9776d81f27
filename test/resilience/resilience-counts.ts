/**
 * The suite's counters: each test file records what it did (crashes survived,
 * faults injected, bad inputs tried, events lost, secrets checked), prints one line
 * for itself, and appends it to a JSON-lines file that zz-summary.test.ts totals.
 *
 * The file is os.tmpdir()/herald-resilience-<run>.jsonl, where <run> is the test
 * runner's process id (every test file is a child of the same runner), or
 * HERALD_RESILIENCE_RUN when set. Lines are appended whole, so files running side
 * by side do not overwrite each other.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Counts {
  crashesSurvived: number;
  faultsInjected: number;
  badInputsTried: number;
  eventsLost: number;
  /** Secret values searched for in logs, answers and the database file. */
  secretsChecked: number;
  secretLeaks: number;
}

export interface CountsLine {
  file: string;
  state: 'running' | 'done';
  /** The test file's process, so that a summary can tell a crashed file from a slow one. */
  pid: number;
  counts?: Counts;
}

const RUN = process.env.HERALD_RESILIENCE_RUN ?? String(process.ppid);
export const COUNTS_FILE = join(tmpdir(), `herald-resilience-${RUN}.jsonl`);

export const zeroCounts = (): Counts => ({
  crashesSurvived: 0,
  faultsInjected: 0,
  badInputsTried: 0,
  eventsLost: 0,
  secretsChecked: 0,
  secretLeaks: 0,
});

/** `crashes survived 30, events lost 0`: the counts that apply, in words. */
export function describeCounts(counts: Counts, keep: (keyof Counts)[]): string {
  const words: Record<keyof Counts, string> = {
    crashesSurvived: 'crashes survived',
    faultsInjected: 'faults injected',
    badInputsTried: 'bad inputs tried',
    eventsLost: 'events lost',
    secretsChecked: 'secrets checked',
    secretLeaks: 'secret leaks',
  };
  return keep.map((key) => `${words[key]} ${counts[key]}`).join(', ');
}

/**
 * Marks the file as running now and returns its live counters; in the file's
 * after() hook, call the returned report() to print its line and record it.
 */
export function countsFor(file: string, shown: (keyof Counts)[]) {
  const counts = zeroCounts();
  const line = (state: CountsLine['state']) =>
    appendFileSync(COUNTS_FILE, JSON.stringify({ file, state, pid: process.pid, counts }) + '\n');
  line('running');
  const report = () => {
    console.log(`resilience: ${file}: ${describeCounts(counts, shown)}`);
    line('done');
  };
  return { counts, report };
}

export function readCountsLines(): CountsLine[] {
  if (!existsSync(COUNTS_FILE)) return [];
  return readFileSync(COUNTS_FILE, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CountsLine);
}

/**
 * Removes this run's file, and those a day old that runs of single files (which
 * have no summary to clean up after them) left behind.
 */
export function removeCountsFiles(): void {
  rmSync(COUNTS_FILE, { force: true });
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(tmpdir())) {
    if (!/^herald-resilience-.+\.jsonl$/.test(name)) continue;
    const file = join(tmpdir(), name);
    const modified = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (modified !== undefined && modified < dayAgo) rmSync(file, { force: true });
  }
}
