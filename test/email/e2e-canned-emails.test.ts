/**
 * Canned emails end to end: which MIME shape each choice of bodies sends, To, Cc
 * and Bcc mixing contact types with literal addresses, the template's sender
 * beating the profile's, and the template's SMTP profile choosing the server.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { sampleData } from '../../src/catalog/index.ts';
import { PATIENCE_MS, settled, sleep } from '../e2e/api-steps.ts';
import {
  EVENT_TYPE,
  contentType,
  emailOwner,
  headerBlock,
  heraldPerFile,
  mailboxes,
} from './fixtures-email-owner.ts';

const SAMPLE = sampleData(EVENT_TYPE);
const CONTACTS = {
  billing: { name: 'Bea Billing', email: 'bea@customer.example' },
  service: { name: 'Sam Service', email: 'sam@customer.example' },
  technical: { name: 'Tia Tech', email: 'tia@customer.example' },
  legal: { name: 'Lou Legal', email: 'lou@customer.example' },
  sales: { email: 'sales@customer.example' },
};

const herald = heraldPerFile();

/** One owner with five contact types, an account holding all of them, and a plain sink. */
async function setUp(t: TestContext) {
  const o = await emailOwner(t, herald());
  const sink = await o.sink();
  const profileId = await o.profile(sink, 'none', { bcc: ['archive@herald.example'] });
  await o.contactTypes(...Object.keys(CONTACTS));
  await o.account('acc-1', { contacts: CONTACTS });
  return { ...o, inbox: sink, profileId };
}

