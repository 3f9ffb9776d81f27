/**
 * Locale variants end to end: canned emails sharing a name and an event type in en,
 * de and fr-CA; the account's locale picks one (de-AT takes de by language), an
 * account whose language has none gets the owner's default locale, which follows a
 * PATCH of the owner, and the attempt log says which variant went out.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { PATIENCE_MS, settled } from '../e2e/api-steps.ts';
import { emailOwner, heraldPerFile } from './fixtures-email-owner.ts';

const herald = heraldPerFile();
const VARIANTS = [
  { locale: 'en', subject: 'Your service {{service.name}} changed' },
  { locale: 'de', subject: 'Ihr Dienst {{service.name}} hat sich geändert' },
  { locale: 'fr-CA', subject: 'Votre service {{service.name}} a changé' },
];
const SUBJECTS = {
  en: 'Your service Fibre 100 changed',
  de: 'Ihr Dienst Fibre 100 hat sich geändert',
  'fr-CA': 'Votre service Fibre 100 a changé',
};

/**
 * An owner (default locale fr-CA at first) with the three variants, the en one
 * subscribed, and accounts in de-AT, fr-CA and ja. Each post returns what the
 * sink received and what the attempt log noted.
 */
async function setUp(t: TestContext) {
  const o = await emailOwner(t, herald(), { defaultLocale: 'fr-CA' });
  const inbox = await o.sink();
  await o.profile(inbox, 'none');
  await o.contactTypes('primary');
  const ids: Record<string, string> = {};
  for (const [i, variant] of VARIANTS.entries()) {
    const template = await o.cannedEmail(
      {
        name: 'service changed',
        text: `${variant.locale}: {{contact.name}}`,
        to: [{ contactType: 'primary' }],
        ...variant,
      },
      i === 0,
    );
    ids[variant.locale] = template.id;
  }
  for (const locale of ['de-AT', 'fr-CA', 'ja']) {
    const email = `${locale.toLowerCase()}@customer.example`;
    await o.account(`acc-${locale}`, { locale, contacts: { primary: { email } } });
  }

  async function send(locale: string) {
    const id = await o.post(`acc-${locale}`);
    const delivery = await settled(o.call, id, 'succeeded');
    const mail = inbox.received.find((m) => m.parsed.headers.get('x-herald-delivery-id') === id);
    assert.ok(mail, `the sink got delivery ${id}`);
    return { subject: mail.parsed.subject, notes: delivery.attempts[0].request.notes as string[] };
  }
  return { ...o, inbox, ids, send };
}

describe('locale variants end to end', { concurrency: true }, () => {
  test("the account's locale picks the variant, by language if none matches", async (t) => {
    const s = await setUp(t);

    const austrian = await s.send('de-AT');
    assert.equal(austrian.subject, SUBJECTS.de);
    assert.ok(
      austrian.notes.some((n) => n.includes('de variant') && n.includes('de-AT')),
      JSON.stringify(austrian.notes),
    );

    const canadian = await s.send('fr-CA');
    assert.equal(canadian.subject, SUBJECTS['fr-CA']);
    assert.ok(
      canadian.notes.some((n) => n.includes('fr-CA variant')),
      JSON.stringify(canadian.notes),
    );
  });

  test("a locale without a variant gets the owner's default, as it is when sent", async (t) => {
    const s = await setUp(t);

    const before = await s.send('ja');
    assert.equal(before.subject, SUBJECTS['fr-CA']);
    assert.ok(
      before.notes.some((n) => n.includes('fr-CA variant')),
      JSON.stringify(before.notes),
    );

    const owner = await s.call('PATCH', `/v1/owners/${s.ownerId}`, { defaultLocale: 'de' });
    assert.equal(owner.defaultLocale, 'de');
    const patched = await s.send('ja');
    assert.equal(patched.subject, SUBJECTS.de);

    await s.call('PATCH', `/v1/owners/${s.ownerId}`, { defaultLocale: 'en' });
    const english = await s.send('ja');
    assert.equal(english.subject, SUBJECTS.en);
    await s.inbox.waitFor(3, PATIENCE_MS);
  });

  test('the attempt log names the variant also when it is the subscribed one', async (t) => {
    const s = await setUp(t);
    await s.call('PATCH', `/v1/owners/${s.ownerId}`, { defaultLocale: 'en' });
    const english = await s.send('ja');
    assert.equal(english.subject, SUBJECTS.en);
    assert.ok(
      english.notes.some((n) => /\ben\b/.test(n) && n.includes('ja')),
      JSON.stringify(english.notes),
    );
  });
});
