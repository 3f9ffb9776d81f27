import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pickLocaleVariant } from '../../src/email/locale-variant.ts';

const en = { id: 'tpl_en', locale: 'en' };
const fr = { id: 'tpl_fr', locale: 'fr' };
const frCa = { id: 'tpl_frca', locale: 'fr-CA' };
const neutral = { id: 'tpl_any', locale: null };

describe('locale variants of a canned email', () => {
  const cases: [string, string | undefined, string, string][] = [
    ['picks the exact locale of the account', 'fr-CA', 'en', 'tpl_frca'],
    ['falls back to the language of the account locale', 'fr-BE', 'en', 'tpl_fr'],
    ["falls back to the owner's default locale", 'de', 'en', 'tpl_en'],
    ['uses the owner default when the account has no locale', undefined, 'fr', 'tpl_fr'],
  ];
  for (const [name, account, owner, expected] of cases) {
    test(name, () => {
      const { chosen } = pickLocaleVariant(en, [en, fr, frCa], account, owner);
      assert.equal(chosen.id, expected);
    });
  }

  test('uses the variant without a locale when nothing matches', () => {
    const { chosen, note } = pickLocaleVariant(en, [en, neutral], 'ja', 'de');
    assert.equal(chosen.id, 'tpl_any');
    assert.match(note!, /used the default variant \(wanted account locale ja, owner default de\)/);
  });

  test('keeps the subscribed template when it is the only one, never failing', () => {
    const { chosen, note } = pickLocaleVariant(fr, [], 'ja', 'de');
    assert.equal(chosen.id, 'tpl_fr');
    assert.equal(note, 'used the fr variant (wanted account locale ja, owner default de)');
  });
});
