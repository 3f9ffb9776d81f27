/**
 * Canned emails end to end, through the API, against an SMTP sink that insists on
 * STARTTLS and a login: recipient resolution (contact types, fallbacks, email
 * invoicing, literal addresses, Bcc), transient and permanent SMTP refusals, and
 * preview and test-send.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressObject } from 'mailparser';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startSmtpSink, type SmtpResponder, type SmtpSink } from '../helpers/smtp-sink.ts';
import { PATIENCE_MS, caller, settled, sleep, type Call } from './api-steps.ts';

const LOGIN = { username: 'herald-mailer', password: 'smtp-Pässword-1' };
const TECHNICAL = { name: 'Þór Jónsson', email: 'thor@example.com' };
const SERVICE = { name: 'Zoë Ó Súilleabháin', email: 'zoe@example.com' };
const BILLING = { name: 'Åsa Lindqvist', email: 'asa@example.com' };
const OPS = { name: 'Ops, Zürich Team', address: 'ops@example.com' };
const LONG_LINE = 'Grüße aus Zürich, ça va? '.repeat(80);
const HTML = [
  '<p>Hallo {{contact.name}},</p>',
  '<p>{{service.name}} ist {{service.newState}}.</p>',
  `<p>${LONG_LINE}</p>`,
].join('\n');

interface Setup {
  sink: SmtpSink;
  call: Call;
  profileId: string;
  /** A canned email of service.state_changed with the given recipient lists. */
  template(fields: Record<string, unknown>): Promise<string>;
  /** Posts an event and returns the id of its one email delivery. */
  post(accountId: string, type?: string, data?: Record<string, unknown>): Promise<string>;
}

async function setUp(t: TestContext, respond?: SmtpResponder): Promise<Setup> {
  const h = await startTestHerald();
  const sink = await startSmtpSink({ requireStartTls: true, auth: LOGIN, respond });
  t.after(async () => {
    await h.stop();
    await sink.close();
  });
  const call = caller(h);

  await call('POST', '/v1/contact-types', { name: 'billing', isBilling: true });
  await call('POST', '/v1/contact-types', { name: 'service', isEmailDefault: true });
  await call('POST', '/v1/contact-types', { name: 'technical' });
  const accounts = [
    { id: 'acc-tech', name: 'Brasserie Zoë & Søn', contacts: { technical: TECHNICAL } },
    { id: 'acc-plain', name: 'Café Ärger', contacts: { service: SERVICE } },
    { id: 'acc-einv', emailInvoicing: true, contacts: { billing: BILLING, service: SERVICE } },
    { id: 'acc-paper', emailInvoicing: false, contacts: { billing: BILLING, service: SERVICE } },
  ];
  for (const account of accounts) await call('POST', '/v1/accounts', account);
  const profile = await call('POST', '/v1/smtp-profiles', {
    name: 'sink',
    host: '127.0.0.1',
    port: sink.port,
    tls: 'starttls',
    ...LOGIN,
    fromName: 'Hérault Billing',
    fromAddress: 'billing@herault.example',
    bcc: ['archive@herault.example'],
  });

  return {
    sink,
    call,
    profileId: profile.id,
    async template(fields) {
      const template = await call('POST', '/v1/email-templates', {
        name: 'service change',
        eventType: 'service.state_changed',
        subject: 'Dienst {{service.name}} für {{account.name}}: {{service.newState}}',
        html: HTML,
        text: 'Hallo {{contact.name}}, {{service.name}} ist {{service.newState}}.',
        ...fields,
      });
      await call('POST', '/v1/subscriptions', { emailTemplateId: template.id });
      return template.id;
    },
    async post(accountId, type = 'service.state_changed', data = sampleData(type)) {
      const event = await call('POST', '/v1/events', { type, accountId, data });
      const found = await call('GET', `/v1/deliveries?eventId=${event.id}`);
      assert.equal(found.data.length, 1, JSON.stringify(found));
      return found.data[0].id;
    },
  };
}

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  [field ?? []]
    .flat()
    .flatMap((group) => group.value.map((a) => ({ name: a.name, address: a.address })));

/** The header block of a raw message, where a Bcc would show if it leaked. */
const headerBlock = (raw: string) => raw.slice(0, raw.search(/\r?\n\r?\n/));

