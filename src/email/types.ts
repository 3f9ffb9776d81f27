/**
 * The shapes the email side passes around: who a message goes to, what it says,
 * and through which SMTP profile it leaves. Kept apart from the modules that use
 * them so recipients, composing and sending can share them without importing
 * each other.
 */

/** How a profile's connection is protected; see smtp-settings.ts for the usual ports. */
export type SmtpTlsMode = 'none' | 'starttls' | 'implicit';

/** One mailbox. `name` is the display name, unencoded; nodemailer encodes it on the wire. */
export interface Address {
  name?: string;
  address: string;
}

/**
 * A message ready to send. Every value is plain text: display names, the subject
 * and header values are encoded by the transport, so never pre-encode them or
 * build "Name <addr>" strings by hand.
 */
export interface OutgoingEmail {
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  html?: string;
  text?: string;
  /** Extra headers. Names that shape the message (From, To, Subject, ...) are refused. */
  headers?: Record<string, string>;
  /** A Message-ID of our own, with or without angle brackets; one is generated when unset. */
  messageId?: string;
}

/** An owner's SMTP settings as the sender needs them, password already decrypted. */
export interface SmtpProfile {
  id: string;
  /** Changes whenever the stored profile changes, so a stale pooled transport is replaced. */
  version: string;
  host: string;
  port: number;
  tls: SmtpTlsMode;
  username?: string;
  password?: string;
  fromName?: string;
  fromAddress: string;
  /** Addresses that get a blind copy of every message sent through this profile. */
  bcc: string[];
  /** Connections the pool may open to the server at once; servers often cap this. */
  maxConnections?: number;
}

/** What the receiving server said about an accepted message. */
export interface SmtpSendResult {
  /** The Message-ID header that was sent, with angle brackets. */
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while still taking the message for the others. */
  rejected: string[];
  /** The server's final reply, e.g. "250 OK: queued as 1234". */
  response: string;
  /** The server's reply to each refused recipient, in the order of `rejected`. */
  rejectedReplies: string[];
}
