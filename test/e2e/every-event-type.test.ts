/**
 * One event of every catalogued type, end to end: set up through the API only, each
 * event reaches one verifying HTTPS receiver as a webhook and one SMTP sink as a
 * canned email, and both carry the event's own values in the right places.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressObject } from 'mailparser';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type ReceivedWebhook, type Receiver } from '../helpers/https-receiver.ts';
import { startSmtpSink, type ReceivedEmail } from '../helpers/smtp-sink.ts';
import { PATIENCE_MS, caller, type Call } from './api-steps.ts';
import { DESIGN_TYPES } from '../helpers/design-types.ts';

interface CatalogueEntry {
  type: string;
  hasAccount: boolean;
  tokens: { name: string }[];
}

const BILLING_TYPES = DESIGN_TYPES;
/** The types from which Herald keeps invoice facts and derives overdue notices. */
const INVOICE_FACTS = new Set(['invoice.posted', 'invoice.delivered']);
const COMMON = new Set(['event', 'now', 'owner', 'account']);
const OWNER_NAME = 'Hérault Télécom';
const MARKED_NAME = 'Fibre <b>&</b> 100';
const ACCOUNT = {
  id: 'acc-zoe',
  number: 'A-1001',
  name: 'Brasserie Zoë & Søn',
  status: 'Active',
  balance: 42.5,
  currency: 'EUR',
};
const BILLING = { name: 'Åsa Lindqvist', email: 'asa@example.com' };
const SERVICE = { name: 'Zoë Ó Súilleabháin', email: 'zoe@example.com' };
const FINANCE = { name: 'Finance Team', address: 'finance@example.com' };

/** Handlebars' HTML escaping, restated so the test does not trust the renderer. */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);

const valueAt = (data: Record<string, any>, token: string) => {
  const [group, field] = token.split('.');
  return data[group][field];
};

/** The payload tokens of a type: everything but the common groups. */
const payloadTokensOf = (entry: CatalogueEntry) =>
  entry.tokens.map((tk) => tk.name).filter((name) => !COMMON.has(name.split('.')[0]));

interface PostedEvent {
  id: string;
  type: string;
  data: any;
  occurredAt: string;
  entry: CatalogueEntry;
}