describe('email delivery', { concurrency: true }, () => {
  test('sends over STARTTLS with a login to To, Cc and both Bccs, names intact', async (t) => {
    const s = await setUp(t);
    await s.template({
      to: [{ contactType: 'technical' }],
      cc: [OPS],
      bcc: [{ address: 'audit@example.com' }],
    });
    const id = await s.post('acc-tech');

    const [mail] = await s.sink.waitFor(1, PATIENCE_MS);
    const delivery = await settled(s.call, id, 'succeeded');
    assert.equal(mail.secure, true, 'upgraded with STARTTLS');
    assert.equal(mail.username, LOGIN.username);
    assert.equal(mail.parsed.subject, 'Dienst Fibre 100 für Brasserie Zoë & Søn: Active');
    assert.deepEqual(addresses(mail.parsed.from), [
      { name: 'Hérault Billing', address: 'billing@herault.example' },
    ]);
    assert.deepEqual(addresses(mail.parsed.to), [
      { name: TECHNICAL.name, address: TECHNICAL.email },
    ]);
    assert.deepEqual(addresses(mail.parsed.cc), [OPS]);
    assert.deepEqual([...mail.envelope.to].sort(), [
      'archive@herault.example',
      'audit@example.com',
      OPS.address,
      TECHNICAL.email,
    ]);
    const headers = headerBlock(mail.raw);
    assert.ok(!/^bcc:/im.test(headers), `a Bcc header was sent:\n${headers}`);
    assert.ok(
      !headers.includes('audit@example.com') && !headers.includes('archive@herault'),
      'a Bcc address shows in the headers',
    );
    assert.ok(String(mail.parsed.html).includes(LONG_LINE), 'the long html line arrived whole');
    assert.equal(mail.parsed.text?.trim(), `Hallo ${TECHNICAL.name}, Fibre 100 ist Active.`);

    assert.equal(delivery.attempts.length, 1);
    const [attempt] = delivery.attempts;
    assert.equal(attempt.statusCode, 250);
    assert.match(attempt.responseBody, /^250 /);
    assert.deepEqual(attempt.request.to, [TECHNICAL.email]);
    assert.deepEqual(attempt.request.cc, [OPS.address]);
    const profile = await s.call('GET', `/v1/smtp-profiles/${s.profileId}`);
    assert.equal(profile.password, undefined);
    const shown = JSON.stringify([delivery, profile]);
    assert.ok(!shown.includes(LOGIN.password), 'the SMTP password shows through the API');
  });

  test('falls back to the email-default contact type and says so in the log', async (t) => {
    const s = await setUp(t);
    await s.template({ to: [{ contactType: 'technical' }] });
    const id = await s.post('acc-plain');

    const [mail] = await s.sink.waitFor(1, PATIENCE_MS);
    const delivery = await settled(s.call, id, 'succeeded');
    assert.deepEqual(addresses(mail.parsed.to), [{ name: SERVICE.name, address: SERVICE.email }]);
    assert.ok(mail.parsed.text?.includes(`Hallo ${SERVICE.name},`), 'contact tokens follow');
    const notes: string[] = delivery.attempts[0].request.notes;
    assert.ok(
      notes.some((note) => note.includes('"technical"') && note.includes('"service"')),
      JSON.stringify(notes),
    );
  });

  test('sends invoice events of an email-invoicing account to its billing contact', async (t) => {
    const s = await setUp(t);
    const template = await s.call('POST', '/v1/email-templates', {
      name: 'invoice posted',
      eventType: 'invoice.posted',
      subject: 'Rechnung {{invoice.number}} über {{invoice.total}} {{invoice.currency}}',
      text: 'Hallo {{contact.name}}, Ihre Rechnung ist fällig am {{invoice.dueDate}}.',
      to: [{ contactType: 'service' }],
    });
    await s.call('POST', '/v1/subscriptions', { emailTemplateId: template.id });

    const einvoiced = await s.post('acc-einv', 'invoice.posted');
    const paper = await s.post('acc-paper', 'invoice.posted');
    const mails = await s.sink.waitFor(2, PATIENCE_MS);
    const withBilling = (await settled(s.call, einvoiced, 'succeeded')).attempts[0].request;
    const withoutBilling = (await settled(s.call, paper, 'succeeded')).attempts[0].request;

    assert.deepEqual([...withBilling.to].sort(), [BILLING.email, SERVICE.email]);
    assert.ok(
      withBilling.notes.some((n: string) => /email invoicing/.test(n)),
      withBilling.notes,
    );
    assert.deepEqual(withoutBilling.to, [SERVICE.email]);
    const toBilling = mails.filter((m) => m.envelope.to.includes(BILLING.email));
    assert.equal(toBilling.length, 1, 'only the email-invoicing account mails its billing contact');
    assert.equal(toBilling[0].parsed.subject, 'Rechnung INV-2025-000981 über 249.9 EUR');
  });

  test('retries a 451 and delivers on the second attempt', async (t) => {
    const s = await setUp(t, ({ stage, count }) =>
      stage === 'data' && count === 1 ? { code: 451, message: '4.3.0 Try again later' } : undefined,
    );
    await s.template({ to: [{ contactType: 'technical' }] });
    const id = await s.post('acc-tech');

    await s.sink.waitFor(1, PATIENCE_MS);
    const delivery = await settled(s.call, id, 'succeeded');
    assert.equal(delivery.attempts.length, 2);
    const [deferred, sent] = delivery.attempts;
    assert.equal(deferred.ok, false);
    assert.equal(deferred.statusCode, 451);
    assert.match(deferred.responseBody, /451 4\.3\.0 Try again later/);
    assert.equal(sent.ok, true);
    assert.equal(s.sink.received.length, 1);
  });

  test('fails a 550 at once, with the server reply in the log', async (t) => {
    let tries = 0;
    const s = await setUp(t, ({ stage }) => {
      if (stage !== 'data') return undefined;
      tries += 1;
      return { code: 550, message: '5.7.1 Message rejected as spam' };
    });
    await s.template({ to: [{ contactType: 'technical' }] });
    const id = await s.post('acc-tech');

    const delivery = await settled(s.call, id, 'failed');
    await sleep(400);
    assert.equal(tries, 1, 'a permanent refusal is not retried');
    assert.equal(delivery.attempts.length, 1);
    const [attempt] = delivery.attempts;
    assert.equal(attempt.statusCode, 550);
    assert.match(attempt.responseBody, /550 5\.7\.1 Message rejected as spam/);
    assert.equal(attempt.errorCode, 'smtp_rejected');
    assert.match(delivery.lastError, /5\.7\.1 Message rejected as spam/);
  });

  test('previews a canned email for a sample and for a past event', async (t) => {
    const s = await setUp(t);
    const template = await s.call('POST', '/v1/email-templates', {
      name: 'preview me',
      eventType: 'service.state_changed',
      subject: 'Dienst {{service.name}} für {{account.name}}',
      html: '<p>{{service.name}} &mdash; {{contact.name}}</p>',
      text: '{{service.name}} / {{contact.name}}',
      to: [{ contactType: 'technical' }],
    });
    const path = `/v1/email-templates/${template.id}/preview`;

    const sample = await s.call('POST', path, {});
    assert.equal(sample.subject, 'Dienst Fibre 100 für Brightwater Cafés Ltd');
    assert.match(sample.html, /^<p>Fibre 100 &mdash; /);
    assert.match(sample.text, /^Fibre 100 \/ /);
    for (const part of [sample.subject, sample.html, sample.text]) {
      assert.ok(!part.includes('{{') && !part.includes('undefined'), part);
    }

    const data = sampleData('service.state_changed') as any;
    data.service.name = 'Glasfaser <500>';
    const event = await s.call('POST', '/v1/events', {
      type: 'service.state_changed',
      accountId: 'acc-tech',
      data,
    });
    const real = await s.call('POST', path, { eventId: event.id });
    assert.equal(real.eventId, event.id);
    assert.equal(real.subject, 'Dienst Glasfaser <500> für Brasserie Zoë & Søn');
    assert.equal(real.html, `<p>Glasfaser &lt;500&gt; &mdash; ${TECHNICAL.name}</p>`);
    assert.equal(real.text, `Glasfaser <500> / ${TECHNICAL.name}`);
    assert.deepEqual(
      real.to.map((a: any) => a.address),
      [TECHNICAL.email],
    );

    await sleep(100);
    assert.equal(s.sink.received.length, 0, 'a preview sends nothing');
  });

  test('previews a canned email when the request has no body', async (t) => {
    const s = await setUp(t);
    const id = await s.template({ to: [{ contactType: 'technical' }] });
    const sample = await s.call('POST', `/v1/email-templates/${id}/preview`);
    assert.equal(sample.subject, 'Dienst Fibre 100 für Brightwater Cafés Ltd: Active');
  });

  test('test-sends one email to the given address only', async (t) => {
    const s = await setUp(t);
    const id = await s.template({
      to: [{ contactType: 'technical' }],
      cc: [OPS],
      bcc: [{ address: 'audit@example.com' }],
    });

    const answer = await s.call('POST', `/v1/email-templates/${id}/test-send`, {
      to: 'tester@example.com',
    });
    assert.equal(answer.sent, true);
    assert.equal(answer.to, 'tester@example.com');
    const [mail] = await s.sink.waitFor(1, PATIENCE_MS);
    await sleep(200);
    assert.equal(s.sink.received.length, 1);
    assert.deepEqual(mail.envelope.to, ['tester@example.com']);
    assert.equal(mail.parsed.subject, 'Dienst Fibre 100 für Brightwater Cafés Ltd: Active');
    assert.equal(mail.parsed.headers.get('x-herald-test-send'), 'true');
    const deliveries = await s.call('GET', '/v1/deliveries');
    assert.equal(deliveries.data.length, 0, 'a test-send is not a delivery');
  });
});
