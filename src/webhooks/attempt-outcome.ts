/**
 * How one webhook attempt's result becomes a DeliveryError: which answers are worth
 * a retry (transient) and which are final, with a stable code and a message that
 * tells the endpoint's owner what happened and what to do.
 *
 * Transient: 408, 425, 429, 5xx, network errors, timeouts. Final: 3xx (redirects are
 * never followed), 410 (the receiver says it is gone for good), other 4xx, and an
 * address refused by the SSRF policy.
 */
import { STATUS_CODES } from 'node:http';

import { DeliveryError } from '../errors.ts';

const TRANSIENT_STATUSES = new Set([408, 425, 429]);
const RETRY_AFTER_STATUSES = new Set([429, 503]);
const MAX_QUOTED_LOCATION = 300;

/** What a status code means for the delivery. */
export interface StatusOutcome {
  ok: boolean;
  /** Set when the attempt failed. */
  error?: DeliveryError;
  /** True for 410: the receiver asks never to be called again. */
  gone?: boolean;
}

type HeaderValue = string | string[] | undefined;

function firstValue(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Seconds to wait from a Retry-After value: delay-seconds or an HTTP date
 * (RFC 9110, section 10.2.3). A date in the past means 0; garbage means undefined.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  // Date.parse reads odd things ("-5" is the year 5 BC); an HTTP date names its month.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;

  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function statusText(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `${status} ${reason}` : String(status);
}

/** Classifies a received HTTP answer by its status (and Location / Retry-After). */
export function classifyStatus(
  status: number,
  headers: Record<string, HeaderValue>,
  now = Date.now(),
): StatusOutcome {
  if (status >= 200 && status < 300) return { ok: true };

  const code = `http_${status}`;
  const context = { stage: 'response', httpStatus: status };

  if (status >= 300 && status < 400) {
    const location = firstValue(headers.location);
    const target = location
      ? `a redirect to ${location.slice(0, MAX_QUOTED_LOCATION)}`
      : 'a redirect without a Location header';
    return {
      ok: false,
      error: new DeliveryError(
        'redirect_not_followed',
        `receiver answered ${statusText(status)} with ${target}; Herald does not follow ` +
          `redirects, so set the endpoint url to the final address`,
        false,
        context,
      ),
    };
  }

  if (status === 410) {
    return {
      ok: false,
      gone: true,
      error: new DeliveryError(
        code,
        `receiver answered ${statusText(status)}: it asks not to be called again; fix the ` +
          `endpoint url or disable the endpoint`,
        false,
        context,
      ),
    };
  }

  if (TRANSIENT_STATUSES.has(status) || (status >= 500 && status < 600)) {
    const retryAfterSeconds = RETRY_AFTER_STATUSES.has(status)
      ? parseRetryAfter(firstValue(headers['retry-after']), now)
      : undefined;
    const wait = retryAfterSeconds === undefined ? '' : ` (Retry-After ${retryAfterSeconds} s)`;
    return {
      ok: false,
      error: new DeliveryError(
        code,
        `receiver answered ${statusText(status)}${wait}; Herald will retry`,
        true,
        retryAfterSeconds === undefined ? context : { ...context, retryAfterSeconds },
      ),
    };
  }

  return {
    ok: false,
    error: new DeliveryError(
      code,
      `receiver answered ${statusText(status)}; Herald does not retry this, check the ` +
        `endpoint's url and authentication`,
      false,
      context,
    ),
  };
}

// Node and OpenSSL codes that mean the TLS handshake or certificate check failed.
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
]);

interface NetworkKind {
  code: string;
  stage: string;
  message: string;
}

function networkKind(errCode: string | undefined, host: string): NetworkKind | undefined {
  switch (errCode) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return { code: 'dns_failed', stage: 'dns', message: `could not resolve ${host}` };
    case 'ECONNREFUSED':
      return {
        code: 'connection_refused',
        stage: 'connect',
        message: `${host} refused the connection`,
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return { code: 'unreachable', stage: 'connect', message: `could not reach ${host}` };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: 'timeout', stage: 'connect', message: `connecting to ${host} timed out` };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { code: 'timeout', stage: 'response', message: `${host} sent no answer in time` };
    case 'UND_ERR_BODY_TIMEOUT':
      return {
        code: 'timeout',
        stage: 'response',
        message: `${host} stalled while sending its answer`,
      };
    case 'ECONNRESET':
    case 'EPIPE':
      return {
        code: 'connection_reset',
        stage: 'request',
        message: `${host} reset the connection`,
      };
    case 'UND_ERR_SOCKET':
      return {
        code: 'connection_closed',
        stage: 'request',
        message: `${host} closed the connection early`,
      };
  }
  if (errCode && (TLS_CODES.has(errCode) || errCode.startsWith('ERR_SSL_'))) {
    return {
      code: 'tls_failed',
      stage: 'tls',
      message:
        `TLS with ${host} failed; ` +
        'the receiver needs a certificate valid for its name from a public CA',
    };
  }
  return undefined;
}

// undici sometimes wraps the socket's error; the useful code may be one level down.
function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && code !== 'UND_ERR_ABORTED') return code;
  }
  return undefined;
}

/**
 * Turns a thrown network error into a DeliveryError. `host` names the receiver in
 * the message; `stage` is where the attempt was when no better stage is known.
 * A DeliveryError (the connect-time address refusal) passes through unchanged.
 */
export function classifyNetworkError(err: unknown, host: string, stage: string): DeliveryError {
  if (err instanceof DeliveryError) return err;

  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const kind = networkKind(code, host);
  if (kind) {
    const at = kind.stage === 'request' && stage === 'response' ? 'response' : kind.stage;
    return new DeliveryError(
      kind.code,
      `${kind.message} (${detail})`,
      true,
      { stage: at },
      {
        cause: err,
      },
    );
  }

  if (code === 'UND_ERR_INVALID_ARG') {
    return new DeliveryError(
      'invalid_request',
      `the request to ${host} could not be built (${detail}); check the endpoint's custom headers`,
      false,
      { stage: 'request' },
      { cause: err },
    );
  }
  return new DeliveryError(
    'network_error',
    `calling ${host} failed (${code ?? 'no error code'}: ${detail})`,
    true,
    { stage },
    { cause: err },
  );
}

/** The error for an attempt that ran out of its total time budget. */
export function timeoutError(host: string, timeoutMs: number, stage: string): DeliveryError {
  return new DeliveryError(
    'timeout',
    `${host} did not finish answering within ${timeoutMs} ms; Herald will retry`,
    true,
    { stage },
  );
}
