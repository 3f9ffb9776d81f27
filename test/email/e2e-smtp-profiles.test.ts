/**
 * SMTP profiles end to end: the default port, implicit TLS against a real
 * implicit-TLS server, port/TLS mismatches refused when saved, a profile whose server
 * speaks another TLS mode failing with an error that says what to change, and the
 * default profile changing while sends are in flight.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { PATIENCE_MS, settled, sleep, type Call } from '../e2e/api-steps.ts';
import type { SmtpSinkOptions } from '../helpers/smtp-sink.ts';
import { emailOwner, heraldPerFile, mailboxes } from './fixtures-email-owner.ts';

const herald = heraldPerFile();
const LOGIN = { username: 'mailer', password: 'implicit-Secret-42' };
const BASE = { name: 'p', host: 'smtp.example.com', fromAddress: 'billing@herald.example' };

/**
 * What a plain SMTP client meets at an implicit-TLS port whose server has a short
 * handshake timeout: silence (the server waits for a TLS hello, the client for a
 * greeting), then a hang-up after 300 ms. Nothing is sent, so no certificate is needed.
 */
async function impatientTlsPort(t: TestContext) {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    setTimeout(() => socket.destroy(), 300);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

/** Polls a delivery until it has at least one attempt; returns the first. */
async function firstAttempt(call: Call, id: string) {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const delivery = await call('GET', `/v1/deliveries/${id}`);
    if (delivery.attempts.length > 0) return delivery.attempts[0];
    assert.ok(Date.now() < deadline, `no attempt yet: ${JSON.stringify(delivery)}`);
    await sleep(20);
  }
}

