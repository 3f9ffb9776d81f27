/**
 * Runs last (its name sorts it there): totals what every resilience file of this
 * run recorded and prints one line, such as
 *
 *   resilience: crashes survived 30, faults injected 5, bad inputs tried 1900, events lost 0
 *
 * and fails when an event was lost or a secret leaked. Files the runner still runs
 * side by side are waited for; one whose process died without reporting fails it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeCounts,
  readCountsLines,
  removeCountsFiles,
  zeroCounts,
  type Counts,
  type CountsLine,
} from './resilience-counts.ts';
import { LONG } from './resilience-mode.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Files that started and have not reported, split by whether their process lives. */
function unfinished(lines: CountsLine[]) {
  const done = new Set(lines.filter((l) => l.state === 'done').map((l) => l.file));
  const open = lines.filter((l) => l.state === 'running' && !done.has(l.file));
  return {
    working: open.filter((l) => alive(l.pid)).map((l) => l.file),
    died: open.filter((l) => !alive(l.pid)).map((l) => l.file),
  };
}

test('the resilience suite lost no event and leaked no secret', async (t) => {
  const deadline = Date.now() + (LONG ? 3 * 3600_000 : 15 * 60_000);
  let lines = readCountsLines();
  while (unfinished(lines).working.length > 0 && Date.now() < deadline) {
    await sleep(500);
    lines = readCountsLines();
  }
  if (lines.length === 0) {
    t.skip('no other resilience file ran in this run');
    return;
  }

  const totals = zeroCounts();
  for (const line of lines.filter((l) => l.state === 'done')) {
    for (const key of Object.keys(totals) as (keyof Counts)[]) {
      totals[key] += line.counts?.[key] ?? 0;
    }
  }
  const shown: (keyof Counts)[] = ['crashesSurvived', 'faultsInjected', 'badInputsTried'];
  const summary = describeCounts(totals, [...shown, 'eventsLost']);
  console.log(`resilience: ${summary}`);
  t.diagnostic(`${summary}; ${describeCounts(totals, ['secretsChecked', 'secretLeaks'])}`);
  const { working, died } = unfinished(lines);
  removeCountsFiles();

  assert.deepEqual(died, [], 'every resilience file reported its counts');
  assert.deepEqual(working, [], 'every resilience file finished in time');
  assert.equal(totals.eventsLost, 0, 'no acknowledged event was lost');
  assert.equal(totals.secretLeaks, 0, 'no secret leaked');
});
