/**
 * Tokens and headers end to end: the recipient's contact tokens, HTML escaping of
 * token values (and none in text), CR/LF in names that must not open a header, and
 * non-ASCII subjects, display names with commas and quotes and a 5000-character HTML
 * line that must reach the server intact.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { sampleData } from '../../src/catalog/index.ts';
import { PATIENCE_MS, settled } from '../e2e/api-steps.ts';
import {
  EVENT_TYPE,
  emailOwner,
  headerBlock,
  heraldPerFile,
  mailboxes,
} from './fixtures-email-owner.ts';

const herald = heraldPerFile();

/** An owner with a "primary" contact type and a plain sink as its default profile. */
async function setUp(t: TestContext) {
  const o = await emailOwner(t, herald());
  const inbox = await o.sink();
  await o.profile(inbox, 'none');
  await o.contactTypes('primary');
  return { ...o, inbox };
}

/** Sample event data whose service name is `name`. */
function serviceNamed(name: string) {
  const data = sampleData(EVENT_TYPE) as { service: { name: string } };
  return { ...data, service: { ...data.service, name } };
}

describe('tokens and headers end to end', { concurrency: true }, () => {
  test("contact tokens render the recipient's name, email and type", async (t) => {
    const s = await setUp(t);
    const contact = { name: 'Nia Patel', email: 'nia@customer.example' };
    await s.account('acc-1', { contacts: { primary: contact } });
    await s.cannedEmail({
      subject: 'For {{contact.name}}',
      text: 'Dear {{contact.name}} <{{contact.email}}> ({{contact.type}})',
      html: '<p>{{contact.name}} / {{contact.email}} / {{contact.type}}</p>',
      to: [{ contactType: 'primary' }],
    });
    await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    assert.equal(mail.parsed.subject, 'For Nia Patel');
    assert.equal(mail.parsed.text?.trim(), 'Dear Nia Patel <nia@customer.example> (primary)');
    assert.equal(
      String(mail.parsed.html).trim(),
      '<p>Nia Patel / nia@customer.example / primary</p>',
    );
  });

  test('html escapes token values and text keeps them as they are', async (t) => {
    const s = await setUp(t);
    const hostile = `Tom & "Jerry's" <script>alert(1)</script>`;
    await s.account('acc-1', { name: hostile, contacts: { primary: { email: 'p@x.example' } } });
    await s.cannedEmail({
      subject: '{{account.name}}',
      text: '{{account.name}} | {{service.name}}',
      html: '<p title="{{service.name}}">{{account.name}}</p>',
      to: [{ contactType: 'primary' }],
    });
    await s.post('acc-1', serviceNamed(`a="b" & <i>c</i>`));

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    assert.equal(
      String(mail.parsed.html).trim(),
      '<p title="a&#x3D;&quot;b&quot; &amp; &lt;i&gt;c&lt;/i&gt;">' +
        'Tom &amp; &quot;Jerry&#x27;s&quot; &lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    assert.equal(mail.parsed.text?.trim(), `${hostile} | a="b" & <i>c</i>`);
    assert.equal(mail.parsed.subject, hostile);
  });

  test('a CR/LF in a contact or account name opens no header', async (t) => {
    const s = await setUp(t);
    const eve = { name: 'Eve\r\nBcc: attacker@evil.test', email: 'eve@customer.example' };
    await s.account('acc-1', {
      name: 'Acme\r\nBcc: attacker2@evil.test\r\nX-Injected: yes',
      contacts: { primary: eve },
    });
    await s.cannedEmail({
      subject: 'Update for {{account.name}}',
      text: 'Hello {{contact.name}}',
      to: [{ contactType: 'primary' }],
    });
    const id = await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    await settled(s.call, id, 'succeeded');
    assert.deepEqual(mail.envelope.to, [eve.email], 'no recipient was added');
    assert.equal(mail.parsed.bcc, undefined);
    assert.equal(mail.parsed.headers.get('x-injected'), undefined);
    const headers = headerBlock(mail.raw);
    assert.ok(!/^(bcc|x-injected):/im.test(headers), headers);
    const to = mailboxes(mail.parsed.to);
    assert.equal(to.length, 1, JSON.stringify(to));
    assert.equal(to[0].address, eve.email);
    assert.match(String(mail.parsed.subject), /^Update for Acme\s+Bcc: attacker2@evil\.test/);
    assert.ok(!/[\r\n]/.test(String(mail.parsed.subject)), 'the subject stayed one line');
  });

  test('a CR/LF in a contact name is folded to a space, as in the subject', async (t) => {
    const s = await setUp(t);
    const eve = { name: 'Eve\r\nBcc: attacker@evil.test', email: 'eve@customer.example' };
    await s.account('acc-1', { contacts: { primary: eve } });
    await s.cannedEmail({ text: 'hello', to: [{ contactType: 'primary' }] });
    await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    const [to] = mailboxes(mail.parsed.to);
    assert.equal(to.name, 'Eve Bcc: attacker@evil.test');
  });

  test('non-ASCII text, quoted names with commas, a 5000-character line: all intact', async (t) => {
    const s = await setUp(t);
    const account = 'Café "Ōsaka", 大阪 & Co';
    const contact = { name: 'Doe, Jane "JD" Ünal', email: 'jane@customer.example' };
    const cc = { name: 'Müller, Hans (Finance) "Hansi"', address: 'hans@customer.example' };
    const from = { fromName: 'Hérault, Billing "HQ" 請求', fromAddress: 'hq@herald.example' };
    const line = 'Grüße-東京-ça-va-'.repeat(400).slice(0, 5000);
    const html = `<html><body>\n<p>${line}</p>\n<p>{{account.name}}</p>\n</body></html>`;
    const text = `${line}\n{{account.name}}`;
    await s.account('acc-1', { name: account, contacts: { primary: contact } });
    await s.cannedEmail({
      subject: 'Rechnung 🧾 für Zoë, Ærøskøbing – 東京支社の請求書: {{account.name}}',
      html,
      text,
      to: [{ contactType: 'primary' }],
      cc: [cc],
      ...from,
    });
    await s.post('acc-1');

    const [mail] = await s.inbox.waitFor(1, PATIENCE_MS);
    assert.equal(
      mail.parsed.subject,
      `Rechnung 🧾 für Zoë, Ærøskøbing – 東京支社の請求書: ${account}`,
    );
    assert.deepEqual(mailboxes(mail.parsed.from), [
      { name: from.fromName, address: from.fromAddress },
    ]);
    assert.deepEqual(mailboxes(mail.parsed.to), [{ name: contact.name, address: contact.email }]);
    assert.deepEqual(mailboxes(mail.parsed.cc), [cc]);
    assert.equal(
      mail.parsed.html,
      html.replace('{{account.name}}', 'Café &quot;Ōsaka&quot;, 大阪 &amp; Co'),
    );
    assert.equal(mail.parsed.text?.replace(/\n$/, ''), text.replace('{{account.name}}', account));
    const longest = Math.max(...mail.raw.split('\r\n').map((l) => Buffer.byteLength(l)));
    assert.ok(longest <= 998, `a raw line of ${longest} bytes breaks RFC 5322's limit`);
  });
});
