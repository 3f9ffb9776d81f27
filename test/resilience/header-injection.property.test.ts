/**
 * Header injection, followed all the way to the SMTP server: fast-check puts
 * line breaks, encoded words and address tricks ("a\r\nBcc: x@evil.test") into
 * every string that reaches an email (subjects, sender and recipient names,
 * addresses, contact and account names, the owner's name, event data shown in a
 * subject). Herald may refuse the value (a 4xx, never a 5xx) or send it; what it
 * sends must carry only its own headers, complete, and go to no one else.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { hashKey } from '../../src/api/auth.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startSmtpSink, type ReceivedEmail, type SmtpSink } from '../helpers/smtp-sink.ts';
import { injectionString } from './bad-bodies.ts';
import { countsFor } from './resilience-counts.ts';
import { MODE } from './resilience-mode.ts';
import { ACCOUNT_ID, CONTACT_EMAIL, markedEvent, until } from './subscribed-owner.ts';

const LITERAL_TO = 'ops@customer.example';
const SUBJECT = '{{service.name}} / {{account.name}} / {{owner.name}}';
/** Headers Herald writes; anything else in a sent message was smuggled in. */
const OWN_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'x-herald-delivery-id',
  'x-herald-event-type',
]);
const REQUIRED = ['from', 'to', 'subject', 'message-id', 'date', 'x-herald-delivery-id'];

const { counts, report } = countsFor('header-injection.property.test.ts', ['badInputsTried']);
after(report);

let h: TestHerald;
let sink: SmtpSink;
let ids: { owner: string; template: string; profile: string };

before(async () => {
  h = await startTestHerald({ apiRateLimitPerSecond: 0 });
  sink = await startSmtpSink();
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await h.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await ok('POST', '/v1/contact-types', { name: 'billing', isEmailDefault: true });
  await ok('POST', '/v1/accounts', {
    id: ACCOUNT_ID,
    name: 'Resilient Ltd',
    contacts: { billing: { name: 'Bea Billing', email: CONTACT_EMAIL } },
  });
  const profile = await ok('POST', '/v1/smtp-profiles', {
    name: 'sink',
    host: '127.0.0.1',
    port: sink.port,
    tls: 'none',
    fromAddress: 'noreply@herald.example',
  });
  const template = await ok('POST', '/v1/email-templates', {
    name: 'injection target',
    eventType: 'service.state_changed',
    subject: SUBJECT,
    text: 'Hello {{contact.name}}',
    to: [{ contactType: 'billing' }, { address: LITERAL_TO, name: 'Ops' }],
  });
  await ok('POST', '/v1/subscriptions', { emailTemplateId: template.id });
  const found = await h.herald.store.findKeyWithRecordsVersion(hashKey(h.adminKey));
  ids = { owner: found!.key.ownerId, template: template.id, profile: profile.id };
});

after(async () => {
  await h?.stop();
  await sink?.close();
});

/** One string that reaches an email: how to set it, and how to put it back. */
interface Field {
  name: string;
  set(value: string): [string, string, unknown];
  reset(): [string, string, unknown];
  /** The field holds an address: once stored, mail to it is expected, not smuggled. */
  address?: boolean;
}

const template = (body: unknown) => ['PATCH', `/v1/email-templates/${ids.template}`, body];
const profile = (body: unknown) => ['PATCH', `/v1/smtp-profiles/${ids.profile}`, body];
const account = (body: unknown) => ['PATCH', `/v1/accounts/${ACCOUNT_ID}`, body];
const contact = (name: string, email: string) =>
  account({ contacts: { billing: { name, email } } });
const recipients = (name: string, address: string) =>
  template({ to: [{ contactType: 'billing' }, { address, name }] });

