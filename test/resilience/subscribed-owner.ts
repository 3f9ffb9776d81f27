/**
 * The owner every resilience run delivers for: one account with a billing contact,
 * a webhook endpoint and a canned email, both subscribed to service.state_changed.
 * Each event carries a unique marker as its service name, which reaches the
 * receiver in the body and the SMTP sink as the subject, so a test can tell which
 * accepted events arrived where.
 */
import assert from 'node:assert/strict';
import type { ReceivedEmail } from '../helpers/smtp-sink.ts';
import type { ReceivedWebhook } from '../helpers/https-receiver.ts';

export const EVENT_TYPE = 'service.state_changed';
export const ACCOUNT_ID = 'acc-resilience';
export const CONTACT_EMAIL = 'billing@customer.example';

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export interface Subscribed {
  endpointId: string;
  endpointSecret: string;
  templateId: string;
  smtpProfileId: string;
}

/** Creates the owner's records through the API; fails on any refusal. */
export async function subscribeOwner(
  api: Api,
  targets: { webhookUrl: string; smtpPort: number; endpoint?: Record<string, unknown> },
): Promise<Subscribed> {
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await api(method, path, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await ok('POST', '/v1/contact-types', { name: 'billing', isEmailDefault: true });
  await ok('POST', '/v1/accounts', {
    id: ACCOUNT_ID,
    name: 'Resilient Ltd',
    contacts: { billing: { name: 'Bea Billing', email: CONTACT_EMAIL } },
  });
  const endpoint = await ok('POST', '/v1/endpoints', {
    name: 'receiver',
    url: targets.webhookUrl,
    eventTypes: [EVENT_TYPE],
    ...targets.endpoint,
  });
  const profile = await ok('POST', '/v1/smtp-profiles', {
    name: 'sink',
    host: '127.0.0.1',
    port: targets.smtpPort,
    tls: 'none',
    fromAddress: 'noreply@herald.example',
  });
  const template = await ok('POST', '/v1/email-templates', {
    name: 'state changed',
    eventType: EVENT_TYPE,
    subject: '{{service.name}}',
    text: 'Your service {{service.name}} is now {{service.newState}}.',
    to: [{ contactType: 'billing' }],
  });
  await ok('POST', '/v1/subscriptions', { endpointId: endpoint.id });
  await ok('POST', '/v1/subscriptions', { emailTemplateId: template.id });
  return {
    endpointId: endpoint.id,
    endpointSecret: endpoint.secret,
    templateId: template.id,
    smtpProfileId: profile.id,
  };
}

/** An event whose service name is `marker`. */
export function markedEvent(marker: string) {
  return {
    type: EVENT_TYPE,
    accountId: ACCOUNT_ID,
    data: {
      service: {
        id: `svc-${marker}`,
        name: marker,
        previousState: 'Active',
        newState: 'Suspended',
      },
    },
  };
}

/** The marker a webhook carries, or undefined for a request of another kind. */
export function webhookMarker(hook: ReceivedWebhook): string | undefined {
  return (hook.body as { data?: { service?: { name?: string } } })?.data?.service?.name;
}

export const emailMarker = (email: ReceivedEmail) => email.parsed.subject;

/** Markers in `expected` that never arrived. */
export function missing(expected: Iterable<string>, arrived: Iterable<string | undefined>) {
  const seen = new Set(arrived);
  return [...expected].filter((marker) => !seen.has(marker));
}

/** Copies beyond the first, per id (the webhook-id, or X-Herald-Delivery-Id). */
export function duplicatesById(ids: string[]): Map<string, number> {
  const copies = new Map<string, number>();
  for (const id of ids) copies.set(id, (copies.get(id) ?? 0) + 1);
  for (const [id, n] of copies) {
    if (n > 1) copies.set(id, n - 1);
    else copies.delete(id);
  }
  return copies;
}

export const emailDeliveryId = (email: ReceivedEmail) =>
  String(email.parsed.headers.get('x-herald-delivery-id') ?? '');

export async function until(what: string, check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
