/**
 * Canned emails may exist in several languages: templates of one owner that share a
 * name and an event type are variants of one canned email, each with its locale.
 * The account's locale picks the variant, then the owner's default locale, then the
 * variant without a locale, then the one the subscription names; never an error.
 */
export interface LocaleVariant {
  id: string;
  locale: string | null;
}

export function pickLocaleVariant<T extends LocaleVariant>(
  subscribed: T,
  variants: readonly T[],
  accountLocale: string | undefined,
  ownerLocale: string,
): { chosen: T; note?: string } {
  // The subscribed template stands for its stored copy: a preview's unsaved draft
  // must render as typed, not as last saved.
  const candidates = [subscribed, ...variants.filter((v) => v.id !== subscribed.id)];
  const wanted = [accountLocale, ownerLocale].filter((l): l is string => Boolean(l));
  for (const locale of wanted) {
    const exact = candidates.find((v) => sameLocale(v.locale, locale));
    if (exact) return withNote(exact, subscribed, wantedOf(accountLocale, ownerLocale));
    const language = candidates.find(
      (v) => v.locale && languageOf(v.locale) === languageOf(locale),
    );
    if (language) return withNote(language, subscribed, wantedOf(accountLocale, ownerLocale));
  }
  const neutral = candidates.find((v) => v.locale === null);
  return withNote(neutral ?? subscribed, subscribed, wantedOf(accountLocale, ownerLocale));
}

/** How the log names the locales asked for: the account's, then the owner's. */
function wantedOf(accountLocale: string | undefined, ownerLocale: string): string {
  return accountLocale
    ? `account locale ${accountLocale}, owner default ${ownerLocale}`
    : `owner default ${ownerLocale}`;
}

function withNote<T extends LocaleVariant>(chosen: T, _subscribed: T, wanted: string) {
  return { chosen, note: `used the ${chosen.locale ?? 'default'} variant (wanted ${wanted})` };
}

function sameLocale(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

function languageOf(locale: string): string {
  return locale.split('-')[0].toLowerCase();
}
