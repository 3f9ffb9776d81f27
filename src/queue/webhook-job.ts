import type { SecretBox } from '../crypto/secret-box.ts';
import { renderTemplate, webhookData } from '../templates/index.ts';
import type { WebhookSender } from '../webhooks/webhook-sender.ts';
import { signatureHeader } from '../webhooks/signing.ts';
import type { EndpointDoc } from '../store/records.ts';
import type { DeliveryRecord, Store } from '../store/store.ts';
import type { Job, JobResult } from './job.ts';
import { loadEventContext } from './event-context.ts';

export interface WebhookJobDeps {
  store: Store;
  secrets: SecretBox;
  sender: WebhookSender;
  now?: () => number;
  /** How long a delivery to a disabled endpoint waits before it looks again. */
  pausedRetryMs?: number;
}

/**
 * One webhook attempt: render the body from the event, sign exactly the bytes that
 * are sent, POST, and classify the answer. The body is rebuilt from the stored event
 * on every attempt; it holds no per-attempt value, so retries carry the same bytes
 * and only webhook-timestamp (and so the signature) changes.
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
      return {
        kind: 'skipped',
        reason: 'endpoint disabled',
        retryInMs: deps.pausedRetryMs ?? 60_000,
      };
    }
    const loaded = await loadEventContext(deps.store, delivery);
    if (!loaded) return { kind: 'cancelled', reason: 'the event was withdrawn' };
    const { event, context } = loaded;

    const parameters: Record<string, string> = {};
    for (const p of endpoint.parameters)
      parameters[p.name] = renderTemplate(p.value, context, 'text');
    const body = JSON.stringify({
      type: event.type,
      timestamp: new Date(event.occurredAt).toISOString(),
      data: webhookData(context),
      parameters,
    });

    const startedAt = now();
    const timestamp = Math.floor(startedAt / 1000);
    const secrets = endpoint.secrets
      .filter((s) => s.expiresAt === null || s.expiresAt > startedAt)
      .map((s) => deps.secrets.open(s.sealed));
    const headers: Record<string, string> = {};
    for (const h of endpoint.headers) headers[h.name.toLowerCase()] = deps.secrets.open(h.sealed);
    Object.assign(headers, authHeader(endpoint, deps.secrets), {
      'content-type': 'application/json',
      'user-agent': 'Herald-Webhooks/0.1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, delivery.id, timestamp, body),
    });

    const result = await deps.sender.send({ url: endpoint.url, body, headers });
    const attempt = {
      startedAt,
      durationMs: result.durationMs,
      statusCode: result.status ?? null,
      responseBody: result.responseBody ?? null,
      request: {
        url: endpoint.url,
        headers: redactHeaders(headers, endpoint),
        bytes: Buffer.byteLength(body),
      },
    };
    if (result.ok) return { kind: 'delivered', attempt };
    const error = result.error!;
    const disableTarget = result.gone ? 'the receiver answered 410 Gone' : undefined;
    return { kind: 'failed', attempt, error, disableTarget };
  };
}

function authHeader(endpoint: EndpointDoc, secrets: SecretBox): Record<string, string> {
  const { auth } = endpoint;
  if (auth.type === 'basic' && auth.sealed) {
    const pair = `${auth.username ?? ''}:${secrets.open(auth.sealed)}`;
    return { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
  }
  if (auth.type === 'bearer' && auth.sealed) {
    return { authorization: `Bearer ${secrets.open(auth.sealed)}` };
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
