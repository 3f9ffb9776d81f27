/**
 * The raw limit of email work: nodemailer's pooled SMTP transport sending the
 * messages Herald sent, with the pool size Herald's SMTP profile has.
 */
import nodemailer, { type Transporter } from 'nodemailer';

import { serveRole } from '../support/child-rpc.ts';

interface RawMessage {
  from: { name: string; address: string };
  to: { name: string; address: string }[];
  subject: string;
  html?: string;
  text?: string;
  headers: Record<string, string>;
}

let transport: Transporter | undefined;

serveRole({
  open: ({ port, maxConnections }: { port: number; maxConnections: number }) => {
    transport = nodemailer.createTransport({
      pool: true,
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      maxConnections,
      logger: false,
    });
  },

  /** Sends copies of the message for `durationMs`, `concurrency` handed over at once. */
  send: async (args: { message: RawMessage; durationMs: number; concurrency: number }) => {
    const started = performance.now();
    let sent = 0;
    const worker = async () => {
      while (performance.now() - started < args.durationMs) {
        await transport!.sendMail(args.message);
        sent += 1;
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, worker));
    return { sent, elapsedMs: performance.now() - started };
  },

  stop: () => transport?.close(),
});
