/**
 * The demo's checks must catch what they claim to: each test feeds them one good
 * arrival and one spoiled in a single way, and expects only the spoiled one named.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { getEventType } from '../../src/catalog/index.ts';
import { cannedEmailFor } from '../../src/demo/canned-emails.ts';
import { checkEmails } from '../../src/demo/check-emails.ts';
import { checkWebhooks, type ListedDelivery } from '../../src/demo/check-webhooks.ts';
import type { HeraldEvent } from '../../src/demo/event-log.ts';
import type { SampleAccount } from '../../src/demo/sample.ts';
import type { ReceivedEmail } from '../../src/demo/smtp-catcher.ts';
import type { ReceivedWebhook } from '../../src/demo/verifying-receiver.ts';
import { buildTokenContext, renderHeader, renderTemplate } from '../../src/templates/index.ts';

const OWNER = 'Aurora Fibre & Mobile';
const TOKEN = 'bearer-token';
const ACCOUNT: SampleAccount = {
  id: 'acc-1',
  number: 'A-1',
  name: "O'Brien & Søn <Ltd>",
  status: 'Active',
  timezone: 'Europe/Dublin',
  locale: 'en-IE',
  emailInvoicing: false,
  balance: 12.5,
  currency: 'EUR',
  contacts: {
    service: { name: 'Zoë Ó Briain', email: 'zoe@example.com' },
    billing: { name: 'Brien, Pat', email: 'pat@example.com' },
  },
};

function refund(n: number, amount = 35): HeraldEvent {
  return {
    id: `evt_${n}`,
    ref: `e000${n}`,
    type: 'refund.processed',
    accountId: ACCOUNT.id,
    occurredAt: `2025-03-0${n}T10:00:00.000Z`,
    data: { refund: { amount, currency: 'EUR', reason: 'Duplicate payment' } },
  };
}

function delivery(n: number, channel: ListedDelivery['channel']): ListedDelivery {
  return {
    id: `dlv_${channel}_${n}`,
    eventId: `evt_${n}`,
    channel,
    status: 'succeeded',
    attempts: 1,
    lastError: null,
  };
}

const deliveriesOf = (eventId: string, channel: ListedDelivery['channel']) => [
  delivery(Number(eventId.slice(4)), channel),
];

function webhookOf(event: HeraldEvent, changes: Partial<ReceivedWebhook> = {}): ReceivedWebhook {
  const { balance, currency, id, name, number, status } = ACCOUNT;
  const body = {
    type: event.type,
    timestamp: event.occurredAt,
    data: {
      event: { id: event.id, type: event.type, occurredAt: event.occurredAt },
      owner: { name: OWNER },
      account: { id, number, name, status, balance, currency },
      ...event.data,
    },
    parameters: {
      operator: OWNER,
      eventType: event.type,
      reference: event.id,
      sentOn: '2026-01-01',
    },
  };
  return {
    id: `dlv_webhook_${event.id.slice(4)}`,
    timestamp: '0',
    signature: 'v1,x',
    headers: { authorization: `Bearer ${TOKEN}` },
    rawBody: JSON.stringify(body),
    body,
    verified: true,
    receivedAt: 0,
    path: '/hooks',
    ...changes,
  };
}

function checkHooks(accepted: HeraldEvent[], received: ReceivedWebhook[]) {
  const failures: string[] = [];
  const report = checkWebhooks(
    {
      events: accepted,
      deliveriesOf,
      received,
      answeredOk: received,
      ownerName: OWNER,
      accounts: new Map([[ACCOUNT.id, ACCOUNT]]),
      bearerToken: TOKEN,
    },
    (m) => failures.push(m),
  );
  return { report, failures };
}

describe('webhook checks', () => {
  test('pass a webhook that carries its event in full', () => {
    const { report, failures } = checkHooks([refund(1)], [webhookOf(refund(1))]);
    assert.deepEqual(failures, []);
    assert.deepEqual([...report.ok], ['evt_1']);
  });

  test('name a webhook whose payload differs from its event', () => {
    const { report, failures } = checkHooks(
      [refund(1), refund(2)],
      [webhookOf(refund(1)), webhookOf(refund(2, 36))],
    );
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(failures[0], /^e0002 \(refund.processed\): webhook data.refund is /);
    assert.deepEqual([...report.ok], ['evt_1']);
  });

  test('name an unverified request and one without the bearer token', () => {
    const { failures } = checkHooks(
      [refund(1)],
      [
        webhookOf(refund(1), { verified: false, verifyError: 'No matching signature found' }),
        webhookOf(refund(1), { headers: {} }),
      ],
    );
    assert.equal(failures.length, 2, failures.join('\n'));
    assert.match(failures[0], /failed verification: No matching signature found/);
    assert.match(failures[1], /without the endpoint's bearer token/);
  });

  test('name a lost webhook and an account whose webhooks arrived out of order', () => {
    const lost = checkHooks([refund(1)], []);
    assert.match(lost.failures[0], /no webhook with id dlv_webhook_1 reached the receiver/);
    const swapped = checkHooks(
      [refund(1), refund(2)],
      [webhookOf(refund(2)), webhookOf(refund(1))],
    );
    assert.deepEqual(swapped.report.outOfOrder, [ACCOUNT.id]);
  });
});

/** The message Herald would send for `event`, rendered and composed as for real. */
async function emailOf(event: HeraldEvent, spoil: (text: string) => string = (t) => t) {
  const email = cannedEmailFor(getEventType('refund.processed')!);
  const billing = ACCOUNT.contacts.billing;
  const context = buildTokenContext({
    event: { id: event.id, type: event.type, occurredAt: event.occurredAt },
    data: event.data,
    owner: { name: OWNER },
    account: ACCOUNT,
    contact: { ...billing, type: 'billing' },
  });
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const sent = await composer.sendMail({
    from: { name: OWNER, address: 'notifications@aurora.example' },
    to: [{ name: billing.name!, address: billing.email }],
    subject: renderHeader(email.subject, context),
    text: spoil(renderTemplate(email.text, context, 'text')),
    html: renderTemplate(email.html, context, 'html'),
    headers: { 'X-Herald-Delivery-Id': `dlv_email_${event.id.slice(4)}` },
  });
  const raw = sent.message as Buffer;
  const mail: ReceivedEmail = {
    envelope: { from: '', to: [] },
    raw: raw.toString('utf8'),
    parsed: await simpleParser(raw),
    receivedAt: 0,
    secure: true,
  };
  return { email, mail };
}

