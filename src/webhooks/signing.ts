/**
 * Webhook signatures in the Standard Webhooks scheme (https://www.standardwebhooks.com),
 * so that receivers can verify Herald's calls with any Standard Webhooks library.
 *
 * A secret is `whsec_` followed by the base64 of random key bytes. A signature is
 * `v1,` + base64(HMAC-SHA256(key, "<msgId>.<timestamp>.<body>")), and the
 * `webhook-signature` header lists one signature per live secret, separated by
 * spaces, so that during a rotation the receiver may hold either secret.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

// Keys decoded at most this many at once; then forgotten, all.
const KEY_LIMIT = 1024;
const keys = new Map<string, KeyObject>();

/** The secret's key, decoded once: every attempt to an endpoint signs with it. */
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(secretKey(secret));
    if (keys.size >= KEY_LIMIT) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

// Buffer.from(..., 'base64') silently skips bad characters; a typo in a stored
// secret must fail loudly instead of signing with a different key.
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  if (!encoded || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new TypeError(
      'webhook secret must be "whsec_" followed by base64 key bytes; generate one with ' +
        'generateSecret()',
    );
  }
  return Buffer.from(encoded, 'base64');
}

/**
 * The `v1,<base64>` signature of one message under one secret. `body` must be the
 * exact string sent on the wire (it is signed as UTF-8 bytes); re-serialising JSON
 * after signing breaks verification. `timestampSeconds` is Unix time in seconds.
 */
export function signPayload(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new TypeError(
      `webhook timestamp must be whole Unix seconds (got ${timestampSeconds}); use ` +
        `Math.floor(Date.now() / 1000)`,
    );
  }
  if (!msgId) {
    throw new TypeError('webhook id must be a non-empty string; pass the delivery id');
  }

  const mac = createHmac('sha256', keyOf(secret));
  mac.update(`${msgId}.${timestampSeconds}.`, 'utf8');
  mac.update(body, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

/**
 * The `webhook-signature` header value: one signature per secret, space-separated.
 * Pass the current secret and, during a rotation, the previous one as well.
 */
export function signatureHeader(
  secrets: string[],
  msgId: string,
  timestampSeconds: number,
  body: string,
): string {
  if (secrets.length === 0) {
    throw new TypeError('signatureHeader needs at least one secret; an endpoint always has one');
  }
  return secrets.map((secret) => signPayload(secret, msgId, timestampSeconds, body)).join(' ');
}
