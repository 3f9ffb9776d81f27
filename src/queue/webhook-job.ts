import type { SecretBox } from '../crypto/secret-box.ts';
import { renderTemplate, webhookData } from '../templates/index.ts';
import type { EndpointHealth } from '../webhooks/endpoint-health.ts';
import type { OAuthTokens } from '../webhooks/oauth-tokens.ts';
import type { WebhookAttempt, WebhookSender } from '../webhooks/webhook-sender.ts';
import { signatureHeader } from '../webhooks/signing.ts';
import type { EndpointDoc } from '../store/records.ts';
import type { DeliveryRecord, EventRecord, Store } from '../store/store.ts';
import type { Job, JobResult } from './job.ts';
import { loadEventContext } from './event-context.ts';
import type { TargetGate } from './target-gate.ts';

export interface WebhookJobDeps {
  store: Store;
  secrets: SecretBox;
  sender: WebhookSender;
  oauth: OAuthTokens;
  health: EndpointHealth;
  gate: TargetGate;
  /** Calls in flight at once to one unordered endpoint. */
  endpointConcurrency: number;
  now?: () => number;
}

// A delivery to a disabled endpoint waits this long before it looks again;
// re-enabling the endpoint makes its deliveries due at once anyway.
const PAUSED_RETRY_MS = 3600_000;
// Waiting longer than this for an endpoint's rate limit gives the worker slot back.
const MAX_GATE_WAIT_MS = 250;

/**
 * One webhook attempt: render the body from the event, sign exactly the bytes that
 * are sent, POST, and classify the answer. The body holds no per-attempt value, so
 * retries carry the same bytes; only webhook-timestamp and the signature change.
 */
export function webhookJob(deps: WebhookJobDeps): Job {
  const now = deps.now ?? Date.now;
  return async (delivery: DeliveryRecord): Promise<JobResult> => {
    const stored = await deps.store.getRecord<EndpointDoc>(
      delivery.ownerId,
      'endpoint',
      delivery.targetId,
    );
    if (!stored) return { kind: 'cancelled', reason: 'the endpoint was deleted' };
    const endpoint = stored.doc;
    if (!endpoint.enabled) {
      return { kind: 'skipped', reason: 'endpoint disabled', retryInMs: PAUSED_RETRY_MS };
    }
    const loaded = await loadEventContext(deps.store, delivery);
    if (!loaded) return { kind: 'cancelled', reason: 'the event was withdrawn' };

    const slot = await deps.gate.enter(
      endpoint.id,
      {
        concurrency: delivery.ordered ? Infinity : deps.endpointConcurrency,
        ratePerSecond: endpoint.rateLimit,
      },
      MAX_GATE_WAIT_MS,
    );
    if ('retryInMs' in slot) {
      return { kind: 'skipped', reason: 'endpoint rate limit', retryInMs: slot.retryInMs };
    }
    const startedAt = now();
    try {
      const body = webhookBody(loaded.event, loaded.context, endpoint);
      // The token cache follows the credentials, not every bookkeeping write.
      const cacheKey = `${endpoint.id}:${endpoint.auth.sealed ?? ''}`;
      let headers = await requestHeaders(deps, endpoint, delivery.id, cacheKey, body, startedAt);
      let result = await deps.sender.send({ url: endpoint.url, body, headers });
      let refusedToken: { status: number; durationMs: number } | undefined;
      if (result.status === 401 && endpoint.auth.type === 'oauth2') {
        // The receiver refused our cached token: fetch a fresh one and try once more,
        // within this attempt; the log keeps the refused call beside the second.
        refusedToken = { status: 401, durationMs: result.durationMs };
        deps.oauth.invalidate(cacheKey);
        headers = await requestHeaders(deps, endpoint, delivery.id, cacheKey, body, now());
        result = await deps.sender.send({ url: endpoint.url, body, headers });
        result = { ...result, durationMs: now() - startedAt };
      }
      return await finish(
        deps,
        delivery,
        endpoint,
        result,
        {
          startedAt,
          request: {
            url: endpoint.url,
            headers: redactHeaders(headers, endpoint),
            bytes: Buffer.byteLength(body),
            ...(refusedToken ? { refusedToken } : {}),
          },
        },
        now(),
      );
    } catch (error) {
      // Only the OAuth token fetch throws here; it counts as a failed attempt.
      if (!(error instanceof Error && error.name === 'DeliveryError')) throw error;
      const durationMs = now() - startedAt;
      const result: WebhookAttempt = { ok: false, durationMs, error: error as never };
      const request = { url: endpoint.url, stage: 'oauth token' };
      return finish(deps, delivery, endpoint, result, { startedAt, request }, now());
    } finally {
      slot.leave();
    }
  };
}

