/**
 * Secrets never leak: a `herald start` logging at debug level is given every kind
 * of secret (an SMTP password, webhook secrets, HTTP Basic, bearer and OAuth
 * credentials, custom header values, API keys), rotates them, delivers webhooks and
 * emails that succeed and that fail, and test-sends. Then its whole stdout and
 * stderr, every API answer after the one that showed a secret once, and the
 * database file itself are searched for each secret; API keys are stored as
 * SHA-256 hashes only.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { ADMIN_KEY, SECRET_KEY, childEnv, startChildHerald, writeCaFile } from './herald-child.ts';
import { HEADER_VALUE_QUOTED } from './known-bugs.ts';
import { countsFor } from './resilience-counts.ts';
import {
  CREDENTIALS,
  SMTP_USER,
  answer,
  assertCredentialsWereUsed,
  basicOf,
} from './secret-credentials.ts';
import { SQLITE_ONLY } from './resilience-mode.ts';
import { findLeaks, findLeaksInBytes, type Leak, type Secret } from './secret-scan.ts';
import { ACCOUNT_ID, EVENT_TYPE, markedEvent, until } from './subscribed-owner.ts';
import { withDatabase } from './sqlite-file.ts';

const { counts, report } = countsFor('secrets-in-logs.test.ts', ['secretsChecked', 'secretLeaks']);
after(report);

test(
  'no secret reaches a log line, an API answer after creation, or the database in clear',
  { skip: SQLITE_ONLY },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-secrets-'));
    const sink = await startSmtpSink({
      auth: { username: SMTP_USER, password: CREDENTIALS.smtpPassword },
      // One email is refused for good, so that a failure path logs too.
      respond: (info) =>
        info.stage === 'data' && info.raw?.includes('fail-hard')
          ? { code: 550, message: 'mailbox unavailable' }
          : undefined,
    });
    const receiver = await startReceiver({ respond: (hook) => answer(hook.path, hook) });
    const herald = await startChildHerald(
      childEnv({
        dataDir,
        caFile: await writeCaFile(dataDir, receiver.ca),
        extra: { HERALD_LOG_LEVEL: 'debug', HERALD_RETRY_SCHEDULE_MS: '100,200' },
      }),
      { keepOutput: true },
    );
    t.after(async () => {
      await herald.kill();
      await receiver.close();
      await sink.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    const secrets: Secret[] = [
      { what: 'the admin API key', value: ADMIN_KEY },
      { what: 'HERALD_SECRET_KEY', value: SECRET_KEY },
      ...Object.entries(CREDENTIALS).map(([what, value]) => ({ what, value })),
      // Authorization headers as sent: base64 of a pair does not contain base64 of its half.
      { what: 'the Basic header', value: basicOf('hook-user', CREDENTIALS.basicPassword) },
      {
        what: 'the OAuth client header',
        value: basicOf('herald-client', CREDENTIALS.oauthClientSecret),
      },
    ];
    /** Answers after creation; each may show only the secret it was created with. */
    const answers: { where: string; text: string; shows?: string }[] = [];
    const call = async (method: string, path: string, body?: unknown, shows?: string) => {
      const r = await herald.api(method, path, body);
      answers.push({
        where: `${method} ${path} -> ${r.status}`,
        text: JSON.stringify(r.body),
        shows,
      });
      return r;
    };
    const ok = async (method: string, path: string, body?: unknown, field?: string) => {
      const r = await call(method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      if (field) {
        secrets.push({ what: `${method} ${path} ${field}`, value: r.body[field] });
        answers.at(-1)!.shows = r.body[field];
      }
      return r.body;
    };

    // Keys, an SMTP profile, and one endpoint per kind of credential.
    const reader = await ok(
      'POST',
      '/v1/keys',
      { name: 'reader', scopes: ['events:read'] },
      'secret',
    );
    await ok('POST', '/v1/keys', { name: 'writer', scopes: ['events:create'] }, 'secret');
    const tenant = await call('POST', '/v1/owners', { name: 'Second tenant' });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
    secrets.push({ what: "the second owner's first key", value: tenant.body.key.secret });
    answers.at(-1)!.shows = tenant.body.key.secret;
    await ok('POST', '/v1/contact-types', { name: 'billing', isEmailDefault: true });
    await ok('POST', '/v1/accounts', {
      id: ACCOUNT_ID,
      contacts: { billing: { name: 'Bea', email: 'bea@customer.example' } },
    });
    const profile = await ok('POST', '/v1/smtp-profiles', {
      name: 'authenticated',
      host: '127.0.0.1',
      port: sink.port,
      tls: 'none',
      fromAddress: 'noreply@herald.example',
      username: SMTP_USER,
      password: CREDENTIALS.smtpPassword,
    });
    const template = await ok('POST', '/v1/email-templates', {
      name: 'secret run',
      eventType: EVENT_TYPE,
      subject: '{{service.name}}',
      text: 'hello',
      to: [{ contactType: 'billing' }],
    });
    await ok('POST', '/v1/subscriptions', { emailTemplateId: template.id });
    const endpoints: Record<string, unknown> = {
      basic: { type: 'basic', username: 'hook-user', password: CREDENTIALS.basicPassword },
      bearer: { type: 'bearer', token: CREDENTIALS.bearerToken },
      oauth: {
        type: 'oauth2',
        tokenUrl: receiver.url.replace('/hooks', '/token'),
        clientId: 'herald-client',
        clientSecret: CREDENTIALS.oauthClientSecret,
      },
    };
    const ids: Record<string, string> = {};
    for (const [name, auth] of Object.entries(endpoints)) {
      const created = await ok(
        'POST',
        '/v1/endpoints',
        {
          name,
          url: `${receiver.url}/${name}`,
          eventTypes: [EVENT_TYPE],
          auth,
          headers: { 'X-Api-Key': CREDENTIALS.headerValue },
        },
        'secret',
      );
      ids[name] = created.id;
      await ok('POST', '/v1/subscriptions', { endpointId: created.id });
    }

    // Deliveries that succeed, are retried, and fail for good; then rotations.
    const post = (marker: string) => ok('POST', '/v1/events', markedEvent(marker));
    await post('first');
    await post('fail-once');
    await post('fail-hard');
    await until('the first deliveries to settle', () => settled(call, 12), 20_000);
    await ok('POST', `/v1/endpoints/${ids.basic}/rotate-secret`, { graceSeconds: 60 }, 'secret');
    await ok('PATCH', `/v1/endpoints/${ids.bearer}`, {
      auth: { type: 'bearer', token: CREDENTIALS.bearerTokenRotated },
    });
    await ok('POST', `/v1/email-templates/${template.id}/test-send`, { to: 'qa@herald.example' });
    await ok('PATCH', `/v1/smtp-profiles/${profile.id}`, {
      password: CREDENTIALS.smtpPasswordRotated,
    });
    // The sink knows only the first password: this test-send and email fail at AUTH.
    const refused = await call('POST', `/v1/email-templates/${template.id}/test-send`, {
      to: 'qa@herald.example',
    });
    assert.equal(refused.status, 502, JSON.stringify(refused.body));
    await post('after-rotation');
    await until('every delivery to settle', () => settled(call, 16), 20_000);

    // Everything an operator can read back, after creation.
    for (const path of ['/v1/keys', '/v1/endpoints', '/v1/smtp-profiles', '/v1/email-templates']) {
      await ok('GET', path);
    }
    for (const id of Object.values(ids)) await ok('GET', `/v1/endpoints/${id}`);
    await ok('GET', `/v1/smtp-profiles/${profile.id}`);
    const deliveries = await ok('GET', '/v1/deliveries?limit=100');
    for (const d of deliveries.data) await ok('GET', `/v1/deliveries/${d.id}`);
    await ok('GET', '/v1/events?limit=100');
    // The created keys are used too, so that their way through authentication is logged.
    const read = await herald.api('GET', '/v1/deliveries?limit=5', undefined, reader.secret);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    answers.push({
      where: 'GET /v1/deliveries with the reader key',
      text: JSON.stringify(read.body),
    });
    const wrong = await herald.api('GET', '/v1/keys', undefined, `${reader.secret}x`);
    assert.equal(wrong.status, 401, JSON.stringify(wrong.body));
    await herald.stop();

    assertCredentialsWereUsed(receiver.received, sink.received);
    const leaks: Leak[] = [];
    leaks.push(...findLeaks(secrets, herald.output.join(''), 'the log'));
    for (const a of answers) {
      const others = secrets.filter((s) => s.value !== a.shows);
      leaks.push(...findLeaks(others, a.text, a.where));
    }
    for (const file of ['herald.db', 'herald.db-wal'].map((f) => join(dataDir, f))) {
      if (existsSync(file)) leaks.push(...findLeaksInBytes(secrets, readFileSync(file), file));
    }
    counts.secretsChecked += secrets.length;
    counts.secretLeaks += leaks.length;
    assert.deepEqual(leaks, [], 'no secret in any form, anywhere');
    assertKeysHashed(dataDir, secrets);
    const lines = herald.output.join('').split('\n').length;
    t.diagnostic(
      `${secrets.length} secrets searched in ${lines} log lines and ${answers.length} answers`,
    );
  },
);

