/**
 * Sets the sample operator up in Herald, through the HTTP API alone, the way an
 * operator's own scripts would: the platform admin creates the owner, and the
 * owner's key then adds contact types, accounts, an SMTP profile, a webhook
 * endpoint, a canned email per event type and the subscriptions that join them.
 */
import type { DemoApi } from './api-client.ts';
import {
  cannedEmailFor,
  DEMO_EVENT_TYPES,
  type CannedEmail,
  type CatalogueEntry,
} from './canned-emails.ts';
import type { SampleMonth } from './sample.ts';

export interface DemoTargets {
  receiverUrl: string;
  smtpPort: number;
  smtpLogin: { username: string; password: string };
  /** The bearer token the endpoint sends and the receiver expects. */
  bearerToken: string;
}

export interface ConfiguredOwner {
  /** The API with the new owner's admin key. */
  api: DemoApi;
  ownerName: string;
  endpointId: string;
  /** The endpoint's signing secret, shown once by the create answer. */
  signingSecret: string;
  /** The canned email of each event type. */
  emails: Map<string, CannedEmail & { id: string }>;
  catalogue: Map<string, CatalogueEntry>;
  /** What was created, for the log: "20 accounts", ... */
  created: string[];
}

/** The endpoint's parameters: tokens every event type carries. */
export const WEBHOOK_PARAMETERS = [
  { name: 'operator', value: '{{owner.name}}' },
  { name: 'eventType', value: '{{event.type}}' },
  { name: 'reference', value: '{{event.id}}' },
  { name: 'sentOn', value: '{{now.date}}' },
];

export async function configureOwner(
  admin: DemoApi,
  sample: SampleMonth,
  targets: DemoTargets,
): Promise<ConfiguredOwner> {
  const owner = await admin.expect(201, 'POST', '/v1/owners', sample.operator);
  const api = admin.as(owner.key.secret);

  const catalogue = new Map<string, CatalogueEntry>(
    (await api.expect(200, 'GET', '/v1/event-types')).data.map((e: CatalogueEntry) => [e.type, e]),
  );
  // Every billing type, not only those the sample posts: Herald derives some itself.
  const types = DEMO_EVENT_TYPES.filter((type) => catalogue.has(type));
  for (const event of sample.events) {
    if (!types.includes(event.type)) {
      throw new Error(`sample event ${event.ref} has type ${event.type}, which the demo lacks`);
    }
  }

  // Contact types: the billing one receives invoices of email-invoicing accounts,
  // the service one stands in for any type an account lacks.
  for (const name of sample.contactTypes) {
    await api.expect(201, 'POST', '/v1/contact-types', {
      name,
      isBilling: name === 'billing',
      isEmailDefault: name === 'service',
    });
  }
  for (const account of sample.accounts) {
    await api.expect(201, 'POST', '/v1/accounts', account);
  }

  await api.expect(201, 'POST', '/v1/smtp-profiles', {
    name: 'Aurora mail relay',
    host: '127.0.0.1',
    port: targets.smtpPort,
    tls: 'starttls',
    fromName: sample.operator.name,
    fromAddress: 'notifications@aurora-fibre.example',
    ...targets.smtpLogin,
    isDefault: true,
  });

  const endpoint = await api.expect(201, 'POST', '/v1/endpoints', {
    name: 'Aurora CRM and provisioning',
    url: targets.receiverUrl,
    eventTypes: types,
    ordering: 'ordered',
    auth: { type: 'bearer', token: targets.bearerToken },
    parameters: WEBHOOK_PARAMETERS,
  });
  await api.expect(201, 'POST', '/v1/subscriptions', {
    name: 'everything to the CRM',
    endpointId: endpoint.id,
  });

  const emails = new Map<string, CannedEmail & { id: string }>();
  let languageVariants = 0;
  for (const type of types) {
    const email = cannedEmailFor(catalogue.get(type)!);
    const { tokens: _tokens, variants, ...body } = email;
    const saved = await api.expect(201, 'POST', '/v1/email-templates', body);
    await api.expect(201, 'POST', '/v1/subscriptions', { emailTemplateId: saved.id });
    // Variants share the name and event type; Herald picks one by the account's
    // locale, so only the main template is subscribed.
    for (const variant of variants) {
      await api.expect(201, 'POST', '/v1/email-templates', { ...body, ...variant });
      languageVariants++;
    }
    emails.set(type, { ...email, id: saved.id });
  }

  return {
    api,
    ownerName: owner.name,
    endpointId: endpoint.id,
    signingSecret: endpoint.secret,
    emails,
    catalogue,
    created: [
      `owner "${owner.name}"`,
      `${sample.contactTypes.length} contact types`,
      `${sample.accounts.length} accounts`,
      '1 SMTP profile',
      `1 webhook endpoint for ${types.length} event types`,
      `${emails.size} canned emails (and ${languageVariants} in German)`,
      `${emails.size + 1} subscriptions`,
    ],
  };
}