const FIELDS = (): Field[] =>
  [
    {
      name: 'template subject',
      set: (s) => template({ subject: `${SUBJECT} ${s}` }),
      reset: () => template({ subject: SUBJECT }),
    },
    {
      name: 'template fromName',
      set: (s) => template({ fromName: s }),
      reset: () => template({ fromName: 'Herald' }),
    },
    {
      name: 'template fromAddress',
      set: (s) => template({ fromAddress: s }),
      reset: () => template({ fromAddress: 'noreply@herald.example' }),
      address: true,
    },
    {
      name: 'recipient name',
      set: (s) => recipients(s, LITERAL_TO),
      reset: () => recipients('Ops', LITERAL_TO),
    },
    {
      name: 'recipient address',
      set: (s) => recipients('Ops', s),
      reset: () => recipients('Ops', LITERAL_TO),
      address: true,
    },
    {
      name: 'profile fromName',
      set: (s) => profile({ fromName: s }),
      reset: () => profile({ fromName: 'Herald' }),
    },
    {
      name: 'profile bcc',
      set: (s) => profile({ bcc: [s] }),
      reset: () => profile({ bcc: [] }),
      address: true,
    },
    {
      name: 'contact name',
      set: (s) => contact(s, CONTACT_EMAIL),
      reset: () => contact('Bea Billing', CONTACT_EMAIL),
    },
    {
      name: 'contact email',
      set: (s) => contact('Bea', s),
      reset: () => contact('Bea Billing', CONTACT_EMAIL),
      address: true,
    },
    {
      name: 'account name',
      set: (s) => account({ name: s }),
      reset: () => account({ name: 'Resilient Ltd' }),
    },
    {
      name: 'owner name',
      set: (s) => ['PATCH', `/v1/owners/${ids.owner}`, { name: s }],
      reset: () => ['PATCH', `/v1/owners/${ids.owner}`, { name: 'Platform' }],
    },
  ] as Field[];

/** Posts one event (its data may carry the attempt) and returns its email, if one was sent. */
async function emailFor(serviceName: string): Promise<ReceivedEmail | undefined> {
  const posted = await h.api('POST', '/v1/events', markedEvent(serviceName));
  assert.ok(
    posted.status < 500,
    `POST /v1/events: ${posted.status} ${JSON.stringify(posted.body)}`,
  );
  if (posted.status !== 202) return undefined;
  await h.drain();
  const event = await h.api('GET', `/v1/events/${posted.body.id}`);
  const [delivery] = event.body.deliveries;
  if (delivery.status !== 'succeeded') return undefined;
  let email: ReceivedEmail | undefined;
  await until(
    'the email at the sink',
    () => {
      email = sink.received.find((m) => m.raw.includes(delivery.id));
      return email !== undefined;
    },
    5000,
  );
  return email;
}

/** The message has Herald's headers, all of them, and goes only where it should. */
function assertClean(email: ReceivedEmail, allowed: Set<string>, what: string): void {
  const head = email.raw.slice(0, email.raw.search(/\r?\n\r?\n/));
  const names = head
    .split(/\r?\n/)
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
  const foreign = names.filter((name) => !OWN_HEADERS.has(name));
  assert.deepEqual(foreign, [], `${what}: smuggled headers in\n${head}`);
  for (const name of REQUIRED) assert.ok(names.includes(name), `${what}: no ${name} in\n${head}`);
  const strays = email.envelope.to.filter((address) => !allowed.has(address.toLowerCase()));
  assert.deepEqual(strays, [], `${what}: mail went to ${strays.join(', ')}`);
}

for (const field of FIELDS()) {
  const name = `an injection attempt in the ${field.name} is refused or sent harmlessly`;
  test(name, async (t) => {
    const base = [CONTACT_EMAIL, LITERAL_TO];
    const tally = { refused: 0, sent: 0, unsent: 0 };
    const property = fc.asyncProperty(injectionString, async (attempt) => {
      counts.badInputsTried += 1;
      const [method, path, body] = field.set(attempt);
      const saved = await h.api(method, path, body);
      const what = `${field.name} = ${JSON.stringify(attempt)}`;
      assert.ok(saved.status < 500, `${what}: ${saved.status} ${JSON.stringify(saved.body)}`);
      if (saved.status >= 300) tally.refused += 1;
      const allowed = new Set(base);
      if (field.address && saved.status < 300) allowed.add(attempt.trim().toLowerCase());
      const email = await emailFor('Fibre 100');
      if (email) assertClean(email, allowed, what);
      if (saved.status < 300) tally[email ? 'sent' : 'unsent'] += 1;
    });
    try {
      await fc.assert(property, { numRuns: MODE.runsPerField, seed: MODE.fastCheckSeed });
    } finally {
      const [method, path, body] = field.reset();
      const r = await h.api(method, path, body);
      assert.ok(r.status < 300, `reset ${field.name}: ${JSON.stringify(r.body)}`);
    }
    t.diagnostic(`${field.name}: ${JSON.stringify(tally)}`);
  });
}

test('an injection attempt in event data shown in the subject is sent harmlessly', async () => {
  const property = fc.asyncProperty(injectionString, async (attempt) => {
    counts.badInputsTried += 1;
    const email = await emailFor(attempt);
    if (email)
      assertClean(
        email,
        new Set([CONTACT_EMAIL, LITERAL_TO]),
        `service.name = ${JSON.stringify(attempt)}`,
      );
  });
  await fc.assert(property, { numRuns: MODE.runsPerField, seed: MODE.fastCheckSeed });
});
