import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DeliveryError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { SmtpTransports, type SmtpProfile } from '../../src/email/smtp-transports.ts';
import type { OutgoingEmail } from '../../src/email/types.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let profiles = 0;

/** A fresh profile id per call, so no test picks up another test's pooled connection. */
function profileFor(sink: { host: string; port: number }, overrides: Partial<SmtpProfile> = {}) {
  profiles += 1;
  const profile: SmtpProfile = {
    id: `smtp_errors_${profiles}`,
    version: '1',
    host: sink.host,
    port: sink.port,
    tls: 'none',
    fromAddress: 'billing@owner.example',
    bcc: [],
    ...overrides,
  };
  return profile;
}

const message: OutgoingEmail = {
  from: { address: 'billing@owner.example' },
  to: [{ address: 'ann@customer.example' }],
  cc: [],
  bcc: [],
  subject: 'Your invoice',
  text: 'Hello',
};

/** Sends and returns the DeliveryError, failing the test if the send succeeded. */
async function failure(transports: SmtpTransports, profile: SmtpProfile): Promise<DeliveryError> {
  try {
    await transports.send(profile, message);
  } catch (err) {
    assert.ok(err instanceof DeliveryError, `expected a DeliveryError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

async function sinkFor(t: { after: (fn: () => Promise<void>) => void }, sink: Promise<SmtpSink>) {
  const started = await sink;
  t.after(() => started.close());
  return started;
}

describe('SMTP failures', () => {
  const transports = new SmtpTransports({ connectionTimeoutMs: 300 });
  after(() => transports.close());

  test('a 451 on RCPT TO is a transient deferral with the reply in its context', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage }) =>
          stage === 'rcpt' ? { code: 451, message: '4.7.1 Greylisted, try later' } : undefined,
      }),
    );

    const err = await failure(transports, profileFor(sink));
    assert.equal(err.code, 'smtp_deferred');
    assert.equal(err.transient, true);
    assert.equal(err.context.stage, 'rcpt');
    assert.equal(err.context.smtpCode, 451);
    assert.equal(err.context.smtpResponse, '451 4.7.1 Greylisted, try later');
    assert.equal(sink.received.length, 0);
  });

  test('a 451 on DATA is transient', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage }) =>
          stage === 'data' ? { code: 451, message: 'Local error in processing' } : undefined,
      }),
    );

    const err = await failure(transports, profileFor(sink));
    assert.equal(err.transient, true);
    assert.equal(err.context.stage, 'data');
    assert.equal(err.context.smtpCode, 451);
  });

  test("a 550 on DATA is permanent and keeps the server's answer", async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage }) =>
          stage === 'data' ? { code: 550, message: '5.7.1 Message rejected as spam' } : undefined,
      }),
    );

    const err = await failure(transports, profileFor(sink));
    assert.equal(err.code, 'smtp_rejected');
    assert.equal(err.transient, false);
    assert.deepEqual(err.context, {
      stage: 'data',
      smtpCode: 550,
      smtpResponse: '550 5.7.1 Message rejected as spam',
    });
    assert.match(err.message, /rejected the message at DATA with "550 5\.7\.1 Message rejected/);
  });

  test('a 550 for every recipient is permanent at RCPT TO', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage }) =>
          stage === 'rcpt' ? { code: 550, message: '5.1.1 No such user' } : undefined,
      }),
    );

    const err = await failure(transports, profileFor(sink));
    assert.equal(err.transient, false);
    assert.equal(err.context.stage, 'rcpt');
    assert.equal(err.context.smtpCode, 550);
  });

  test('a 550 for one of two recipients still sends to the other', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage, address }) =>
          stage === 'rcpt' && address === 'gone@customer.example'
            ? { code: 550, message: '5.1.1 No such user' }
            : undefined,
      }),
    );

    const result = await transports.send(profileFor(sink), {
      ...message,
      cc: [{ address: 'gone@customer.example' }],
    });
    assert.deepEqual(result.accepted, ['ann@customer.example']);
    assert.deepEqual(result.rejected, ['gone@customer.example']);
    const [email] = await sink.waitFor(1);
    assert.deepEqual(email.envelope.to, ['ann@customer.example']);
  });

  test('a wrong password is a permanent smtp_auth_failed that hides the password', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({ auth: { username: 'owner-smtp', password: 'right-password' } }),
    );
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (s: string) => lines.push(s) },
    });
    const logged = new SmtpTransports({ logger });
    t.after(() => logged.close());

    const err = await failure(
      logged,
      profileFor(sink, { username: 'owner-smtp', password: 'wrong-password' }),
    );
    assert.equal(err.code, 'smtp_auth_failed');
    assert.equal(err.transient, false);
    assert.equal(err.context.stage, 'auth');
    assert.equal(err.context.smtpCode, 535);
    assert.match(err.message, /user "owner-smtp"/);
    assert.match(err.message, /check the SMTP profile's username and password/);
    assert.doesNotMatch(err.message, /wrong-password/);
    assert.ok(lines.length > 0, 'the failure was logged');
    assert.ok(
      lines.some((line) => JSON.parse(line).level === 50),
      'logged as an error',
    );
    for (const line of lines) assert.doesNotMatch(line, /wrong-password/);
  });

  test('a 454 temporary authentication failure is transient', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        auth: { username: 'owner-smtp', password: 'pw' },
        respond: ({ stage }) =>
          stage === 'auth'
            ? { code: 454, message: '4.7.0 Temporary authentication failure' }
            : undefined,
      }),
    );

    const err = await failure(
      transports,
      profileFor(sink, { username: 'owner-smtp', password: 'pw' }),
    );
    assert.equal(err.code, 'smtp_auth_failed');
    assert.equal(err.transient, true);
  });

  test('a connection dropped during DATA is transient', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({ respond: ({ stage }) => (stage === 'data' ? { drop: true } : undefined) }),
    );

    const err = await failure(transports, profileFor(sink));
    assert.equal(err.code, 'smtp_connection_failed');
    assert.equal(err.transient, true);
    assert.equal(sink.received.length, 0);
  });

  test('after a dropped connection the next send opens a fresh one and is delivered', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage, count }) =>
          stage === 'data' && count === 1 ? { drop: true } : undefined,
      }),
    );
    const profile = profileFor(sink);

    const err = await failure(transports, profile);
    assert.equal(err.transient, true);
    await transports.send(profile, message);
    assert.equal(sink.received.length, 1);
    assert.equal(sink.connections, 2);
  });

  test('plain SMTP against an implicit-TLS server times out with a hint about tls', async (t) => {
    const sink = await sinkFor(t, startSmtpSink({ secure: true }));

    const err = await failure(transports, profileFor(sink, { tls: 'none' }));
    assert.equal(err.code, 'smtp_timeout');
    assert.equal(err.transient, true);
    assert.match(err.message, /set the profile's tls to "implicit"/);
  });

  test('implicit TLS against a plain server is a permanent TLS failure', async (t) => {
    const sink = await sinkFor(t, startSmtpSink());

    const err = await failure(transports, profileFor(sink, { tls: 'implicit' }));
    assert.equal(err.code, 'smtp_tls_failed');
    assert.equal(err.transient, false);
    assert.match(err.message, /the server did not answer with TLS/);
  });

  test('a refused connection is transient', async () => {
    const sink = await startSmtpSink();
    const closedPort = { host: sink.host, port: sink.port };
    await sink.close();

    const err = await failure(transports, profileFor(closedPort));
    assert.equal(err.code, 'smtp_connection_failed');
    assert.equal(err.transient, true);
    assert.equal(err.context.stage, 'connect');
    assert.match(err.message, /ECONNREFUSED/);
  });

  test('a server that never greets times out, transiently', async (t) => {
    const sink = await sinkFor(
      t,
      startSmtpSink({
        respond: ({ stage }) =>
          stage === 'connect' ? new Promise((resolve) => setTimeout(resolve, 1_000)) : undefined,
      }),
    );

    const started = Date.now();
    const err = await failure(transports, profileFor(sink));
    assert.equal(err.code, 'smtp_timeout');
    assert.equal(err.transient, true);
    assert.ok(Date.now() - started < 900, 'the client gave up at its own timeout');
  });

  test('an untrusted certificate is a permanent TLS failure', async (t) => {
    const sink = await sinkFor(t, startSmtpSink({ secure: true }));

    const err = await failure(transports, profileFor(sink, { tls: 'implicit' }));
    assert.equal(err.code, 'smtp_tls_failed');
    assert.equal(err.transient, false);
    assert.match(err.message, /check the profile's tls mode/);
  });

  test('STARTTLS required by the profile but not offered is a permanent TLS failure', async (t) => {
    const sink = await sinkFor(t, startSmtpSink());

    const err = await failure(transports, profileFor(sink, { tls: 'starttls' }));
    assert.equal(err.code, 'smtp_tls_failed');
    assert.equal(err.transient, false);
  });
});
