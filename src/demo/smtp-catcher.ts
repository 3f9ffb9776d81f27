/**
 * A real SMTP server on 127.0.0.1 for the demo and the tests: it accepts mail
 * (and sends none onwards), parses each message with mailparser, and keeps what it
 * received. A responder can refuse a stage with any reply (451 on RCPT, 550 on
 * DATA...) or drop the connection there.
 *
 *   const sink = await startSmtpSink();
 *   // send to 127.0.0.1:sink.port with tls "none"
 *   const [email] = await sink.waitFor(1);
 *   assert.equal(email.parsed.subject, 'Hello');
 *   await sink.close();
 *
 * With `secure` or `requireStartTls` the sink speaks TLS with a self-signed
 * certificate for localhost/127.0.0.1 (unless `key`/`cert` are given) and
 * exposes it as `ca`, to be trusted by the client. Always close() the sink, or
 * the process will not exit.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { smtpCertificate } from './self-signed.ts';

export type SmtpSinkStage = 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';

/** What a responder is told about the command the sink is answering. */
export interface SmtpStageInfo {
  stage: SmtpSinkStage;
  /** Counts how often this stage was reached over the sink's life, from 1. */
  count: number;
  sessionId: string;
  secure: boolean;
  /** The sender at "mail", the recipient at "rcpt". */
  address?: string;
  /** The user name offered at "auth". */
  username?: string;
  /** The envelope as far as the session got. */
  envelope: { from: string; to: string[] };
  /** The whole message at "data". */
  raw?: string;
}

/** A reply of the responder's choosing, or `{ drop: true }` to cut the connection. */
export type SmtpReply = { code: number; message: string } | { drop: true };

/**
 * Decides a stage's answer. Return nothing for the normal answer. May be async,
 * so a test can also stall a stage (to provoke a client timeout).
 */
export type SmtpResponder = (info: SmtpStageInfo) => void | SmtpReply | Promise<void | SmtpReply>;

export interface SmtpSinkOptions {
  /** Implicit TLS from the first byte, as on port 465. */
  secure?: boolean;
  /** Offer STARTTLS and refuse MAIL FROM and AUTH until the client has upgraded. */
  requireStartTls?: boolean;
  /** Require this login before MAIL FROM; a wrong one gets 535. */
  auth?: { username: string; password: string };
  respond?: SmtpResponder;
  /** Concurrent connections allowed; more are refused with 421. */
  maxConnections?: number;
  /** PEM key and certificate to serve instead of the generated ones. */
  key?: string;
  cert?: string;
}

export interface ReceivedEmail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
  receivedAt: number;
  /** Whether the session was encrypted (implicit TLS or after STARTTLS). */
  secure: boolean;
  /** The user name the client logged in with, if it did. */
  username?: string;
}

export interface SmtpSink {
  port: number;
  host: '127.0.0.1';
  /** The certificate to trust, when the sink speaks TLS. */
  ca?: string;
  /** Accepted messages, in arrival order. Refused ones are not recorded. */
  received: ReceivedEmail[];
  /** Connections opened so far; shows whether a client reused a pooled one. */
  readonly connections: number;
  /** Resolves with `received` once it holds at least `count` messages. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  /** Replaces the responder; `undefined` restores normal answers. */
  setResponder(fn: SmtpResponder | undefined): void;
  close(): Promise<void>;
}