describe('SMTP profiles end to end', { concurrency: true }, () => {
  test('a profile saved without a port uses port 25', async (t) => {
    const o = await emailOwner(t, herald());
    for (const tls of ['starttls', 'none']) {
      const created = await o.call('POST', '/v1/smtp-profiles', { ...BASE, tls });
      assert.equal(created.port, 25, tls);
      assert.equal((await o.call('GET', `/v1/smtp-profiles/${created.id}`)).port, 25, tls);
    }

    const implicit = await o.call('POST', '/v1/smtp-profiles', { ...BASE, tls: 'implicit' }, 422);
    assert.match(implicit.error.message, /^port 25 speaks /);
    assert.match(implicit.error.message, /set tls to "starttls" or use port 465/);
  });

  test('an implicit-TLS profile delivers through an implicit-TLS server', async (t) => {
    const o = await emailOwner(t, herald());
    const sink = await o.sink({ secure: true, auth: LOGIN });
    await o.profile(sink, 'implicit', LOGIN);
    await o.cannedEmail({ text: 'over TLS', to: [{ address: 'to@customer.example' }] });
    await o.account('acc-1');
    const id = await o.post('acc-1');

    const [mail] = await sink.waitFor(1, PATIENCE_MS);
    await settled(o.call, id, 'succeeded');
    assert.equal(mail.secure, true);
    assert.equal(mail.username, LOGIN.username);
    assert.equal(mail.parsed.text?.trim(), 'over TLS');
  });

  test('a port that speaks another TLS mode is refused with what to change', async (t) => {
    const o = await emailOwner(t, herald());
    const refusals = [
      [{ tls: 'implicit', port: 587 }, 'tls', /set tls to "starttls" or use port 465/],
      [{ tls: 'implicit', port: 25 }, 'tls', /set tls to "starttls" or use port 465/],
      [{ tls: 'starttls', port: 465 }, 'tls', /set tls to "implicit" or use port 587/],
      [{ tls: 'none', port: 465 }, 'tls', /set tls to "implicit" or use port 587/],
    ] as const;
    for (const [fields, field, advice] of refusals) {
      const body = await o.call('POST', '/v1/smtp-profiles', { ...BASE, ...fields }, 422);
      const what = JSON.stringify(fields);
      assert.equal(body.error.field, field, what);
      assert.match(body.error.message, advice, what);
    }

    const saved = await o.call('POST', '/v1/smtp-profiles', {
      ...BASE,
      tls: 'starttls',
      port: 587,
    });
    const path = `/v1/smtp-profiles/${saved.id}`;
    const onPort = await o.call('PATCH', path, { port: 465 }, 422);
    assert.match(onPort.error.message, /set tls to "implicit"/);
    const onTls = await o.call('PATCH', path, { tls: 'implicit' }, 422);
    assert.match(onTls.error.message, /use port 465 for implicit TLS/);
    const kept = await o.call('GET', path);
    assert.deepEqual([kept.port, kept.tls], [587, 'starttls'], 'refused changes are not saved');
    const both = await o.call('PATCH', path, { port: 465, tls: 'implicit' });
    assert.deepEqual([both.port, both.tls], [465, 'implicit']);
  });

  const mismatches: Array<[string, string, SmtpSinkOptions, RegExp, RegExp]> = [
    ['implicit TLS to a plain server', 'implicit', {}, /smtp_tls_failed/, /tls mode/],
    ['STARTTLS to a server without it', 'starttls', {}, /smtp_tls_failed/, /tls mode/],
    [
      'plain SMTP to a server that insists on STARTTLS',
      'none',
      { requireStartTls: true },
      /smtp_rejected/,
      /STARTTLS/,
    ],
  ];
  for (const [what, tls, server, code, advice] of mismatches) {
    test(`${what} fails at once with a clear error in the attempt log`, async (t) => {
      const o = await emailOwner(t, herald());
      const sink = await o.sink(server);
      await o.profile(sink, tls);
      await o.cannedEmail({ text: 'never sent', to: [{ address: 'to@customer.example' }] });
      await o.account('acc-1');
      const id = await o.post('acc-1');

      const delivery = await settled(o.call, id, 'failed');
      assert.equal(delivery.attempts.length, 1, 'a TLS mismatch is not retried');
      const [attempt] = delivery.attempts;
      assert.match(attempt.errorCode, code);
      assert.match(attempt.error, advice);
      assert.ok(attempt.error.includes(`127.0.0.1:${sink.port}`), attempt.error);
      assert.equal(delivery.lastError, attempt.error);
      assert.equal(sink.received.length, 0);
    });
  }

  test(
    'plain SMTP to an implicit-TLS server that hangs up says to set tls to implicit ' + '',
    async (t) => {
      const o = await emailOwner(t, herald());
      await o.profile(await impatientTlsPort(t), 'starttls');
      await o.cannedEmail({ text: 'never sent', to: [{ address: 'to@customer.example' }] });
      await o.account('acc-1');
      const attempt = await firstAttempt(o.call, await o.post('acc-1'));
      assert.match(attempt.error, /tls/i);
      assert.match(attempt.error, /implicit/);
    },
  );

  test('a refused password is not quoted back in the error answer', async (t) => {
    const o = await emailOwner(t, herald());
    const password = 'Leaky-Secret-' + 'x'.repeat(1000);
    const body = { ...BASE, tls: 'starttls', port: 587, password };
    const answer = await o.h.api('POST', '/v1/smtp-profiles', body, { key: o.key });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.field, 'password');
    assert.ok(!JSON.stringify(answer.body).includes('Leaky-Secret'), answer.body.error.message);
  });

  test('the default profile changes, also concurrently, while a send is in flight', async (t) => {
    const o = await emailOwner(t, herald());
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const reachedData = new Promise<void>((resolve) => (stalled = resolve));
    const first = await o.sink({
      respond: async ({ stage, count }) => {
        if (stage !== 'data' || count !== 1) return;
        stalled();
        await held;
      },
    });
    const second = await o.sink();
    const firstId = await o.profile(first, 'none', { fromAddress: 'first@herald.example' });
    const secondId = await o.profile(second, 'none', { fromAddress: 'second@herald.example' });
    await o.cannedEmail({ text: 'hello', to: [{ address: 'to@customer.example' }] });
    await o.account('acc-1');
    await o.account('acc-2');

    const early = await o.post('acc-1');
    await reachedData;
    // The held send is only released below, so a swap that waited for it would hang.
    const swaps = Array.from({ length: 10 }, (_, i) => (i % 2 ? firstId : secondId));
    await Promise.all(
      swaps.map((id) => o.call('PATCH', `/v1/smtp-profiles/${id}`, { isDefault: true })),
    );
    const defaults = async () =>
      (await o.call('GET', '/v1/smtp-profiles')).data
        .filter((p: any) => p.isDefault)
        .map((p: any) => p.id);
    assert.equal((await defaults()).length, 1, 'concurrent swaps leave exactly one default');
    await o.call('PATCH', `/v1/smtp-profiles/${secondId}`, { isDefault: true });
    assert.deepEqual(await defaults(), [secondId]);
    const late = await o.post('acc-2');
    const [lateMail] = await second.waitFor(1, PATIENCE_MS);
    assert.equal(lateMail.envelope.from, 'second@herald.example');

    release();
    const [earlyMail] = await first.waitFor(1, PATIENCE_MS);
    assert.deepEqual(mailboxes(earlyMail.parsed.from)[0].address, 'first@herald.example');
    const before = await settled(o.call, early, 'succeeded');
    const after = await settled(o.call, late, 'succeeded');
    assert.equal(before.attempts[0].request.smtpProfileId, firstId);
    assert.equal(after.attempts[0].request.smtpProfileId, secondId);
    await sleep(100);
    assert.equal(first.received.length + second.received.length, 2, 'nothing sent twice');
  });
});
