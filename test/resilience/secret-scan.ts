/**
 * Looks for secret values in text and bytes: logs, API answers, the database file.
 * A secret counts as found in any form a careless line could print it: as it is,
 * JSON-escaped, base64 (an Authorization header), URL-encoded, and for a `whsec_`
 * secret its key without the prefix.
 */
export interface Secret {
  /** What the value is, for the failure message ("SMTP password"). */
  what: string;
  value: string;
}

/** The forms of a secret worth searching for; each is long enough not to match by chance. */
export function formsOf(secret: Secret): string[] {
  const { value } = secret;
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString('base64').replace(/=+$/, ''),
    encodeURIComponent(value),
  ]);
  if (value.startsWith('whsec_')) forms.add(value.slice('whsec_'.length));
  return [...forms].filter((form) => form.length >= 12);
}

export interface Leak {
  secret: string;
  where: string;
  excerpt: string;
}

/** Every place one of `secrets` shows in `text`, with a little context. */
export function findLeaks(secrets: Secret[], text: string, where: string): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    for (const form of formsOf(secret)) {
      const at = text.indexOf(form);
      if (at < 0) continue;
      const excerpt = text.slice(Math.max(0, at - 80), at + form.length + 40);
      leaks.push({ secret: secret.what, where, excerpt });
    }
  }
  return leaks;
}

/** The same search over raw bytes (a database file), read as latin1 so no byte is lost. */
export function findLeaksInBytes(secrets: Secret[], bytes: Buffer, where: string): Leak[] {
  return findLeaks(secrets, bytes.toString('latin1'), where).map((leak) => ({
    ...leak,
    excerpt: leak.excerpt.replace(/[^\x20-\x7e]/g, '.'),
  }));
}
