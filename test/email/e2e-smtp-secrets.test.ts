/**
 * The SMTP password stays secret: Herald runs as an operator runs it (`herald start`
 * in a child process, SQLite in its data folder, debug logging), takes passwords
 * through the API, logs in to a real SMTP server with one, fails a login with
 * another, and afterwards no API answer, no log line (stdout or stderr) and no byte
 * of the data folder holds any of them, while the stored profile holds a sealed value.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { sampleData } from '../../src/catalog/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { PATIENCE_MS, sleep } from '../e2e/api-steps.ts';
import { spawnHerald, stopAll } from '../store/herald-process.ts';

const ADMIN_KEY = 'hk_smtp_secrets_test_admin_key_0123456789';
const SECRET_KEY = 'smtp-secrets-test-operator-key';
const PASSWORD = 'Gr33n-Owl-Pässword-7f3a';
const WRONG = 'Wrong-Turnip-Password-9c1e';
const REFUSED = 'Refused-Kettle-Password-4b2d';
const LOGIN = { username: 'secret-mailer', password: PASSWORD };
const TYPE = 'service.state_changed';

/** A password's plain text and the encodings it travels in (AUTH PLAIN, AUTH LOGIN). */
function forms(password: string): string[] {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [password, base64(password), base64(`\0${LOGIN.username}\0${password}`)];
}

/** Every file under `dir`, read whole. */
async function filesUnder(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(files.map(async (path) => ({ path, bytes: await readFile(path) })));
}

function assertAbsent(where: string, haystack: Buffer | string, secrets: string[]) {
  const bytes = Buffer.isBuffer(haystack) ? haystack : Buffer.from(haystack, 'utf8');
  for (const secret of secrets) {
    assert.equal(bytes.indexOf(Buffer.from(secret, 'utf8')), -1, `${where} holds ${secret}`);
  }
}

test('SMTP passwords reach no API answer, log line or byte of the data folder', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-secrets-'));
  const sink = await startSmtpSink({ auth: LOGIN });
  const herald = spawnHerald('all', {
    HERALD_PORT: '0',
    HERALD_DATA_DIR: dataDir,
    HERALD_DATABASE_URL: '',
    HERALD_ADMIN_KEY: ADMIN_KEY,
    HERALD_SECRET_KEY: SECRET_KEY,
    HERALD_LOG_LEVEL: 'debug',
    HERALD_POLL_INTERVAL_MS: '100',
    HERALD_RETRY_SCHEDULE_MS: '50',
  });
  t.after(async () => {
    await stopAll([herald]);
    await sink.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const output: Buffer[] = [];
  herald.child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
  herald.child.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
  const listening = await herald.waitForLog((l) =>
    Boolean(l.msg?.startsWith('Herald API listening')),
  );
  const url = String(listening.url);

  const answers: string[] = [];
  async function call(method: string, path: string, body?: unknown, expect = 200) {
    const response = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    answers.push(text);
    assert.equal(response.status, expect, `${method} ${path}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
  async function delivered(eventId: string, status: string) {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      const [found] = (await call('GET', `/v1/deliveries?eventId=${eventId}`)).data;
      if (found?.status === status) return call('GET', `/v1/deliveries/${found.id}`);
      assert.ok(Date.now() < deadline, `delivery never became ${status}: ${JSON.stringify(found)}`);
      await sleep(50);
    }
  }

  // Save: a profile with the password, and a refused one carrying another.
  const profileBody = {
    name: 'sink',
    host: sink.host,
    port: sink.port,
    tls: 'none',
    fromAddress: 'billing@herald.example',
    ...LOGIN,
  };
  const refused = { ...profileBody, port: 465, password: REFUSED };
  await call('POST', '/v1/smtp-profiles', refused, 422);
  const profile = await call('POST', '/v1/smtp-profiles', profileBody, 201);
  assert.equal(profile.password, undefined);
  assert.equal(profile.hasPassword, true);

  // Use it: a delivery and a test-send log in with it.
  await call('POST', '/v1/accounts', { id: 'acc-1', name: 'Secretive Ltd' }, 201);
  const template = await call(
    'POST',
    '/v1/email-templates',
    {
      name: 'secret',
      eventType: TYPE,
      subject: 'About {{service.name}}',
      text: 'hello',
      to: [{ address: 'to@customer.example' }],
    },
    201,
  );
  await call('POST', '/v1/subscriptions', { emailTemplateId: template.id }, 201);
  const event = { type: TYPE, accountId: 'acc-1', data: sampleData(TYPE) };
  const first = await call('POST', '/v1/events', event, 202);
  await delivered(first.id, 'succeeded');
  const testSend = `/v1/email-templates/${template.id}/test-send`;
  await call('POST', testSend, { to: 'tester@customer.example' });
  const [mail] = await sink.waitFor(2, PATIENCE_MS);
  assert.equal(mail.username, LOGIN.username, 'Herald logged in with the stored password');

  // Break it: a wrong password fails a delivery (logged at error) and a test-send.
  await call('PATCH', `/v1/smtp-profiles/${profile.id}`, { password: WRONG });
  const second = await call('POST', '/v1/events', event, 202);
  const failed = await delivered(second.id, 'failed');
  assert.equal(failed.attempts[0].errorCode, 'smtp_auth_failed');
  await call('POST', testSend, { to: 'tester@customer.example' }, 502);
  await call('GET', '/v1/smtp-profiles');
  await call('GET', `/v1/smtp-profiles/${profile.id}`);

  const secrets = [PASSWORD, WRONG, REFUSED].flatMap(forms);
  answers.forEach((text, i) => assertAbsent(`API answer ${i}`, text, secrets));
  for (const file of await filesUnder(dataDir)) assertAbsent(file.path, file.bytes, secrets);

  await stopAll([herald]);
  const log = Buffer.concat(output);
  assert.ok(
    herald.lines.some((l) => l.level === 20),
    'debug lines were written',
  );
  assert.ok(log.includes('email not sent'), 'the failed login was logged');
  assert.ok(log.includes(`"username":"${LOGIN.username}"`), 'the SMTP pool was logged');
  assertAbsent('the log', log, [...secrets, SECRET_KEY]);
  const files = await filesUnder(dataDir);
  assert.ok(
    files.some((f) => f.path.endsWith('herald.db')),
    files.map((f) => f.path).join(),
  );
  for (const file of files) assertAbsent(file.path, file.bytes, secrets);

  const db = new Database(join(dataDir, 'herald.db'), { readonly: true });
  const rows = db.prepare("SELECT doc FROM records WHERE kind = 'smtp-profile'").all() as any[];
  db.close();
  assert.equal(rows.length, 1);
  const stored = JSON.parse(rows[0].doc);
  assert.equal(stored.password, undefined);
  assert.match(stored.passwordSealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
});
