/**
 * Translates what nodemailer throws into a DeliveryError: a stable code, whether
 * a retry can help, and the SMTP stage and reply for the delivery log.
 *
 * Retry rules (RFC 5321 section 4.2.1): a 4xx reply is a transient refusal, a 5xx
 * reply a permanent one, except 503 "bad sequence of commands", which says the
 * session was in the wrong state rather than that the message was refused, so a
 * fresh connection can succeed. A lost connection or a timeout says nothing about
 * the message and is always worth another attempt.
 */
import { DeliveryError, type DeliveryErrorContext } from '../errors.ts';

export type SmtpStage = 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';

/** The parts of a nodemailer error this module reads. */
interface NodemailerFailure {
  message?: string;
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  timeoutType?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'EMAXLIMIT', 'EPROXY']);

// How Node and OpenSSL name certificate and handshake failures. A socket error
// carrying one is a TLS problem that needs a person, not a network blip; a reset
// in the middle of a handshake is left to the connection rule.
const TLS_FAILURE_CODE = /CERT|SSL|SIGNATURE|ALTNAME/i;
const TLS_FAILURE_TEXT = /certificate|wrong version number|handshake failure|self[- ]signed/i;

/**
 * Builds the DeliveryError for one failed send. `target` names the server in the
 * message ("smtp.example.com:587"); `username` is quoted in a login failure so the
 * owner sees which account was refused. The password is never part of it.
 */
export function smtpDeliveryError(
  err: unknown,
  target: { host: string; port: number; username?: string },
): DeliveryError {
  const failure = (typeof err === 'object' && err !== null ? err : {}) as NodemailerFailure;
  const server = `${target.host}:${target.port}`;
  const stage = stageOf(failure.command);
  const response = failure.response?.trim() || undefined;
  const context: DeliveryErrorContext = { stage };
  if (failure.responseCode) context.smtpCode = failure.responseCode;
  if (response) context.smtpResponse = response;
  const build = (code: string, message: string, transient: boolean, at = context) =>
    new DeliveryError(code, message, transient, at, { cause: err });

  if (failure.code === 'EAUTH' || failure.code === 'ENOAUTH') {
    const who = target.username ? ` for user ${JSON.stringify(target.username)}` : '';
    const reply = response ? `: ${response}` : '';
    // 454 is "temporary authentication failure" (RFC 4954): the server, not the
    // credentials, is at fault for now.
    const transient = isTransientReply(failure.responseCode);
    return build(
      'smtp_auth_failed',
      `SMTP server ${server} refused the login${who}${reply}; ` +
        `check the SMTP profile's username and password`,
      transient,
      { ...context, stage: 'auth' },
    );
  }

  const detail = describe(failure.message ?? String(err));
  if (
    failure.code === 'ETLS' ||
    failure.command === 'STARTTLS' ||
    TLS_FAILURE_CODE.test(failure.originalCode ?? '') ||
    (failure.code === 'ESOCKET' && TLS_FAILURE_TEXT.test(detail))
  ) {
    // 454 to STARTTLS is "TLS not available due to temporary reason" (RFC 3207).
    return build(
      'smtp_tls_failed',
      `TLS with SMTP server ${server} failed: ${response ?? detail}; ` +
        `check the profile's tls mode (port 465 is "implicit", 587 and 25 are "starttls") ` +
        `and the server's certificate`,
      isTransientReply(failure.responseCode),
      { ...context, stage: 'connect' },
    );
  }

  if (failure.responseCode && failure.responseCode >= 400) {
    const transient = isTransientReply(failure.responseCode);
    const at = commandName(stage);
    const reply = response ?? String(failure.responseCode);
    return transient
      ? build(
          'smtp_deferred',
          `SMTP server ${server} deferred the message at ${at} with "${reply}"; ` +
            `it will be tried again`,
          true,
        )
      : build(
          'smtp_rejected',
          `SMTP server ${server} rejected the message at ${at} with "${reply}"; ` +
            `it will refuse it again, so check the recipients, the sender address and ` +
            `the server's limits before resending`,
          false,
        );
  }

  if (failure.code === 'ETIMEDOUT') {
    // A client speaking plain SMTP to an implicit-TLS port waits for a greeting
    // the server never sends, since the server waits for a TLS hello.
    const hint =
      failure.timeoutType === 'GREETING_TIMEOUT'
        ? `; if the server expects TLS from the start (port 465), ` +
          `set the profile's tls to "implicit"`
        : '';
    return build(
      'smtp_timeout',
      `SMTP server ${server} did not answer in time (${detail}); it will be tried again${hint}`,
      true,
    );
  }

  if (CONNECTION_CODES.has(failure.code ?? '')) {
    return build(
      'smtp_connection_failed',
      `could not talk to SMTP server ${server}: ${detail}; it will be tried again, ` +
        `and if this persists check the profile's host and port (a server on port 465 ` +
        `that hangs up at once usually wants tls "implicit")`,
      true,
    );
  }

  if (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE') {
    return build(
      'smtp_invalid_message',
      `the message could not be sent through ${server}: ${detail}`,
      false,
    );
  }

  // nodemailer fails messages still waiting in a pool when the pool is closed; it
  // gives them no code, only this message. The pool closes when its profile
  // changes or Herald shuts down, and both deserve a retry.
  if (!failure.code && detail === 'Connection pool was closed') {
    return build(
      'smtp_pool_closed',
      `the message was waiting for a connection to ${server} when the SMTP profile changed ` +
        `or Herald stopped; it will be tried again`,
      true,
    );
  }

  // Anything else is unexpected; a retry is cheap and the cause is kept for the log.
  return build('smtp_error', `sending through SMTP server ${server} failed: ${detail}`, true);
}

/** One line, and OpenSSL's "wrong version number" said in words an owner can act on. */
function describe(message: string): string {
  if (/wrong version number/i.test(message)) {
    return 'the server did not answer with TLS (wrong version number)';
  }
  return message.replace(/\s+/g, ' ').trim();
}

function isTransientReply(code: number | undefined): boolean {
  if (code === undefined) return false;
  return (code >= 400 && code < 500) || code === 503;
}

function stageOf(command: string | undefined): SmtpStage {
  const name = (command ?? '').toUpperCase();
  if (name.startsWith('AUTH')) return 'auth';
  if (name.startsWith('MAIL')) return 'mail';
  if (name.startsWith('RCPT')) return 'rcpt';
  if (name.startsWith('DATA')) return 'data';
  // The greeting, EHLO, STARTTLS, RSET and a connection lost mid-session.
  return 'connect';
}

function commandName(stage: SmtpStage): string {
  return { connect: 'connect', auth: 'AUTH', mail: 'MAIL FROM', rcpt: 'RCPT TO', data: 'DATA' }[
    stage
  ];
}
