/**
 * Crash: a real `herald start` on SQLite is killed with SIGKILL at moments a
 * seeded generator picks, while the test posts events in batches and Herald
 * delivers each to a verifying HTTPS receiver and, as a canned email, to an SMTP
 * sink. It is restarted on the same data folder after every kill. At the end:
 *
 * - every event the API acknowledged (202) reached the receiver and the sink;
 * - a copy beyond the first exists only for a delivery that was in flight when a
 *   process died (a claim on the row with no attempt logged for it), and there are
 *   at most kills x HERALD_WORKER_CONCURRENCY such copies;
 * - after a drain and a graceful stop, no delivery is pending or in flight.
 *
 * Sizes (seeds, events, kills) come from resilience-mode.ts; HERALD_RESILIENCE=long
 * runs the long mode, HERALD_RESILIENCE_SEED=<n> one seed.
 */
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { startReceiver } from '../helpers/https-receiver.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { childEnv, startChildHerald, writeCaFile, type ChildHerald } from './herald-child.ts';
import { countsFor } from './resilience-counts.ts';
import { MODE, SQLITE_ONLY } from './resilience-mode.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';
import { countByStatus, deliveryRows } from './sqlite-file.ts';
import {
  duplicatesById,
  emailDeliveryId,
  emailMarker,
  markedEvent,
  missing,
  subscribeOwner,
  until,
  webhookMarker,
} from './subscribed-owner.ts';

const WORKER_CONCURRENCY = 8;
const LEASE_MS = 1500;
const BATCH = 25;
/** The longest a kill waits after its phase began: posting, delivering or idle. */
const KILL_WINDOW_MS = 1500;
const FAST_DISK = fastDisk();
const ARRIVAL_PATIENCE_MS = MODE.crash.eventsPerSeed * 40 + 30_000;

const { counts, report } = countsFor('crash.test.ts', ['crashesSurvived', 'eventsLost']);
after(report);

describe(
  `Herald killed with SIGKILL at random moments (${MODE.name} mode)`,
  { concurrency: MODE.crash.parallelSeeds, skip: SQLITE_ONLY },
  () => {
    for (const seed of MODE.crash.seeds) {
      test(`seed ${seed}: every acknowledged event is delivered, duplicates only in flight`, (t) =>
        runSeed(t, seed));
    }
  },
);

/** Posts batches of marked events while the process answers; returns on its first failure. */
class Poster {
  readonly acked = new Set<string>();
  posted = 0;

  constructor(
    private readonly seed: number,
    private readonly total: number,
  ) {}

  async postUntil(herald: ChildHerald, end: number): Promise<void> {
    while (this.posted < Math.min(end, this.total)) {
      const markers = Array.from(
        { length: Math.min(BATCH, this.total - this.posted) },
        (_, i) => `s${this.seed}-e${this.posted + i}`,
      );
      this.posted += markers.length;
      let answer;
      try {
        answer = await herald.api('POST', '/v1/events/batch', { events: markers.map(markedEvent) });
      } catch {
        return; // No answer (killed mid-request): these events were not acknowledged.
      }
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      for (const result of answer.body.results) {
        assert.equal(result.status, 'accepted', JSON.stringify(result));
        this.acked.add(markers[result.index]);
      }
    }
  }
}

