/**
 * A real HTTPS webhook receiver for the demo and the tests: a node:https server on
 * 127.0.0.1 with a random port and the shared self-signed certificate, keep-alive on.
 *
 * It records every request it gets (headers, raw body, parsed JSON) and verifies
 * the Standard Webhooks signature with the `standardwebhooks` library when a secret
 * is set, so Herald is checked against an independent implementation.
 *
 * ```ts
 * const receiver = await startReceiver({ secret });
 * // ...point an endpoint at receiver.url, trust receiver.ca...
 * const [hook] = await receiver.waitFor(1);
 * assert.equal(hook.verified, true);
 * await receiver.close();
 * ```
 *
 * Pitfalls: the signature check uses the library's 5-minute timestamp tolerance, so
 * a test that fakes old timestamps sees `verified: false`. A responder that never
 * settles leaves the request hanging until `close()`, which drops every connection.
 */
import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { webhookCertificate } from './self-signed.ts';

/** One request as the receiver saw it. */
export interface ReceivedWebhook {
  /** The `webhook-id` header ('' when absent). */
  id: string;
  /** The `webhook-timestamp` header ('' when absent). */
  timestamp: string;
  /** The `webhook-signature` header ('' when absent). */
  signature: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received, decoded as UTF-8. */
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  /** True when a secret is set and the signature verified against it. */
  verified: boolean;
  /** Why verification failed, or that no secret was set. */
  verifyError?: string;
  /** Date.now() when the whole body had arrived. */
  receivedAt: number;
  /** The request path with its query string, e.g. `/hooks?x=1`. */
  path: string;
}

/** What the receiver answers; `body` defaults to empty. */
export interface ReceiverResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** Decides the answer to one request; it may be async, or never settle to hang. */
export type Responder = (req: ReceivedWebhook) => ReceiverResponse | Promise<ReceiverResponse>;

export interface ReceiverOptions {
  /** The `whsec_` secret to verify signatures with. */
  secret?: string;
  /** Defaults to answering 200 with body `ok`. */
  respond?: Responder;
}

export interface Receiver {
  /** Where to send webhooks, e.g. `https://127.0.0.1:PORT/hooks`. */
  url: string;
  /** The certificate PEM a client must trust to call `url`. */
  ca: string;
  /** Every request so far, in arrival order (the live array). */
  received: ReceivedWebhook[];
  /** Verify later requests with this secret (earlier records are not re-checked). */
  setSecret(secret: string): void;
  /** Answer later requests with this responder. */
  setResponder(fn: Responder): void;
  /** Resolves with the first `count` requests once that many have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Stops the server and drops open connections, hanging requests included. */
  close(): Promise<void>;
}

const defaultResponder: Responder = () => ({ status: 200, body: 'ok' });

/** Starts a receiver; always `close()` it so the process can exit. */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const { key, cert } = await webhookCertificate();
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  let secret = options.secret;
  let respond = options.respond ?? defaultResponder;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);

    const record = recordOf(req, Buffer.concat(chunks).toString('utf8'), secret);
    received.push(record);
    for (const wake of waiters) wake();

    const answer = await respond(record);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body ?? '');
  };

  const server = createServer({ key, cert, keepAlive: true }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A client that hangs up mid-request is normal in the tests (timeouts,
      // truncated bodies); anything else becomes a 500 the sender can see.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500).end(`receiver failed: ${String(err)}`);
      }
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const waitFor = (count: number, timeoutMs = 5000) =>
    new Promise<ReceivedWebhook[]>((resolve, reject) => {
      const check = () => {
        if (received.length < count) return;
        cleanup();
        resolve(received.slice(0, count));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `receiver got ${received.length} request(s) in ${timeoutMs} ms, expected ${count}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const close = async () => {
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  };

  return {
    url: `https://127.0.0.1:${port}/hooks`,
    ca: cert,
    received,
    setSecret: (s) => {
      secret = s;
    },
    setResponder: (fn) => {
      respond = fn;
    },
    waitFor,
    close,
  };
}

function recordOf(req: IncomingMessage, rawBody: string, secret: string | undefined) {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  const record: ReceivedWebhook = {
    id: header('webhook-id'),
    timestamp: header('webhook-timestamp'),
    signature: header('webhook-signature'),
    headers: req.headers,
    rawBody,
    body: parseJson(rawBody),
    verified: false,
    receivedAt: Date.now(),
    path: req.url ?? '',
  };

  if (!secret) {
    record.verifyError = 'no secret set on the receiver; call setSecret() to verify';
    return record;
  }
  try {
    new Webhook(secret).verify(rawBody, {
      'webhook-id': record.id,
      'webhook-timestamp': record.timestamp,
      'webhook-signature': record.signature,
    });
    record.verified = true;
  } catch (err) {
    record.verifyError = err instanceof Error ? err.message : String(err);
  }
  return record;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