test(
  'a refused write does not quote a write-only header value back',
  { todo: HEADER_VALUE_QUOTED },
  async (t) => {
    const h = await startTestHerald();
    t.after(() => h.stop());
    const created = await h.api('POST', '/v1/endpoints', {
      name: 'refusals',
      url: 'https://127.0.0.1:1/unused',
      eventTypes: [EVENT_TYPE],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const tooLong = CREDENTIALS.headerValue.padEnd(4097, 'z');
    const r = await h.api('PATCH', `/v1/endpoints/${created.body.id}`, {
      headers: { 'X-Api-Key': tooLong },
    });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const value = [{ what: 'the refused header value', value: CREDENTIALS.headerValue }];
    assert.deepEqual(findLeaks(value, JSON.stringify(r.body), 'the 400 answer'), []);
  },
);

/** True once `count` deliveries exist and none is pending or in flight. */
async function settled(call: (m: string, p: string) => Promise<{ body: any }>, count: number) {
  const list = await call('GET', '/v1/deliveries?limit=100');
  const all = list.body.data as { status: string }[];
  return (
    all.length >= count && all.every((d) => d.status !== 'pending' && d.status !== 'in_flight')
  );
}

function assertKeysHashed(dataDir: string, secrets: Secret[]) {
  const keys = secrets.filter((s) => s.value.startsWith('hk_'));
  assert.equal(keys.length, 4, "the admin key, the two created, the second owner's");
  const rows = withDatabase(dataDir, (db) => db.prepare('SELECT * FROM api_keys').all()) as any[];
  const hashes = new Set(rows.map((row) => row.secret_hash));
  for (const key of keys) {
    const sha256 = createHash('sha256').update(key.value).digest('hex');
    assert.ok(hashes.has(sha256), `${key.what} is kept as its SHA-256 hash`);
    for (const row of rows) {
      assert.ok(!JSON.stringify(row).includes(key.value), `api_keys holds ${key.what} in clear`);
    }
  }
}