async function runSeed(t: TestContext, seed: number): Promise<void> {
  const started = Date.now();
  const random = seededRandom(seed);
  const dataDir = await mkdtemp(join(FAST_DISK, 'herald-crash-'));
  const receiver = await startReceiver();
  const sink = await startSmtpSink();
  const env = childEnv({
    dataDir,
    caFile: await writeCaFile(dataDir, receiver.ca),
    extra: {
      HERALD_LEASE_MS: String(LEASE_MS),
      HERALD_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    },
  });
  let herald: ChildHerald | undefined;
  t.after(async () => {
    await herald?.kill();
    await receiver.close();
    await sink.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  herald = await startChildHerald(env);
  const owner = await subscribeOwner(herald.api, {
    webhookUrl: receiver.url,
    smtpPort: sink.port,
  });
  receiver.setSecret(owner.endpointSecret);

  const total = MODE.crash.eventsPerSeed;
  const kills = MODE.crash.killsPerSeed;
  const poster = new Poster(seed, total);
  for (let phase = 0; phase < kills; phase++) {
    const phaseEnd = Math.round((total * (phase + 1)) / (kills + 1));
    herald = await killDuring(herald, poster.postUntil(herald, phaseEnd), random, seed);
    herald = await startChildHerald(env);
    counts.crashesSurvived += 1;
  }
  await poster.postUntil(herald, total);
  assert.ok(poster.acked.size > 0, `seed ${seed}: no event was acknowledged at all`);

  await awaitArrivals(seed, poster.acked, receiver.received, sink.received);
  await until('the queue to drain', () => drained(dataDir), 30_000);
  await herald.stop();
  herald = undefined;

  checkFinalState(seed, dataDir);
  const duplicates = checkDuplicates(seed, dataDir, receiver.received, sink.received, kills);
  assert.ok(
    receiver.received.every((hook) => hook.verified),
    'every webhook is signed',
  );
  t.diagnostic(
    `seed ${seed}: ${kills} kills, ${poster.acked.size}/${poster.posted} events acknowledged, ` +
      `${duplicates} duplicate(s), ${Date.now() - started} ms`,
  );
}

/** Kills the process at a random moment of the phase; resolves once it has exited. */
async function killDuring(
  herald: ChildHerald,
  posting: Promise<void>,
  random: SeededRandom,
  seed: number,
): Promise<undefined> {
  // Settled here, so that a failed post waits for the kill instead of going unhandled.
  const outcome = posting.then(
    () => undefined,
    (error: unknown) => error,
  );
  await new Promise((resolve) => setTimeout(resolve, random.between(0, KILL_WINDOW_MS)));
  const { child } = herald.process;
  assert.ok(
    child.exitCode === null && child.signalCode === null,
    `seed ${seed}: Herald exited on its own (${child.exitCode ?? child.signalCode})`,
  );
  await herald.kill();
  const failure = await outcome;
  if (failure) throw failure;
  return undefined;
}

async function awaitArrivals(
  seed: number,
  acked: Set<string>,
  hooks: Parameters<typeof webhookMarker>[0][],
  emails: Parameters<typeof emailMarker>[0][],
): Promise<void> {
  const lost = () => {
    const noHook = missing(acked, hooks.map(webhookMarker));
    const noEmail = missing(acked, emails.map(emailMarker));
    return { noHook, noEmail, events: new Set([...noHook, ...noEmail]).size };
  };
  try {
    await until(
      'every acknowledged event to arrive',
      () => lost().events === 0,
      ARRIVAL_PATIENCE_MS,
    );
  } catch (error) {
    const { noHook, noEmail, events } = lost();
    counts.eventsLost += events;
    assert.fail(
      `seed ${seed}: ${events} acknowledged event(s) never arrived: ` +
        `webhooks missing ${noHook.slice(0, 5).join(', ')} (${noHook.length}), ` +
        `emails missing ${noEmail.slice(0, 5).join(', ')} (${noEmail.length}); ${error}`,
    );
  }
}

function drained(dataDir: string): boolean {
  const byStatus = countByStatus(dataDir);
  return !byStatus.pending && !byStatus.in_flight;
}

/** Read from the file after a graceful stop: nothing claimed, nothing waiting, nothing failed. */
function checkFinalState(seed: number, dataDir: string): void {
  const byStatus = countByStatus(dataDir);
  assert.equal(
    byStatus.in_flight ?? 0,
    0,
    `seed ${seed}: stuck in flight ${JSON.stringify(byStatus)}`,
  );
  assert.equal(byStatus.pending ?? 0, 0, `seed ${seed}: still pending ${JSON.stringify(byStatus)}`);
  assert.deepEqual(
    Object.keys(byStatus),
    ['succeeded'],
    `seed ${seed}: ${JSON.stringify(byStatus)}`,
  );
}

/**
 * Every copy beyond the first must be paid for by a claim that died unrecorded:
 * the row counts a claim per attempt started, the log an attempt per one finished.
 */
function checkDuplicates(
  seed: number,
  dataDir: string,
  hooks: { id: string }[],
  emails: Parameters<typeof emailDeliveryId>[0][],
  kills: number,
): number {
  const copies = duplicatesById([...hooks.map((h) => h.id), ...emails.map(emailDeliveryId)]);
  const rows = new Map(deliveryRows(dataDir).map((row) => [row.id, row]));
  for (const [id, extra] of copies) {
    const row = rows.get(id);
    assert.ok(row, `seed ${seed}: ${id} arrived but Herald has no such delivery`);
    const diedInFlight = row.attempts - row.logged;
    assert.ok(
      diedInFlight >= extra,
      `seed ${seed}: delivery ${id} arrived ${extra + 1} times, but only ${diedInFlight} of ` +
        `its ${row.attempts} claims died in flight: a duplicate of a finished delivery`,
    );
  }
  const duplicates = [...copies.values()].reduce((sum, n) => sum + n, 0);
  const bound = kills * WORKER_CONCURRENCY;
  assert.ok(duplicates <= bound, `seed ${seed}: ${duplicates} duplicates, more than ${bound}`);
  return duplicates;
}

/**
 * A kill of the process leaves the page cache to the kernel, so fsync adds nothing
 * to what this test proves; on a RAM disk it costs nothing either, and the runs
 * stay short. A container's /dev/shm may be tiny (64 MB in Docker): then the
 * ordinary temporary folder it is.
 */
function fastDisk(): string {
  try {
    const disk = statfsSync('/dev/shm');
    if (disk.bavail * disk.bsize >= 512 * 2 ** 20) return '/dev/shm';
  } catch {
    // No /dev/shm on this system.
  }
  return tmpdir();
}
