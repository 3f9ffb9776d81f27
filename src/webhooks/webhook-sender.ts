/**
 * Makes one webhook HTTP call and reports how it went.
 *
 * One WebhookSender holds one keep-alive undici Agent for the whole process, so calls
 * to the same receiver reuse connections. It is safe by default: the connector
 * refuses private and loopback addresses at connect time, redirects are never
 * followed, the answer is read only up to `responseBodyLimit` bytes, and every call
 * has a connect timeout and a total timeout.
 *
 * `send` never throws for a failed call; it returns a WebhookAttempt whose `error`
 * says whether a retry is worth it. Header values are never logged: they may carry
 * an endpoint's Basic or bearer credentials.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

import { Agent } from 'undici';

import { DeliveryError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { classifyNetworkError, classifyStatus, timeoutError } from './attempt-outcome.ts';
import { guardedConnector } from './guarded-connector.ts';

export interface WebhookSenderOptions {
  /** The development switch: allow loopback and private receivers. Off in production. */
  allowPrivateTargets: boolean;
  /** Total time for one call, from connecting to the end of the answer's body. */
  timeoutMs: number;
  /** Time to open the TCP and TLS connection; undici checks it about twice a second. */
  connectTimeoutMs: number;
  /** Bytes of the answer's body kept for the delivery log; the rest is discarded. */
  responseBodyLimit: number;
  /** A CA to trust in addition to the system's, for receivers with private certs. */
  ca?: string | Buffer;
  logger?: Logger;
}

export interface WebhookRequest {
  /** An https:// URL that already passed checkEndpointUrl. */
  url: string;
  /** The exact JSON text that was signed. */
  body: string;
  /** Signature, authentication and custom headers; content-type defaults to JSON. */
  headers: Record<string, string>;
}

/** The outcome of one call. */
export interface WebhookAttempt {
  ok: boolean;
  /** The HTTP status, when the receiver answered at all. */
  status?: number;
  durationMs: number;
  /** The start of the answer's body (at most responseBodyLimit bytes, UTF-8). */
  responseBody?: string;
  error?: DeliveryError;
  /** True when the receiver answered 410 Gone. */
  gone?: boolean;
}

// Enough parallel calls to one receiver for unordered delivery, few enough that a
// single slow receiver cannot hold every socket of the process.
const CONNECTIONS_PER_ORIGIN = 64;
const USER_AGENT = 'Herald-Webhooks/1';

/** Sends webhooks over one shared connection pool; call close() on shutdown. */
export class WebhookSender {
  readonly #agent: Agent;
  readonly #options: WebhookSenderOptions;

  constructor(options: WebhookSenderOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connections: CONNECTIONS_PER_ORIGIN,
      pipelining: 1,
      connect: guardedConnector(options),
    });
    if (options.allowPrivateTargets) {
      options.logger?.warn(
        { allowPrivateTargets: true },
        'webhooks may call loopback and private addresses: a development setting, never for ' +
          'production',
      );
    }
  }

  /** Makes one POST; resolves with the attempt's outcome, never rejects. */
  async send(request: WebhookRequest): Promise<WebhookAttempt> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let target: URL;
    try {
      target = new URL(request.url);
    } catch {
      // The log gets no part of the URL: a path may carry a receiver's token.
      const error = badUrl(request.url);
      return this.#finish('(unparsable url)', elapsed(), { ok: false, error });
    }
    if (target.protocol !== 'https:') {
      return this.#finish(target.host, elapsed(), { ok: false, error: badUrl(request.url) });
    }

    const { timeoutMs } = this.#options;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let stage = 'request';
    let status: number | undefined;

    try {
      const response = await this.#agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: withDefaults(request.headers),
        body: request.body,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      stage = 'response';
      status = response.statusCode;

      const responseBody = await readPrefix(response.body, this.#options.responseBodyLimit);
      const outcome = classifyStatus(response.statusCode, response.headers);
      return this.#finish(target.host, elapsed(), {
        ...outcome,
        status: response.statusCode,
        responseBody,
      });
    } catch (err) {
      const error = controller.signal.aborted
        ? timeoutError(target.host, timeoutMs, stage)
        : classifyNetworkError(err, target.host, stage);
      // A timeout while reading the body still records the status that arrived.
      return this.#finish(target.host, elapsed(), { ok: false, status, error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the pool, letting calls in flight finish. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #finish(
    host: string,
    durationMs: number,
    result: Omit<WebhookAttempt, 'durationMs'>,
  ): WebhookAttempt {
    const attempt: WebhookAttempt = { ...result, durationMs };
    this.#options.logger?.debug(
      { host, status: attempt.status, ms: durationMs, code: attempt.error?.code },
      attempt.ok ? 'webhook call succeeded' : 'webhook call failed',
    );
    return attempt;
  }
}

function badUrl(url: string): DeliveryError {
  return new DeliveryError(
    'invalid_url',
    `webhook url must be an absolute https:// URL (got ${url.slice(0, 200)}); fix the ` +
      `endpoint's url`,
    false,
    { stage: 'request' },
  );
}

function withDefaults(headers: Record<string, string>): Record<string, string> {
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const result: Record<string, string> = {};
  if (!names.has('content-type')) result['content-type'] = 'application/json';
  if (!names.has('user-agent')) result['user-agent'] = USER_AGENT;
  return { ...result, ...headers };
}

/**
 * Reads at most `limit` bytes of a body, then destroys the stream so a huge or
 * endless answer is never buffered (the connection is dropped, not reused).
 * A multi-byte character cut at the limit is left out rather than mangled.
 */
async function readPrefix(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;

  if (limit > 0) {
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      const room = limit - size;
      chunks.push(bytes.length > room ? bytes.subarray(0, room) : bytes);
      size += Math.min(bytes.length, room);
      if (size >= limit) break;
    }
  }
  if (!body.readableEnded) body.destroy();

  return new StringDecoder('utf8').write(Buffer.concat(chunks));
}
