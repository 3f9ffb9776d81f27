/**
 * `npm run demo`: a month of a small telecom operator replayed through a real
 * Herald against real local servers, then checked end to end.
 *
 * Herald runs in this process on a fresh SQLite folder, with its development switch
 * on so it may call the HTTPS receiver on 127.0.0.1; the receiver verifies every
 * request with the standardwebhooks library, and the SMTP server (STARTTLS and a
 * login) parses every message with mailparser. The demo configures Herald and posts
 * the events through the HTTP API only. Both servers refuse a few requests on
 * purpose, so the retries are exercised too.
 *
 * The exit code is 0 only when every event reached its webhook and its email (the
 * posted ones, and any Herald derived from them), every webhook verified and every
 * token was filled. Pass `out` to capture the report, `sample` to replay another.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHerald } from '../app.ts';
import { loadConfig } from '../config.ts';
import { randomToken } from '../ids.ts';
import { createLogger } from '../logger.ts';
import { DemoApi } from './api-client.ts';
import { awaitDeliveries } from './await-deliveries.ts';
import { configureOwner } from './configure-owner.ts';
import { replayEvents } from './replay.ts';
import { loadSample, type SampleMonth } from './sample.ts';
import { startSmtpSink, type SmtpResponder } from './smtp-catcher.ts';
import { summaryLines, wrapList } from './summary.ts';
import { verifyRun } from './verify-run.ts';
import { startReceiver, type ReceivedWebhook, type Responder } from './verifying-receiver.ts';

export interface DemoOptions {
  /** Where the report goes; stdout when unset. */
  out?: { write(text: string): unknown };
  sample?: SampleMonth;
}