test('one event of every type reaches its webhook and its email', async (t) => {
  const h = await startTestHerald();
  const receiver = await startReceiver();
  const sink = await startSmtpSink();
  t.after(async () => {
    await h.stop();
    await receiver.close();
    await sink.close();
  });

  const owner = await h.api('POST', '/v1/owners', { name: OWNER_NAME });
  assert.equal(owner.status, 201, JSON.stringify(owner.body));
  const call = caller(h, owner.body.key.secret);

  const listed = (await call('GET', '/v1/event-types')).data as CatalogueEntry[];
  const catalogue = BILLING_TYPES.map((type) => {
    const entry = listed.find((c) => c.type === type);
    assert.ok(entry, `GET /v1/event-types lacks ${type}`);
    return entry;
  });
  await setUp(call, catalogue, receiver, sink.port);

  // One event of every type, with a value that needs HTML escaping in one of them.
  const posted = new Map<string, PostedEvent>();
  for (const [i, entry] of catalogue.entries()) {
    const data: any = sampleData(entry.type);
    if (entry.type === 'service.state_changed') data.service.name = MARKED_NAME;
    // An invoice Herald learns of with a past due date gets an invoice.overdue of
    // Herald's own making; this test wants exactly the events it posts.
    if (INVOICE_FACTS.has(entry.type)) data.invoice.dueDate = '2099-12-31';
    const occurredAt = new Date(Date.UTC(2025, 2, 14, 9, 30, i)).toISOString();
    const account = entry.hasAccount ? { accountId: ACCOUNT.id } : {};
    const event = await call('POST', '/v1/events', {
      type: entry.type,
      occurredAt,
      data,
      ...account,
    });
    posted.set(event.id, { id: event.id, type: entry.type, data, occurredAt, entry });
  }

  const hooks = await receiver.waitFor(16, PATIENCE_MS);
  const mails = await sink.waitFor(16, PATIENCE_MS);
  await h.drain();

  assert.equal(receiver.received.length, 16, 'no webhook arrives twice');
  for (const hook of hooks) {
    const event = posted.get((hook.body as any)?.data?.event?.id);
    assert.ok(event, `webhook for an unknown event: ${hook.rawBody}`);
    checkWebhook(hook, event);
  }

  assert.equal(sink.received.length, 16, 'no email arrives twice');
  const byType = new Map([...posted.values()].map((e) => [e.type, e]));
  const mailTypes = mails.map((mail) => String(mail.parsed.headers.get('x-herald-event-type')));
  assert.deepEqual([...mailTypes].sort(), [...BILLING_TYPES].sort(), 'one email a type');
  for (const [i, mail] of mails.entries()) checkEmail(mail, byType.get(mailTypes[i])!);

  // The value with markup: as it is in text and subject, escaped in html.
  const marked = mails[mailTypes.indexOf('service.state_changed')];
  assert.ok(marked.parsed.subject?.includes(MARKED_NAME), String(marked.parsed.subject));
  assert.ok(
    marked.parsed.text?.includes(`service.name = ${MARKED_NAME}`),
    String(marked.parsed.text),
  );
  assert.ok(
    String(marked.parsed.html).includes('Fibre &lt;b&gt;&amp;&lt;/b&gt; 100'),
    String(marked.parsed.html),
  );
  assert.ok(!String(marked.parsed.html).includes(MARKED_NAME), 'markup reached html unescaped');

  // The delivery log: 32 deliveries, each succeeded on its first attempt.
  const deliveries = (await call('GET', '/v1/deliveries?limit=100')).data as any[];
  assert.equal(deliveries.length, 32);
  assert.equal(deliveries.filter((d) => d.channel === 'webhook').length, 16);
  assert.equal(deliveries.filter((d) => d.channel === 'email').length, 16);
  for (const d of deliveries) {
    assert.equal(d.status, 'succeeded', JSON.stringify(d));
    assert.equal(d.attempts, 1, JSON.stringify(d));
  }
  const hookIds = new Set(hooks.map((hook) => hook.id));
  for (const d of deliveries.filter((x) => x.channel === 'webhook')) {
    assert.ok(hookIds.has(d.id), `webhook-id of delivery ${d.id} never arrived`);
  }
});

/** Contact types, the account, an SMTP profile, one endpoint and one canned email a type. */
async function setUp(
  call: Call,
  catalogue: CatalogueEntry[],
  receiver: Receiver,
  smtpPort: number,
) {
  await call('POST', '/v1/contact-types', { name: 'billing', isBilling: true });
  await call('POST', '/v1/contact-types', { name: 'service', isEmailDefault: true });
  const contacts = { billing: BILLING, service: SERVICE };
  await call('POST', '/v1/accounts', { ...ACCOUNT, timezone: 'Europe/Dublin', contacts });
  await call('POST', '/v1/smtp-profiles', {
    name: 'sink',
    host: '127.0.0.1',
    port: smtpPort,
    tls: 'none',
    fromName: 'Hérault Notifications',
    fromAddress: 'noreply@herault.example',
  });

  const endpoint = await call('POST', '/v1/endpoints', {
    name: 'everything',
    url: receiver.url,
    eventTypes: catalogue.map((c) => c.type),
    parameters: [
      { name: 'source', value: 'herald/{{event.type}}' },
      { name: 'eventId', value: '{{event.id}}' },
      { name: 'tenant', value: '{{owner.name}}' },
      { name: 'fixed', value: 'v1' },
    ],
  });
  receiver.setSecret(endpoint.secret);
  await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });

  for (const entry of catalogue) {
    const tokens = payloadTokensOf(entry);
    const lines = tokens.map((name) => `${name} = {{${name}}}`);
    if (entry.hasAccount) {
      lines.push('account = {{account.id}} {{account.number}} {{account.name}}');
      lines.push('Dear {{contact.name}} ({{contact.email}}, {{contact.type}})');
    }
    lines.push('event = {{event.id}} {{event.type}} {{owner.name}}');
    const accountPart = entry.hasAccount ? ' for {{account.name}}' : '';
    const template = await call('POST', '/v1/email-templates', {
      name: `every ${entry.type}`,
      eventType: entry.type,
      subject: `${entry.type}${accountPart}: {{${tokens[0]}}} / {{${tokens[1]}}}`,
      html: lines.map((line) => `<p>${line}</p>`).join('\n'),
      text: lines.join('\n'),
      // Bill runs have no account, so no contact to resolve: a literal address instead.
      to: [entry.hasAccount ? { contactType: 'billing' } : FINANCE],
    });
    await call('POST', '/v1/subscriptions', { emailTemplateId: template.id });
  }
}