async function checkMail(events: HeraldEvent[], mails: ReceivedEmail[]) {
  const { email } = await emailOf(events[0]);
  const failures: string[] = [];
  const report = checkEmails(
    {
      events,
      deliveriesOf,
      received: mails,
      ownerName: OWNER,
      accounts: new Map([[ACCOUNT.id, ACCOUNT]]),
      emails: new Map([['refund.processed', email]]),
      invoiceTypes: new Set(),
    },
    (m) => failures.push(m),
  );
  return { report, failures };
}

describe('email checks', () => {
  test('pass an email with every token filled, sent to the billing contact', async () => {
    const { mail } = await emailOf(refund(1));
    const { report, failures } = await checkMail([refund(1)], [mail]);
    assert.deepEqual(failures, []);
    assert.deepEqual([...report.ok], ['evt_1']);
  });

  test('name an email with an unfilled token or a missing value line', async () => {
    const { mail: unfilled } = await emailOf(refund(1), (t) => t + 'Total: undefined\n');
    const { mail: short } = await emailOf(refund(2), (t) => t.replace(/Amount refunded: .*\n/, ''));
    const { failures } = await checkMail([refund(1), refund(2)], [unfilled, short]);
    assert.equal(failures.length, 2, failures.join('\n'));
    assert.match(failures[0], /^e0001 .*text holds "\{\{" or "undefined"/);
    assert.match(failures[1], /^e0002 .*text lacks the line "Amount refunded: 35"/);
  });

  test('name an event whose email never arrived', async () => {
    const { failures } = await checkMail([refund(1)], []);
    assert.match(failures[0], /no email of delivery dlv_email_1 reached the SMTP server/);
  });
});
