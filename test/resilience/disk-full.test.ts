/**
 * The data folder's disk fills up under a running `herald start` (SQLite on an
 * 8 MB tmpfs, filled with a filler file). Intake must answer 503 storage_full with
 * a message that says so and Retry-After, accept nothing of a refused request,
 * keep every event it acknowledged before, and take events again once the filler
 * is gone, delivering them all. Skipped, with the reason, where mounting a tmpfs
 * is refused (not root).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { childEnv, startChildHerald, writeCaFile, type ChildHerald } from './herald-child.ts';
import { countsFor } from './resilience-counts.ts';
import { SQLITE_ONLY } from './resilience-mode.ts';
import { countByStatus, countRows } from './sqlite-file.ts';
import {
  emailMarker,
  markedEvent,
  missing,
  subscribeOwner,
  until,
  webhookMarker,
} from './subscribed-owner.ts';
import { fillDisk, freeDisk, mountTmpfs } from './tmpfs.ts';

const DISK_MB = 8;
const { counts, report } = countsFor('disk-full.test.ts', ['faultsInjected', 'eventsLost']);
after(report);

interface Rig {
  herald: ChildHerald;
  mount: string;
  dataDir: string;
  receiver: Receiver;
  sink: SmtpSink;
  /** Holds every webhook answer and every email at DATA until release(). */
  hold(): void;
  release(): void;
}

async function rig(t: TestContext, mount: string, env: Record<string, string> = {}) {
  const receiver = await startReceiver();
  const sink = await startSmtpSink();
  const caDir = await mkdtemp(join(tmpdir(), 'herald-disk-full-'));
  const dataDir = join(mount, 'data');
  let herald: ChildHerald | undefined;
  t.after(async () => {
    released();
    await herald?.kill();
    await receiver.close();
    await sink.close();
    await rm(caDir, { recursive: true, force: true });
  });

  let gate = Promise.resolve();
  let released = () => {};
  receiver.setResponder(async () => {
    await gate;
    return { status: 200, body: 'ok' };
  });
  sink.setResponder(async (info) => {
    if (info.stage === 'data') await gate;
  });

  herald = await startChildHerald(
    childEnv({
      dataDir,
      caFile: await writeCaFile(caDir, receiver.ca),
      extra: { HERALD_WEBHOOK_TIMEOUT_MS: '60000', ...env },
    }),
  );
  const owner = await subscribeOwner(herald.api, { webhookUrl: receiver.url, smtpPort: sink.port });
  receiver.setSecret(owner.endpointSecret);
  const hold = () => {
    gate = new Promise((resolve) => (released = () => resolve()));
  };
  return { herald, mount, dataDir, receiver, sink, hold, release: () => released() } as Rig;
}

/** Every event marker the API lists, page by page. */
async function storedMarkers(herald: ChildHerald): Promise<string[]> {
  const markers: string[] = [];
  for (let after = ''; ;) {
    const page = await herald.api('GET', `/v1/events?limit=1000${after && `&after=${after}`}`);
    assert.equal(page.status, 200, `reads still work on a full disk: ${JSON.stringify(page.body)}`);
    if (page.body.data.length === 0) return markers;
    markers.push(...page.body.data.map((e: any) => e.data.service.name));
    after = page.body.nextCursor;
  }
}

/** Posts single events until one is refused; the accepted ones go into `acked`. */
async function postUntilRefused(herald: ChildHerald, prefix: string, acked: string[] = []) {
  for (let i = 0; i < 300; i++) {
    const answer = await herald.api('POST', '/v1/events', markedEvent(`${prefix}-${i}`));
    if (answer.status !== 202) return answer;
    acked.push(`${prefix}-${i}`);
  }
  assert.fail('intake kept accepting 300 events on a full disk');
}

async function postMarkers(herald: ChildHerald, markers: string[]) {
  return herald.api('POST', '/v1/events/batch', { events: markers.map((m) => markedEvent(m)) });
}

async function everyMarkerArrives(r: Rig, acked: string[]): Promise<void> {
  const lost = () =>
    new Set([
      ...missing(acked, r.receiver.received.map(webhookMarker)),
      ...missing(acked, r.sink.received.map(emailMarker)),
    ]);
  try {
    await until('every acknowledged event on both channels', () => lost().size === 0, 30_000);
  } catch (error) {
    counts.eventsLost += lost().size;
    throw error;
  }
}