/** Verified, the documented body, payload and account values, no contact data. */
function checkWebhook(hook: ReceivedWebhook, event: PostedEvent) {
  const { type } = event;
  assert.equal(hook.verified, true, hook.verifyError);
  const body = hook.body as any;
  assert.deepEqual(Object.keys(body).sort(), ['data', 'parameters', 'timestamp', 'type']);
  assert.equal(body.type, type);
  assert.equal(body.timestamp, event.occurredAt);
  assert.deepEqual(body.data.event, { id: event.id, type, occurredAt: event.occurredAt });
  for (const token of payloadTokensOf(event.entry)) {
    assert.deepEqual(valueAt(body.data, token), valueAt(event.data, token), `${type} ${token}`);
  }
  if (event.entry.hasAccount) assert.deepEqual(body.data.account, ACCOUNT, type);
  else assert.equal(body.data.account, undefined, `${type} carries no account`);
  assert.deepEqual(body.parameters, {
    source: `herald/${type}`,
    eventId: event.id,
    tenant: OWNER_NAME,
    fixed: 'v1',
  });
  assert.equal(body.data.contact, undefined, `${type} webhook carries contact tokens`);
  for (const secret of [BILLING.email, SERVICE.email, BILLING.name, SERVICE.name]) {
    assert.ok(!hook.rawBody.includes(secret), `${type} webhook leaks ${secret}`);
  }
}

/** Subject and both bodies filled with the event's values, sent to the right contact. */
function checkEmail(mail: ReceivedEmail, event: PostedEvent) {
  const { type, entry } = event;
  const tokens = payloadTokensOf(entry);
  const shown = (token: string) => String(valueAt(event.data, token));

  const accountPart = entry.hasAccount ? ` for ${ACCOUNT.name}` : '';
  const subject = `${type}${accountPart}: ${shown(tokens[0])} / ${shown(tokens[1])}`;
  assert.equal(mail.parsed.subject, subject);

  // mailparser derives a text from the html when there is none, so look at the parts.
  assert.match(mail.raw, /Content-Type: text\/plain/i, `${type} lacks a text part`);
  assert.match(mail.raw, /Content-Type: text\/html/i, `${type} lacks an html part`);
  const text = mail.parsed.text ?? '';
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';

  // Each line alternates template text and token values; only values get escaped.
  const expected: string[][] = tokens.map((token) => [`${token} = `, shown(token)]);
  if (entry.hasAccount) {
    expected.push(['account = ', ACCOUNT.id, ' ', ACCOUNT.number, ' ', ACCOUNT.name]);
    expected.push(['Dear ', BILLING.name, ' (', BILLING.email, ', ', 'billing', ')']);
  }
  expected.push(['event = ', event.id, ' ', type, ' ', OWNER_NAME]);
  for (const parts of expected) {
    const line = parts.join('');
    assert.ok(text.includes(line), `${type} text lacks ${JSON.stringify(line)}:\n${text}`);
    const escaped = `<p>${parts.map((p, i) => (i % 2 ? escapeHtml(p) : p)).join('')}</p>`;
    assert.ok(html.includes(escaped), `${type} html lacks ${JSON.stringify(escaped)}:\n${html}`);
  }
  for (const [part, value] of Object.entries({ subject, text, html })) {
    assert.ok(!value.includes('{{'), `${type} ${part} has an unrendered token: ${value}`);
    assert.ok(!value.includes('undefined'), `${type} ${part} prints undefined: ${value}`);
  }

  const to = (mail.parsed.to as AddressObject).value.map((a) => ({
    name: a.name,
    email: a.address,
  }));
  const recipient = entry.hasAccount ? BILLING : { name: FINANCE.name, email: FINANCE.address };
  assert.deepEqual(to, [recipient], type);
  assert.deepEqual(mail.envelope.to, [recipient.email], type);
}