/** Starts a sink on an ephemeral port; resolves once it is listening. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const usesTls = Boolean(options.secure || options.requireStartTls);
  const pems =
    options.key && options.cert
      ? { key: options.key, cert: options.cert }
      : usesTls
        ? await smtpCertificate()
        : undefined;

  let responder = options.respond;
  const received: ReceivedEmail[] = [];
  const waiters: Array<() => void> = [];
  const counts = new Map<SmtpSinkStage, number>();
  let connections = 0;

  const disabled: string[] = [];
  if (!pems) disabled.push('STARTTLS');
  if (!options.auth) disabled.push('AUTH');

  const envelopeOf = (session: SMTPServerSession) => ({
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
  });

  // Runs the responder for a stage; true when it answered, so the caller stops.
  const answer = async (
    session: SMTPServerSession,
    info: Omit<SmtpStageInfo, 'count' | 'sessionId' | 'secure' | 'envelope'>,
    callback: (err?: Error | null, message?: string) => void,
  ): Promise<boolean> => {
    const count = (counts.get(info.stage) ?? 0) + 1;
    counts.set(info.stage, count);
    const reply = await responder?.({
      ...info,
      count,
      sessionId: session.id,
      secure: session.secure,
      envelope: envelopeOf(session),
    });
    if (!reply) return false;

    if ('drop' in reply) {
      for (const connection of server.connections) {
        if (connection.session === session) connection._socket.destroy();
      }
      return true;
    }
    if (reply.code < 400) callback(null, reply.message);
    else callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    return true;
  };

  // Asks the responder, then runs `proceed` for the normal answer. A responder
  // that throws gets the client a 451 instead of crashing the process.
  const decide = (
    session: SMTPServerSession,
    info: Parameters<typeof answer>[1],
    callback: (err?: Error | null, message?: string) => void,
    proceed: () => void | Promise<void>,
  ): void => {
    answer(session, info, callback)
      .then((done) => (done ? undefined : proceed()))
      .catch((err: unknown) => {
        const failure = err instanceof Error ? err : new Error(String(err));
        callback(Object.assign(failure, { responseCode: 451 }));
      });
  };

  const server = new SMTPServer({
    secure: Boolean(options.secure),
    key: pems?.key,
    cert: pems?.cert,
    disabledCommands: disabled,
    authOptional: !options.auth,
    allowInsecureAuth: !options.requireStartTls,
    authMethods: ['PLAIN', 'LOGIN'],
    maxClients: options.maxConnections,
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 10_000,
    closeTimeout: 200,

    onConnect(session, callback) {
      connections += 1;
      decide(session, { stage: 'connect' }, callback, () => callback());
    },

    onAuth(auth, session, callback) {
      const username = auth.username ?? '';
      const decided = (err?: Error | null) => callback(err, err ? undefined : { user: username });
      decide(session, { stage: 'auth', username }, decided, () => {
        const expected = options.auth!;
        if (username === expected.username && auth.password === expected.password) {
          callback(null, { user: username });
        } else {
          const refusal = new Error('Authentication credentials invalid');
          callback(Object.assign(refusal, { responseCode: 535 }));
        }
      });
    },

    onMailFrom(address, session, callback) {
      if (options.requireStartTls && !session.secure) {
        const refusal = new Error('Must issue a STARTTLS command first');
        return callback(Object.assign(refusal, { responseCode: 530 }));
      }
      decide(session, { stage: 'mail', address: address.address }, callback, () => callback());
    },

    onRcptTo(address, session, callback) {
      decide(session, { stage: 'rcpt', address: address.address }, callback, () => callback());
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const buffer = Buffer.concat(chunks);
        const raw = buffer.toString('utf8');
        decide(session, { stage: 'data', raw }, callback, async () => {
          const parsed = await simpleParser(buffer);
          received.push({
            envelope: envelopeOf(session),
            raw,
            parsed,
            receivedAt: Date.now(),
            secure: session.secure,
            ...(session.user ? { username: String(session.user) } : {}),
          });
          for (const wake of waiters.splice(0)) wake();
          callback(null, `OK: queued as ${received.length}`);
        });
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client that resets its socket is not a sink failure; keep running.
  server.on('error', () => {});
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP sink has no TCP port');

  return {
    port: address.port,
    host: '127.0.0.1',
    ...(pems ? { ca: pems.cert } : {}),
    received,
    get connections() {
      return connections;
    },
    setResponder(fn) {
      responder = fn;
    },
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return false;
          clearTimeout(timer);
          resolve(received);
          return true;
        };
        const timer = setTimeout(() => {
          const index = waiters.indexOf(onArrival);
          if (index >= 0) waiters.splice(index, 1);
          reject(
            new Error(
              `SMTP sink expected ${count} message(s) within ${timeoutMs} ms ` +
                `but received ${received.length}`,
            ),
          );
        }, timeoutMs);
        const onArrival = () => {
          if (!check()) waiters.push(onArrival);
        };
        onArrival();
      });
    },
    close() {
      return new Promise((resolve) => {
        // Pooled clients keep idle connections open; end them now rather than
        // wait out the server's close grace period.
        for (const connection of server.connections) connection.close();
        server.close(() => resolve());
      });
    },
  };
}