describe('canned emails end to end', { concurrency: true }, () => {
  test('an html-only template sends one text/html part', async (t) => {
    const s = await setUp(t);
    await s.cannedEmail({ html: '<p>{{service.name}} is up</p>', to: [{ contactType: 'sales' }] });
    await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    assert.match(contentType(mail.parsed), /^text\/html$/);
    assert.equal(String(mail.parsed.html).trim(), '<p>Fibre 100 is up</p>');
    assert.ok(!/text\/plain/i.test(mail.raw), 'no text/plain part was sent');
    assert.ok(!/multipart/i.test(headerBlock(mail.raw)), 'not a multipart message');
  });

  test('a text-only template sends one text/plain part', async (t) => {
    const s = await setUp(t);
    await s.cannedEmail({ text: '{{service.name}} is up', to: [{ contactType: 'sales' }] });
    await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    assert.match(contentType(mail.parsed), /^text\/plain$/);
    assert.equal(mail.parsed.text?.trim(), 'Fibre 100 is up');
    assert.equal(mail.parsed.html, false);
    assert.ok(!/text\/html/i.test(mail.raw), 'no text/html part was sent');
  });

  test('a template with both bodies sends multipart/alternative, text first', async (t) => {
    const s = await setUp(t);
    await s.cannedEmail({
      text: 'plain: {{service.name}}',
      html: '<b>rich: {{service.name}}</b>',
      to: [{ contactType: 'sales' }],
    });
    await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    assert.equal(contentType(mail.parsed), 'multipart/alternative');
    assert.equal(mail.parsed.text?.trim(), 'plain: Fibre 100');
    assert.equal(String(mail.parsed.html).trim(), '<b>rich: Fibre 100</b>');
    // RFC 2046: alternatives go from plainest to richest, the last is preferred.
    const plainAt = mail.raw.search(/Content-Type: text\/plain/i);
    const htmlAt = mail.raw.search(/Content-Type: text\/html/i);
    assert.ok(plainAt > 0 && htmlAt > plainAt, 'text/plain comes before text/html');
  });

  test('To, Cc and Bcc each mix several contact types with literal addresses', async (t) => {
    const s = await setUp(t);
    const desk = { address: 'desk@owner.example', name: 'Owner Desk' };
    await s.cannedEmail({
      text: 'hello',
      to: [{ contactType: 'billing' }, { contactType: 'service' }, desk],
      cc: [
        { contactType: 'technical' },
        { address: 'noc@owner.example' },
        { address: 'cc2@owner.example', name: 'Second Cc' },
      ],
      bcc: [
        { contactType: 'legal' },
        { contactType: 'sales' },
        { address: 'audit@owner.example' },
        { address: 'audit2@owner.example' },
      ],
    });
    const id = await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    const delivery = await settled(s.call, id, 'succeeded');
    const named = (c: { name?: string; email: string }) => ({ name: c.name, address: c.email });
    assert.deepEqual(mailboxes(mail.parsed.to), [
      named(CONTACTS.billing),
      named(CONTACTS.service),
      { name: desk.name, address: desk.address },
    ]);
    assert.deepEqual(mailboxes(mail.parsed.cc), [
      named(CONTACTS.technical),
      { name: '', address: 'noc@owner.example' },
      { name: 'Second Cc', address: 'cc2@owner.example' },
    ]);
    assert.equal(mail.parsed.bcc, undefined);
    const headers = headerBlock(mail.raw);
    assert.ok(!/^bcc:/im.test(headers) && !headers.includes('audit'), headers);

    const blind = [CONTACTS.legal.email, CONTACTS.sales.email, 'audit@owner.example'];
    const expected = [
      CONTACTS.billing.email,
      CONTACTS.service.email,
      desk.address,
      CONTACTS.technical.email,
      'noc@owner.example',
      'cc2@owner.example',
      ...blind,
      'audit2@owner.example',
      'archive@herald.example',
    ];
    assert.deepEqual([...mail.envelope.to].sort(), [...expected].sort());
    assert.equal(new Set(mail.envelope.to).size, mail.envelope.to.length, 'nobody twice');
    const logged = delivery.attempts[0].request;
    assert.deepEqual(logged.to, expected.slice(0, 3));
    assert.deepEqual(logged.cc, expected.slice(3, 6));
    assert.deepEqual(logged.bcc, [...blind, 'audit2@owner.example']);
  });

  test("the template's sender beats the profile's, in the header and the envelope", async (t) => {
    const s = await setUp(t);
    await s.cannedEmail({
      text: 'hello',
      to: [{ contactType: 'sales' }],
      fromName: 'Support Desk',
      fromAddress: 'support@brand.example',
    });
    await s.cannedEmail({ name: 'other', text: 'hi', to: [{ contactType: 'billing' }] });
    await s.call('POST', '/v1/events', { type: EVENT_TYPE, accountId: 'acc-1', data: SAMPLE });

    const mails = await s.inbox.waitFor(2, PATIENCE_MS);
    const overridden = mails.find((m) => m.envelope.to.includes(CONTACTS.sales.email))!;
    const plain = mails.find((m) => m.envelope.to.includes(CONTACTS.billing.email))!;
    assert.deepEqual(mailboxes(overridden.parsed.from), [
      { name: 'Support Desk', address: 'support@brand.example' },
    ]);
    assert.equal(overridden.envelope.from, 'support@brand.example');
    assert.deepEqual(mailboxes(plain.parsed.from), [
      { name: 'Herald Billing', address: 'billing@herald.example' },
    ]);
    assert.equal(plain.envelope.from, 'billing@herald.example');
  });

  test("a template's smtpProfileId sends through that profile's server only", async (t) => {
    const s = await setUp(t);
    const other = await s.sink();
    const otherId = await s.profile(other, 'none', { fromAddress: 'other@herald.example' });
    await s.cannedEmail({ text: 'routed', to: [{ contactType: 'sales' }], smtpProfileId: otherId });
    const id = await s.post('acc-1');

    const [mail] = await other.waitFor(1, PATIENCE_MS);
    const delivery = await settled(s.call, id, 'succeeded');
    await sleep(100);
    assert.equal(s.inbox.received.length, 0, 'the default profile sent nothing');
    assert.equal(other.received.length, 1);
    assert.equal(mail.envelope.from, 'other@herald.example');
    assert.equal(delivery.attempts[0].request.smtpProfileId, otherId);
  });

  test('deleting a profile that a template names is refused with 409', async (t) => {
    const s = await setUp(t);
    const other = await s.sink();
    const otherId = await s.profile(other, 'none');
    const template = await s.cannedEmail({
      name: 'pinned',
      text: 'still here',
      to: [{ contactType: 'sales' }],
      smtpProfileId: otherId,
    });

    const refused = await s.call('DELETE', `/v1/smtp-profiles/${otherId}`, undefined, 409);
    assert.equal(refused.error.code, 'profile_in_use');
    assert.ok(refused.error.message.includes(template.id), refused.error.message);
    await s.call('GET', `/v1/smtp-profiles/${otherId}`);

    await s.post('acc-1');
    await other.waitFor(1, PATIENCE_MS);

    await s.call('PATCH', `/v1/email-templates/${template.id}`, { smtpProfileId: s.profileId });
    await s.call('DELETE', `/v1/smtp-profiles/${otherId}`, undefined, 204);
    const dangling = await s.call(
      'PATCH',
      `/v1/email-templates/${template.id}`,
      { smtpProfileId: otherId },
      422,
    );
    assert.equal(dangling.error.code, 'unknown_smtp_profile');
    assert.equal(dangling.error.field, 'smtpProfileId');
  });

  test('a profile deleted while a template is pointed at it leaves no dangling name', async (t) => {
    const s = await setUp(t);
    for (let round = 0; round < 10; round += 1) {
      const doomed = await s.profile(s.inbox, 'none', { name: `doomed ${round}` });
      const [deleted, saved] = await Promise.all([
        s.h.api('DELETE', `/v1/smtp-profiles/${doomed}`, undefined, { key: s.key }),
        s.h.api(
          'POST',
          '/v1/email-templates',
          {
            name: `race ${round}`,
            eventType: EVENT_TYPE,
            subject: 'race',
            text: 'race',
            to: [{ contactType: 'sales' }],
            smtpProfileId: doomed,
          },
          { key: s.key },
        ),
      ]);
      const outcome = `${deleted.status}/${saved.status}`;
      assert.ok(['204/422', '409/201'].includes(outcome), `round ${round}: ${outcome}`);
    }
  });

  test('a template can go back to the default profile, which frees the old one', async (t) => {
    const s = await setUp(t);
    const other = await s.sink();
    const otherId = await s.profile(other, 'none');
    const template = await s.cannedEmail({
      text: 'back to default',
      to: [{ contactType: 'sales' }],
      smtpProfileId: otherId,
    });

    await s.call('PATCH', `/v1/email-templates/${template.id}`, { smtpProfileId: null });
    await s.call('DELETE', `/v1/smtp-profiles/${otherId}`, undefined, 204);
    await s.post('acc-1');
    await s.inbox.waitFor(1, PATIENCE_MS);
  });
});
