import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SmtpTransports, type SmtpProfile } from '../../src/email/smtp-transports.ts';
import type { OutgoingEmail } from '../../src/email/types.ts';
import { smtpTestCertificate } from '../helpers/smtp-cert.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

function profileFor(sink: SmtpSink, overrides: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    id: 'smtp_test',
    version: '1',
    host: sink.host,
    port: sink.port,
    tls: 'none',
    fromAddress: 'billing@owner.example',
    bcc: [],
    ...overrides,
  };
}

function message(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    from: { name: 'Owner Billing', address: 'billing@owner.example' },
    to: [{ name: 'Ann Lee', address: 'ann@customer.example' }],
    cc: [],
    bcc: [],
    subject: 'Your invoice',
    text: 'Hello',
    ...overrides,
  };
}

describe('SmtpTransports', () => {
  const transports = new SmtpTransports();
  after(() => transports.close());

  test('sends html and text as multipart/alternative with every field intact', async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());
    const longLine = `<p>${'0123456789'.repeat(200)}</p>`;
    assert.equal(longLine.length, 2007);
    const html = `<html><body>\n${longLine}\n<p>Bonjour Zoë</p></body></html>`;
    const text = 'Bonjour Zoë,\nyour invoice is ready.';

    const result = await transports.send(
      profileFor(sink, { bcc: ['archive@owner.example'] }),
      message({
        from: { name: 'Müller, Jürgen "JM"', address: 'billing@owner.example' },
        to: [{ name: 'Zoë Ångström, CFO', address: 'zoe@customer.example' }],
        cc: [{ name: 'O\'Brien, "Pat"', address: 'pat@customer.example' }],
        bcc: [{ address: 'audit@owner.example' }],
        subject: 'Facture n° 42 🎉 — échéance dépassée',
        html,
        text,
      }),
    );

    const [email] = await sink.waitFor(1);
    const { parsed } = email;
    assert.deepEqual(email.envelope, {
      from: 'billing@owner.example',
      to: [
        'zoe@customer.example',
        'pat@customer.example',
        'audit@owner.example',
        'archive@owner.example',
      ],
    });
    assert.deepEqual(result.accepted, email.envelope.to);
    assert.deepEqual(result.rejected, []);
    assert.match(result.response, /^250 /);
    assert.equal(parsed.messageId, result.messageId);

    const contentType = parsed.headers.get('content-type') as { value: string };
    assert.equal(contentType.value, 'multipart/alternative');
    assert.equal(parsed.subject, 'Facture n° 42 🎉 — échéance dépassée');
    const from = parsed.from!.value;
    assert.deepEqual(from, [{ name: 'Müller, Jürgen "JM"', address: 'billing@owner.example' }]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to!];
    const zoe = { name: 'Zoë Ångström, CFO', address: 'zoe@customer.example' };
    assert.deepEqual(to[0].value, [zoe]);
    const cc = Array.isArray(parsed.cc) ? parsed.cc : [parsed.cc!];
    assert.deepEqual(cc[0].value, [{ name: 'O\'Brien, "Pat"', address: 'pat@customer.example' }]);
    // Blind copies travel in the envelope only.
    assert.equal(parsed.bcc, undefined);
    assert.doesNotMatch(email.raw, /audit@owner\.example|archive@owner\.example/);

    assert.equal(parsed.text?.trimEnd(), text);
    assert.equal(typeof parsed.html, 'string');
    assert.ok((parsed.html as string).includes(longLine), 'the 2000-character line arrived whole');
    assert.ok((parsed.html as string).includes('Bonjour Zoë'), String(parsed.html));
    // SMTP caps a line at 998 octets (RFC 5321 4.5.3.1.6); the wire form must respect it.
    for (const line of email.raw.split('\r\n'))
      assert.ok(line.length <= 998, `a line of ${line.length} octets`);
  });

  test('logs in over STARTTLS when the server requires it', async (t) => {
    const sink = await startSmtpSink({
      requireStartTls: true,
      auth: { username: 'owner-smtp', password: 's3cret!' },
    });
    const secured = new SmtpTransports({ ca: sink.ca });
    t.after(async () => {
      await secured.close();
      await sink.close();
    });

    await secured.send(
      profileFor(sink, { tls: 'starttls', username: 'owner-smtp', password: 's3cret!' }),
      message(),
    );

    const [email] = await sink.waitFor(1);
    assert.equal(email.secure, true);
    assert.equal(email.username, 'owner-smtp');
    assert.equal(email.parsed.subject, 'Your invoice');
  });

  test('speaks TLS from the first byte in implicit mode', async (t) => {
    const sink = await startSmtpSink({ secure: true });
    const secured = new SmtpTransports({ ca: sink.ca });
    t.after(async () => {
      await secured.close();
      await sink.close();
    });

    await secured.send(profileFor(sink, { tls: 'implicit' }), message());

    const [email] = await sink.waitFor(1);
    assert.equal(email.secure, true);
  });

  test('never upgrades in "none" mode, even when the server offers STARTTLS', async (t) => {
    const sink = await startSmtpSink({ ...(await smtpTestCertificate()) });
    t.after(() => sink.close());

    await transports.send(profileFor(sink, { id: 'smtp_plain' }), message());

    const [email] = await sink.waitFor(1);
    assert.equal(email.secure, false);
  });

  test('reuses a pooled connection, and opens a fresh one when the profile changes', async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());
    const profile = profileFor(sink, { id: 'smtp_pooled' });

    await transports.send(profile, message({ subject: 'one' }));
    await transports.send(profile, message({ subject: 'two' }));
    assert.equal(sink.connections, 1);

    await transports.send({ ...profile, version: '2' }, message({ subject: 'three' }));
    assert.equal(sink.connections, 2);
    const received = await sink.waitFor(3);
    assert.deepEqual(
      received.map((e) => e.parsed.subject),
      ['one', 'two', 'three'],
    );
  });

  test('a profile change mid-burst lets messages waiting on the old pool go out', async (t) => {
    const sink = await startSmtpSink();
    const single = new SmtpTransports({ maxConnections: 1 });
    t.after(async () => {
      await single.close();
      await sink.close();
    });
    const profile = profileFor(sink, { id: 'smtp_burst' });

    const sends = ['a', 'b', 'c'].map((subject) => single.send(profile, message({ subject })));
    sends.push(single.send({ ...profile, version: '2' }, message({ subject: 'd' })));
    await Promise.all(sends);

    const subjects = (await sink.waitFor(4)).map((e) => e.parsed.subject).sort();
    assert.deepEqual(subjects, ['a', 'b', 'c', 'd']);
  });

  test('a header value with CR/LF cannot add a recipient or a header', async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());

    await transports.send(
      profileFor(sink, { id: 'smtp_headers' }),
      message({
        subject: 'Invoice\r\nBcc: evil@attacker.example',
        headers: { 'X-Herald-Event-Type': 'invoice.posted\r\nBcc: evil@attacker.example' },
      }),
    );

    const [email] = await sink.waitFor(1);
    assert.deepEqual(email.envelope.to, ['ann@customer.example']);
    assert.equal(email.parsed.headers.has('bcc'), false);
    assert.match(String(email.parsed.headers.get('x-herald-event-type')), /^invoice\.posted/);
    assert.doesNotMatch(email.raw, /\r\nBcc:/i);
  });

  test('refuses headers that would override the message fields', async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());

    await assert.rejects(
      transports.send(profileFor(sink), message({ headers: { Bcc: 'evil@attacker.example' } })),
      { name: 'DeliveryError', code: 'email_invalid_header', transient: false },
    );
    await assert.rejects(
      transports.send(profileFor(sink), message({ headers: { 'X Bad': 'x' } })),
      { code: 'email_invalid_header' },
    );
    assert.equal(sink.connections, 0);
  });

  test('refuses a message without recipients before connecting', async (t) => {
    const sink = await startSmtpSink();
    t.after(() => sink.close());

    await assert.rejects(transports.send(profileFor(sink), message({ to: [] })), {
      code: 'email_no_recipients',
      transient: false,
    });
    assert.equal(sink.connections, 0);
  });
});