async function finish(
  deps: WebhookJobDeps,
  delivery: DeliveryRecord,
  endpoint: EndpointDoc,
  result: WebhookAttempt,
  sent: { startedAt: number; request: Record<string, unknown> },
  now: number,
): Promise<JobResult> {
  const attempt = {
    startedAt: sent.startedAt,
    durationMs: result.durationMs,
    statusCode: result.status ?? null,
    responseBody: result.responseBody ?? null,
    request: sent.request,
  };
  if (result.ok) {
    await deps.health.succeeded(delivery.ownerId, endpoint);
    return { kind: 'delivered', attempt };
  }
  if (result.gone) {
    await deps.health.disable(delivery.ownerId, endpoint, 'the receiver answered 410 Gone', now);
  } else {
    await deps.health.failed(delivery.ownerId, endpoint, now);
  }
  return { kind: 'failed', attempt, error: result.error! };
}

/** The contract's body: {"type", "timestamp", "data", "parameters"}. */
function webhookBody(event: EventRecord, context: Record<string, unknown>, endpoint: EndpointDoc) {
  const parameters: Record<string, string> = {};
  for (const p of endpoint.parameters) {
    parameters[p.name] = renderTemplate(p.value, context, 'text');
  }
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    data: webhookData(context),
    parameters,
  });
}

async function requestHeaders(
  deps: WebhookJobDeps,
  endpoint: EndpointDoc,
  deliveryId: string,
  cacheKey: string,
  body: string,
  at: number,
): Promise<Record<string, string>> {
  const timestamp = Math.floor(at / 1000);
  // During a rotation the old secret is still valid: sign with every live secret.
  const secrets = endpoint.secrets
    .filter((s) => s.expiresAt === null || s.expiresAt > at)
    .map((s) => deps.secrets.open(s.sealed));
  const headers: Record<string, string> = {};
  for (const h of endpoint.headers) headers[h.name.toLowerCase()] = deps.secrets.open(h.sealed);
  Object.assign(headers, await authHeader(deps, endpoint, cacheKey), {
    'content-type': 'application/json',
    'user-agent': 'Herald-Webhooks/1',
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, deliveryId, timestamp, body),
  });
  return headers;
}

async function authHeader(
  deps: WebhookJobDeps,
  endpoint: EndpointDoc,
  cacheKey: string,
): Promise<Record<string, string>> {
  const { auth } = endpoint;
  if (!auth.sealed) return {};
  const secret = deps.secrets.open(auth.sealed);
  if (auth.type === 'basic') {
    const pair = `${auth.username ?? ''}:${secret}`;
    return { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
  }
  if (auth.type === 'bearer') return { authorization: `Bearer ${secret}` };
  if (auth.type === 'oauth2') {
    const token = await deps.oauth.token(cacheKey, {
      tokenUrl: auth.tokenUrl!,
      clientId: auth.clientId!,
      clientSecret: secret,
      scope: auth.scope,
      audience: auth.audience,
    });
    return { authorization: `Bearer ${token}` };
  }
  return {};
}

/** The attempt log keeps header names, never the values of credential headers. */
function redactHeaders(headers: Record<string, string>, endpoint: EndpointDoc) {
  const custom = new Set(endpoint.headers.map((h) => h.name.toLowerCase()));
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = name === 'authorization' || custom.has(name) ? '[redacted]' : value;
  }
  return shown;
}
