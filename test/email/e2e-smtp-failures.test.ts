/**
 * SMTP failures end to end: a connection cut in the middle of DATA, one cut after
 * the server took the message but before its reply reached Herald, a server that
 * takes one connection at a time, and a 5xx reply to RCPT TO.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { sampleData } from '../../src/catalog/index.ts';
import { PATIENCE_MS, settled, sleep } from '../e2e/api-steps.ts';
import type { SmtpResponder, SmtpSinkOptions } from '../helpers/smtp-sink.ts';
import { EVENT_TYPE, emailOwner, heraldPerFile } from './fixtures-email-owner.ts';
import { startSmtpTap } from './fixtures-smtp-tap.ts';

const herald = heraldPerFile();
const TO = 'to@customer.example';

/** An owner whose default profile reaches a plain sink through a tap. */
async function setUp(t: TestContext, options: SmtpSinkOptions = {}) {
  const o = await emailOwner(t, herald());
  const inbox = await o.sink(options);
  const tap = await startSmtpTap(inbox.port);
  t.after(() => tap.close());
  const profileId = await o.profile(tap, 'none');
  await o.cannedEmail({ text: 'hello {{service.name}}', to: [{ address: TO }] });
  await o.account('acc-1');
  return { ...o, inbox, tap, profileId };
}

describe('SMTP failures end to end', { concurrency: true }, () => {
  test('a connection cut in the middle of DATA is retried and delivered once', async (t) => {
    const s = await setUp(t);
    s.tap.cut('mid-data');
    const id = await s.post('acc-1');

    const delivery = await settled(s.call, id, 'succeeded');
    await sleep(200);
    assert.equal(s.tap.cuts, 1, 'the connection was cut');
    assert.equal(s.inbox.received.length, 1, 'a message cut short is not kept');
    assert.equal(s.inbox.received[0].parsed.text?.trim(), 'hello Fibre 100');
    assert.equal(delivery.attempts.length, 2, 'one failed attempt, then one that went out');
    const [lost, sent] = delivery.attempts;
    assert.equal(lost.ok, false);
    assert.equal(lost.errorCode, 'smtp_connection_failed');
    assert.match(lost.error, /Connection closed/);
    assert.equal(sent.ok, true);
  });

  test('a reply lost after the server took the message sends it at most twice', async (t) => {
    const s = await setUp(t);
    s.tap.cut('before-reply');
    const id = await s.post('acc-1');

    await settled(s.call, id, 'succeeded');
    await sleep(200);
    assert.equal(s.tap.cuts, 1);
    const copies = s.inbox.received;
    assert.ok(copies.length >= 1 && copies.length <= 2, `${copies.length} copies arrived`);
    for (const copy of copies) {
      assert.equal(copy.parsed.headers.get('x-herald-delivery-id'), id, 'receivers can dedupe');
      assert.deepEqual(copy.envelope.to, [TO]);
    }
  });

  test('a server taking one connection at a time gets 20 emails over one', async (t) => {
    const s = await setUp(t, { maxConnections: 1 });
    await s.call('PATCH', `/v1/smtp-profiles/${s.profileId}`, { maxConnections: 1 });
    const accounts = Array.from({ length: 20 }, (_, i) => `acc-n${i}`);
    for (const account of accounts) await s.account(account);
    const events = accounts.map((accountId) => ({
      type: EVENT_TYPE,
      accountId,
      data: sampleData(EVENT_TYPE),
    }));
    await s.call('POST', '/v1/events/batch', { events });

    await s.inbox.waitFor(20, PATIENCE_MS);
    const deliveries = (await s.call('GET', '/v1/deliveries?limit=100')).data;
    assert.equal(deliveries.length, 20);
    for (const { id } of deliveries) {
      const delivery = await settled(s.call, id, 'succeeded');
      assert.equal(
        delivery.attempts.length,
        1,
        `no refused connection: ${JSON.stringify(delivery)}`,
      );
    }
    assert.equal(s.tap.peak, 1, `${s.tap.peak} connections were open at once`);
    assert.equal(s.inbox.received.length, 20);
  });

  test('the tap sees parallel connections when the profile sets no limit', async (t) => {
    const s = await setUp(t);
    // Each message is held a little at DATA, so a pool that may open several does.
    s.inbox.setResponder(async ({ stage }) => {
      if (stage === 'data') await sleep(50);
    });
    const accounts = Array.from({ length: 12 }, (_, i) => `acc-p${i}`);
    for (const account of accounts) await s.account(account);
    const events = accounts.map((accountId) => ({
      type: EVENT_TYPE,
      accountId,
      data: sampleData(EVENT_TYPE),
    }));
    await s.call('POST', '/v1/events/batch', { events });

    await s.inbox.waitFor(12, PATIENCE_MS);
    assert.ok(s.tap.peak > 1, `only ${s.tap.peak} connection was open at once`);
  });

  test('a 5xx reply to RCPT TO fails at once with the reply in the attempt log', async (t) => {
    let tries = 0;
    const refuse: SmtpResponder = ({ stage }) => {
      if (stage !== 'rcpt') return undefined;
      tries += 1;
      return { code: 550, message: '5.1.1 <to@customer.example>: Recipient address rejected' };
    };
    const s = await setUp(t, { respond: refuse });
    const id = await s.post('acc-1');

    const delivery = await settled(s.call, id, 'failed');
    await sleep(300);
    assert.equal(tries, 1, 'a permanent refusal is not retried');
    assert.equal(delivery.attempts.length, 1);
    const [attempt] = delivery.attempts;
    assert.equal(attempt.statusCode, 550);
    assert.equal(attempt.errorCode, 'smtp_rejected');
    assert.match(attempt.responseBody, /^550 5\.1\.1 <to@customer\.example>: Recipient address/);
    assert.match(attempt.error, /RCPT TO/);
    assert.equal(s.inbox.received.length, 0);
  });

  test(
    'a recipient refused at RCPT TO while others are taken is named in the attempt log ' + '',
    async (t) => {
      const refuse: SmtpResponder = ({ stage, address }) =>
        stage === 'rcpt' && address === 'gone@customer.example'
          ? { code: 550, message: '5.1.1 <gone@customer.example>: User unknown' }
          : undefined;
      const s = await setUp(t, { respond: refuse });
      const two = await s.cannedEmail({
        name: 'two',
        text: 'two recipients',
        to: [{ address: 'kept@customer.example' }, { address: 'gone@customer.example' }],
      });
      const event = { type: EVENT_TYPE, accountId: 'acc-1', data: sampleData(EVENT_TYPE) };
      const posted = await s.call('POST', '/v1/events', event);
      const listed = await s.call('GET', `/v1/deliveries?eventId=${posted.id}`);
      const { id } = listed.data.find((d: any) => d.emailTemplateId === two.id);

      const delivery = await settled(s.call, id, 'succeeded');
      const kept = s.inbox.received.filter((m) => m.envelope.to.includes('kept@customer.example'));
      assert.equal(kept.length, 1, 'the accepted recipient got the message');
      const logged = JSON.stringify(delivery.attempts[0]);
      assert.ok(logged.includes('gone@customer.example'), logged);
      assert.ok(logged.includes('User unknown'), logged);
    },
  );
});
