/**
 * HTTPS servers on 127.0.0.1 that misbehave on purpose, for the delivery tests: a
 * raw server whose handler owns the response (to stall, cut the socket mid-body or
 * stream without end), and an OAuth 2.0 token server for the client-credentials
 * grant. Both use the shared test certificate that the harness's Herald trusts.
 *
 * Always close() them: close drops open connections, hanging requests included.
 */
import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { testCertificate } from '../helpers/tls-cert.ts';

/** One request as a raw server saw it. */
export interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** Answers one request by writing to `res` itself; it may also never answer. */
export type RawHandler = (hit: Hit, res: ServerResponse) => void | Promise<void>;

export interface RawServer {
  /** `https://127.0.0.1:PORT` followed by `path`. */
  url(path?: string): string;
  port: number;
  hits: Hit[];
  setHandler(fn: RawHandler): void;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Hit[]>;
  close(): Promise<void>;
}

const answerOk: RawHandler = (_hit, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
};

/** Starts a raw server; `pems` replaces the shared test certificate (a thread has its own). */
export async function startRawServer(
  handler: RawHandler = answerOk,
  pems?: { key: string; cert: string },
): Promise<RawServer> {
  const { key, cert } = pems ?? (await testCertificate());
  const hits: Hit[] = [];
  const waiters = new Set<() => void>();
  let handle = handler;

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const hit: Hit = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: Date.now(),
    };
    hits.push(hit);
    for (const wake of waiters) wake();
    await handle(hit, res);
  };

  const server = createServer({ key, cert, keepAlive: true }, (req, res) => {
    // A client that hangs up (timeouts, cut bodies) is what these tests provoke.
    onRequest(req, res).catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: (path = '/hooks') => `https://127.0.0.1:${port}${path}`,
    port,
    hits,
    setHandler(fn) {
      handle = fn;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (hits.length < count) return;
          done();
          resolve(hits.slice(0, count));
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`server got ${hits.length} request(s) in ${timeoutMs} ms, not ${count}`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface TokenServerOptions {
  clientId: string;
  clientSecret: string;
  /** The `expires_in` of every token, in seconds. */
  expiresIn: number;
}

export interface TokenServer {
  /** The token endpoint's URL. */
  url: string;
  port: number;
  /** Every token request, well-formed or not. */
  hits: Hit[];
  /** The tokens issued, oldest first. */
  issued: string[];
  /** True for a token this server issued that has neither expired nor been revoked. */
  accepts(token: string): boolean;
  /** Makes a token invalid before its time, as a receiver's key rotation would. */
  revoke(token: string): void;
  close(): Promise<void>;
}

/**
 * A token endpoint for the client-credentials grant (RFC 6749, section 4.4): it
 * wants a form-encoded POST with grant_type=client_credentials and the client's
 * id and secret in HTTP Basic, each form-encoded first (section 2.3.1).
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const issued: string[] = [];
  const expiry = new Map<string, number>();

  const refuse = (res: ServerResponse, status: number, error: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error }));
  };

  const server = await startRawServer((hit, res) => {
    const form = new URLSearchParams(hit.body);
    const [scheme, encoded] = String(hit.headers.authorization ?? '').split(' ');
    const [id, secret] = Buffer.from(encoded ?? '', 'base64')
      .toString('utf8')
      .split(':')
      .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    if (hit.method !== 'POST') return refuse(res, 405, 'invalid_request');
    if (!String(hit.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
      return refuse(res, 400, 'invalid_request');
    if (scheme !== 'Basic' || id !== options.clientId || secret !== options.clientSecret)
      return refuse(res, 401, 'invalid_client');
    if (form.get('grant_type') !== 'client_credentials')
      return refuse(res, 400, 'unsupported_grant_type');

    const token = `tok-${issued.length + 1}-${randomBytes(8).toString('hex')}`;
    issued.push(token);
    expiry.set(token, Date.now() + options.expiresIn * 1000);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(
      JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: options.expiresIn }),
    );
  });

  return {
    url: server.url('/oauth/token'),
    port: server.port,
    hits: server.hits,
    issued,
    accepts: (token) => (expiry.get(token) ?? 0) > Date.now(),
    revoke: (token) => void expiry.delete(token),
    close: () => server.close(),
  };
}