function drained(dataDir: string): boolean {
  const byStatus = countByStatus(dataDir);
  return !byStatus.pending && !byStatus.in_flight;
}

function assertAlive(herald: ChildHerald): void {
  const { child } = herald.process;
  assert.ok(
    child.exitCode === null && child.signalCode === null,
    `Herald exited (${child.exitCode ?? child.signalCode}); its stderr:\n${herald.stderrTail()}`,
  );
}

test(
  'a full disk gets 503 storage_full at intake, loses nothing, and intake recovers',
  { skip: SQLITE_ONLY },
  async (t) => {
    const mount = await mountTmpfs(t, DISK_MB);
    if (!mount) return;
    const r = await rig(t, mount);
    const before = Array.from({ length: 20 }, (_, i) => `before-${i}`);
    assert.equal((await postMarkers(r.herald, before)).status, 202);
    await everyMarkerArrives(r, before);

    // Deliveries wait at the receiver and the sink while the disk is full, so that
    // no attempt ends (and writes its outcome) before space returns.
    r.hold();
    const filler = await fillDisk(mount);
    counts.faultsInjected += 1;
    const acked = [...before];
    const refused = await postUntilRefused(r.herald, 'during', acked);
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'storage_full');
    assert.match(refused.body.error.message, /disk is full/);
    assert.match(refused.body.error.message, /nothing of this request was accepted/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After says when to retry');

    const refusedBatch = Array.from({ length: 10 }, (_, i) => `refused-batch-${i}`);
    const batch = await postMarkers(r.herald, refusedBatch);
    assert.equal(batch.status, 503, JSON.stringify(batch.body));
    assert.equal((await r.herald.api('GET', '/healthz')).status, 200);
    assertAlive(r.herald);

    const stored = await storedMarkers(r.herald);
    assert.deepEqual(missing(acked, stored), [], 'every acknowledged event is still stored');
    const strays = stored.filter((m) => !acked.includes(m));
    assert.deepEqual(strays, [], 'a refused request left nothing behind');
    // Each event fans out to two deliveries in the one transaction: never half of it.
    assert.equal(countRows(r.dataDir, 'events'), stored.length);
    assert.equal(countRows(r.dataDir, 'deliveries'), 2 * stored.length);

    await freeDisk(filler);
    const recovered = ['after-0', 'after-1'];
    const again = await postMarkers(r.herald, recovered);
    assert.equal(again.status, 202, `intake takes events again: ${JSON.stringify(again.body)}`);
    acked.push(...recovered);

    r.release();
    await everyMarkerArrives(r, acked);
    await until('the queue to drain', () => drained(r.dataDir), 30_000);
    assertAlive(r.herald);
    t.diagnostic(
      `${acked.length} events acknowledged, ${acked.length - before.length - 2} of them ` +
        `on the filling disk, then 503 with ${filler.bytes} bytes of filler`,
    );
  },
);

test(
  'a delivery that ends while the disk is full does not take Herald down',
  { skip: SQLITE_ONLY },
  async (t) => {
    const mount = await mountTmpfs(t, DISK_MB);
    if (!mount) return;
    // A short lease, so that an outcome that could not be written is retried soon.
    const r = await rig(t, mount, { HERALD_LEASE_MS: '2000' });
    r.hold();
    const markers = Array.from({ length: 5 }, (_, i) => `ending-${i}`);
    assert.equal((await postMarkers(r.herald, markers)).status, 202);
    await r.receiver.waitFor(markers.length, 10_000);

    const filler = await fillDisk(mount);
    counts.faultsInjected += 1;
    // The WAL may still have room from before: write until SQLite itself says full.
    const accepted = [...markers];
    const refused = await postUntilRefused(r.herald, 'while-ending', accepted);
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    r.release();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assertAlive(r.herald);
    assert.equal((await r.herald.api('GET', '/healthz')).status, 200);

    await freeDisk(filler);
    await everyMarkerArrives(r, accepted);
    await until('the queue to drain', () => drained(r.dataDir), 30_000);
    assertAlive(r.herald);
  },
);