/** The receiver refuses the first try of every n-th webhook; the SMTP server every n-th message. */
const WEBHOOK_REFUSE_EVERY = 25;
const SMTP_REFUSE_EVERY = 30;
const WAIT_MS = 45_000;

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const say = (line = '') => void out.write(line + '\n');
  const startedAt = Date.now();
  const cleanup: (() => Promise<unknown>)[] = [];
  const heraldLog: { level: number; msg: string }[] = [];

  try {
    const sample = options.sample ?? (await loadSample());
    say(`Herald demo: ${sample.month} at ${sample.operator.name}, replayed against local servers`);

    const dataDir = await mkdtemp(join(tmpdir(), 'herald-demo-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));

    const smtpLogin = { username: 'aurora-relay', password: randomToken(18) };
    const smtpHiccups = everyNth(SMTP_REFUSE_EVERY);
    const respondSmtp: SmtpResponder = (info) =>
      info.stage === 'data' && smtpHiccups()
        ? { code: 451, message: '4.3.0 demo: mailbox busy, try again later' }
        : undefined;
    const smtp = await startSmtpSink({
      requireStartTls: true,
      auth: smtpLogin,
      respond: respondSmtp,
    });
    cleanup.push(() => smtp.close());

    const receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    const answers = receiverAnswers();
    receiver.setResponder(answers.respond);

    const config = loadConfig(
      {},
      {
        dataDir,
        port: 0,
        host: '127.0.0.1',
        secretKey: randomToken(32),
        allowPrivateTargets: true,
        retrySchedule: [200, 500, 1000, 2000],
        retryJitter: 0.1,
        pollIntervalMs: 100,
        webhookCa: receiver.ca,
        logLevel: 'warn',
      },
    );
    // Herald's own log is kept aside, so the demo's report stays readable; its
    // warnings are counted at the end and its errors shown when something failed.
    const logger = createLogger({
      level: 'warn',
      destination: { write: (line: string) => void heraldLog.push(JSON.parse(line)) },
    });
    const herald = await startHerald({ config, logger, smtpCa: smtp.ca });
    cleanup.push(() => herald.stop());

    say('  demo mode: HERALD_ALLOW_PRIVATE_TARGETS is on, so Herald may call 127.0.0.1;');
    say('             never turn it on in production');
    say(`  Herald API      ${herald.url}  (data in ${dataDir}, removed at the end)`);
    say(`  HTTPS receiver  ${receiver.url}  verifies every request with standardwebhooks`);
    say(`  SMTP server     127.0.0.1:${smtp.port}  STARTTLS and login, parses with mailparser`);
    say();

    const bearerToken = randomToken(24);
    const owner = await configureOwner(new DemoApi(herald.url, herald.firstAdminKey!), sample, {
      receiverUrl: receiver.url,
      smtpPort: smtp.port,
      smtpLogin,
      bearerToken,
    });
    receiver.setSecret(owner.signingSecret);
    say('Set up through the API:');
    for (const line of wrapList(owner.created)) say(line);

    say(`Replaying ${sample.events.length} events (batches of 25, every 10th alone)`);
    const replay = await replayEvents(owner.api, sample.events, sample.month, {
      batchSize: 25,
      singleEvery: 10,
      repeats: 5,
      progress: (posted, total) => say(`  posted ${posted}/${total}`),
    });
    say(
      `  ${replay.accepted.length} accepted in ${replay.batches} batches and ` +
        `${replay.singles} single requests; ${replay.rejected.length} rejected`,
    );

    say('Waiting for deliveries');
    const finished = await awaitDeliveries(owner.api, { timeoutMs: WAIT_MS, progress: say });

    const verdict = await verifyRun({
      sample,
      owner,
      replay,
      webhooks: { received: receiver.received, answeredOk: answers.answeredOk },
      emails: smtp.received,
      bearerToken,
    });
    const failures = verdict.failures;
    if (!finished) failures.unshift(`Herald was still busy after ${WAIT_MS / 1000} s`);
    if (failures.length > 0) {
      for (const entry of heraldLog.filter((e) => e.level >= 50).slice(-5)) {
        failures.push(`Herald logged an error: ${entry.msg}`);
      }
    }
    if (verdict.derived.length > 0) {
      say(`  Herald derived ${verdict.derived.length} events itself: ${tally(verdict.derived)}`);
    }
    say(`  all ${verdict.deliveries.length} deliveries finished`);

    say();
    const lines = summaryLines({
      rows: verdict.rows,
      rejected: replay.rejected.length,
      webhookRequests: receiver.received.length,
      webhooksVerified: verdict.webhooksVerified,
      webhooksRefusedOnPurpose: answers.refused(),
      emailsReceived: smtp.received.length,
      emailsTranslated: verdict.emailsTranslated,
      emailsRefusedOnPurpose: smtpHiccups.count(),
      retriedDeliveries: verdict.deliveries.filter((d) => d.attempts > 1).length,
      repeatsHonoured: replay.replaysHonoured,
      repeats: replay.replaysHonoured + replay.replayFailures.length,
      outOfOrder: verdict.outOfOrder,
      heraldWarnings: heraldLog.filter((e) => e.level === 40).length,
      heraldErrors: heraldLog.filter((e) => e.level >= 50).length,
      seconds: (Date.now() - startedAt) / 1000,
      failures,
    });
    for (const line of lines) say(line);
    return failures.length === 0 ? 0 : 1;
  } catch (error) {
    say(`\nThe demo could not run: ${error instanceof Error ? error.message : String(error)}`);
    for (const entry of heraldLog.filter((e) => e.level >= 50).slice(-5)) {
      say(`  Herald logged: ${entry.msg}`);
    }
    return 1;
  } finally {
    // Herald first, so no delivery is in flight when its servers go away.
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

/** "20 invoice.overdue, 1 sim.dormant": how many of each type. */
function tally(events: { type: string }[]): string {
  const counts = new Map<string, number>();
  for (const { type } of events) counts.set(type, (counts.get(type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

/** True on every n-th call; `count()` says how often it was true. */
function everyNth(n: number) {
  let calls = 0;
  let hits = 0;
  const next = () => {
    calls++;
    if (calls % n !== 0) return false;
    hits++;
    return true;
  };
  return Object.assign(next, { count: () => hits });
}

/**
 * The receiver's answers: 401 to a request whose signature does not verify, as a
 * real receiver must; 503 to the first attempt of every n-th delivery, to make
 * Herald retry; 200 otherwise. The 200s are kept in the order they were given.
 */
function receiverAnswers() {
  const seen = new Set<string>();
  const refuse = everyNth(WEBHOOK_REFUSE_EVERY);
  const answeredOk: ReceivedWebhook[] = [];
  const respond: Responder = (request) => {
    if (!request.verified) return { status: 401, body: 'signature did not verify' };
    const first = !seen.has(request.id);
    seen.add(request.id);
    if (first && refuse()) return { status: 503, body: 'demo: busy, try again' };
    answeredOk.push(request);
    return { status: 200, body: 'ok' };
  };
  return { respond, answeredOk, refused: () => refuse.count() };
}
