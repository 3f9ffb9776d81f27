/**
 * One pooled nodemailer transport per SMTP profile, so a burst of emails through
 * one owner's server reuses a few connections instead of opening one per message.
 *
 * A transport is keyed by profile id and remembers the profile version it was
 * built from. When a profile changes (new host, password, TLS mode...) the next
 * send builds a fresh transport and retires the old one: messages already handed
 * to it still go out through it, and it closes once the last of them is done.
 */
import { rootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import type { Mail, SMTPPoolOptions, SMTPPoolSentMessageInfo, SendMailOptions } from 'nodemailer';
import { DeliveryError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { smtpDeliveryError } from './smtp-errors.ts';
import type { Address, OutgoingEmail, SmtpProfile, SmtpSendResult } from './types.ts';

export type { Address, OutgoingEmail, SmtpProfile, SmtpSendResult, SmtpTlsMode } from './types.ts';

export interface SmtpTransportsOptions {
  logger?: Logger;
  /**
   * Extra CA certificates (PEM) to trust beside Node's own roots, for SMTP servers
   * with a private or self-signed certificate, as in tests.
   */
  ca?: string | Buffer;
  /** Bound on connecting and on the server's greeting; 30 seconds when unset. */
  connectionTimeoutMs?: number;
  /** Connections kept open per profile; 3 when unset. */
  maxConnections?: number;
}

type Pool = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

interface PoolEntry {
  version: string;
  pool: Pool;
  /** Sends handed to this pool and not yet settled. */
  inFlight: number;
  /** Replaced or forgotten: close as soon as inFlight reaches 0. */
  retired: boolean;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONNECTIONS = 3;
// A server silent this long in the middle of a session is treated as gone.
const SOCKET_TIMEOUT_MS = 60_000;
// Idle pooled connections are closed well before the 5 minutes RFC 5321 lets a
// server wait, so we rarely pick up a connection the server is about to drop.
const IDLE_TIMEOUT_MS = 30_000;

// Headers the message fields own; letting a template set them would let it
// rewrite the sender or the recipients behind the resolved lists.
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'return-path',
]);
const HEADER_NAME = /^[!-9;-~]+$/;

/**
 * Sends email through owners' SMTP servers. Call close() on shutdown: pooled
 * connections otherwise keep the process alive until their idle timeout.
 */
export class SmtpTransports {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly sending = new Set<Promise<unknown>>();
  private readonly ca?: Array<string | Buffer>;

  constructor(private readonly options: SmtpTransportsOptions = {}) {
    if (options.ca) this.ca = [...rootCertificates, options.ca];
  }

  /**
   * Sends one message through the profile's server. The profile's Bcc addresses
   * are added to the message's Bcc. Resolves once the server accepted the message
   * for at least one recipient; throws a DeliveryError otherwise.
   */
  async send(profile: SmtpProfile, message: OutgoingEmail): Promise<SmtpSendResult> {
    const mail = compose(profile, message);
    const entry = this.entryFor(profile);
    const log = this.options.logger?.child({ smtpProfileId: profile.id });
    const started = Date.now();

    let info: SMTPPoolSentMessageInfo;
    const sending = entry.pool.sendMail(mail);
    entry.inFlight += 1;
    this.sending.add(sending);
    try {
      info = await sending;
    } catch (err) {
      const failure = smtpDeliveryError(err, profile);
      const details = {
        host: profile.host,
        port: profile.port,
        code: failure.code,
        transient: failure.transient,
        ...failure.context,
        ms: Date.now() - started,
      };
      if (failure.transient) log?.warn(details, `email not sent, will retry: ${failure.message}`);
      else log?.error(details, `email not sent: ${failure.message}`);
      throw failure;
    } finally {
      this.sending.delete(sending);
      entry.inFlight -= 1;
      if (entry.retired && entry.inFlight === 0) entry.pool.close();
    }

    const result: SmtpSendResult = {
      messageId: info.messageId,
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      rejectedReplies: (info.rejectedErrors ?? []).map((e) => String(e.response ?? e.message)),
      response: info.response,
    };
    log?.debug(
      { messageId: result.messageId, rejected: result.rejected, ms: Date.now() - started },
      `email accepted by ${profile.host}:${profile.port}`,
    );
    return result;
  }

  /** Retires the transport of a deleted profile; a later send would open a new one. */
  forget(profileId: string): void {
    const entry = this.pools.get(profileId);
    if (!entry) return;
    this.pools.delete(profileId);
    retire(entry);
  }

  /**
   * Closes every pool, and resolves once the sends already under way have
   * settled (each is bounded by the connection and socket timeouts). A send
   * after close() opens a new pool.
   */
  async close(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    for (const entry of entries) retire(entry);
    await Promise.allSettled([...this.sending]);
  }

  private entryFor(profile: SmtpProfile): PoolEntry {
    const existing = this.pools.get(profile.id);
    if (existing?.version === profile.version) return existing;
    if (existing) retire(existing);

    const pool = nodemailer.createTransport(this.poolOptions(profile));
    const entry: PoolEntry = { version: profile.version, pool, inFlight: 0, retired: false };
    this.pools.set(profile.id, entry);
    this.options.logger?.debug(
      {
        smtpProfileId: profile.id,
        version: profile.version,
        host: profile.host,
        port: profile.port,
        tls: profile.tls,
        username: profile.username,
        replaced: Boolean(existing),
      },
      `opened SMTP pool for ${profile.host}:${profile.port}`,
    );
    return entry;
  }

  private poolOptions(profile: SmtpProfile): SMTPPoolOptions & { pool: true } {
    const timeout = this.options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    return {
      pool: true,
      host: profile.host,
      port: profile.port,
      secure: profile.tls === 'implicit',
      requireTLS: profile.tls === 'starttls',
      ignoreTLS: profile.tls === 'none',
      tls: this.ca ? { ca: this.ca } : undefined,
      auth: profile.username ? { user: profile.username, pass: profile.password ?? '' } : undefined,
      maxConnections:
        profile.maxConnections ?? this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      // One requeue covers a pooled connection the server closed just as we took
      // it; beyond that the delivery queue owns retries, with backoff and a log.
      maxRequeues: 1,
      idleTimeout: IDLE_TIMEOUT_MS,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: Math.max(timeout, SOCKET_TIMEOUT_MS),
      // No nodemailer logger: its debug output includes the AUTH exchange.
      logger: false,
      // Message parts are plain strings; refuse anything that would read a file or URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    };
  }
}

/** Closes a pool now if it is idle, or else when its last send settles. */
function retire(entry: PoolEntry): void {
  entry.retired = true;
  if (entry.inFlight === 0) entry.pool.close();
}

/** Builds nodemailer's message object; addresses stay objects so names get encoded. */
function compose(profile: SmtpProfile, message: OutgoingEmail): SendMailOptions {
  const seen = new Set(
    [...message.to, ...message.cc, ...message.bcc].map((a) => a.address.toLowerCase()),
  );
  const profileBcc = profile.bcc.filter((address) => !seen.has(address.toLowerCase()));
  const recipients = message.to.length + message.cc.length + message.bcc.length;
  if (recipients === 0) {
    throw new DeliveryError(
      'email_no_recipients',
      `the email "${message.subject}" has no To, Cc or Bcc recipients; ` +
        `add recipients to the template or contacts to the account`,
      false,
    );
  }

  const mail: SendMailOptions = {
    from: mailbox(message.from),
    to: message.to.map(mailbox),
    cc: message.cc.map(mailbox),
    bcc: [...message.bcc.map(mailbox), ...profileBcc.map((address) => ({ name: '', address }))],
    subject: message.subject,
    headers: checkHeaders(message.headers),
  };
  if (message.html !== undefined) mail.html = message.html;
  if (message.text !== undefined) mail.text = message.text;
  if (message.messageId) mail.messageId = message.messageId;
  return mail;
}

function mailbox(address: Address): { name: string; address: string } {
  return { name: address.name ?? '', address: address.address };
}

function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  for (const name of Object.keys(headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new DeliveryError(
        'email_invalid_header',
        `header ${JSON.stringify(name)} cannot be set on an email: header names are printable ` +
          `ASCII without ":" or spaces, and From, To, Cc, Bcc, Subject and the MIME headers ` +
          `come from the message's own fields`,
        false,
      );
    }
  }
  return { ...headers };
}
