/**
 * Validation of a bare email address (an RFC 5322 addr-spec) as an API field.
 *
 * Deliberately stricter than the RFC: no quoted local parts, no comments, no
 * domain literals like [192.0.2.1], and a domain with at least one dot. Those
 * forms are legal but are almost always typos in a billing contact, and several
 * SMTP servers refuse them anyway. UTF-8 in the local part and the domain is
 * accepted (RFC 6531); the transport punycodes an internationalised domain.
 */
import { invalid } from '../errors.ts';

/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

// Letters and digits, plus any non-ASCII character (RFC 6531 allows UTF-8 addresses).
const ALNUM = 'A-Za-z0-9\\u{80}-\\u{10FFFF}';
// atext of RFC 5322 section 3.2.3.
const ATOM = new RegExp(`^[${ALNUM}!#$%&'*+/=?^_\`{|}~-]+$`, 'u');
// A DNS label: no leading or trailing hyphen.
const LABEL = new RegExp(`^[${ALNUM}](?:[${ALNUM}-]*[${ALNUM}])?$`, 'u');

/**
 * Returns the address with surrounding spaces removed, or throws a 422 ApiError
 * for `field`. A display name ("Ann <ann@example.com>") is refused: names travel
 * in their own field so they can be encoded safely.
 */
export function parseEmailAddress(value: unknown, field: string): string {
  if (typeof value !== 'string') throw notAnAddress(field, value);

  const address = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw invalid(
      field,
      `${field} must be an email address of at most ${MAX_ADDRESS_LENGTH} characters ` +
        `(got one of ${address.length} characters)`,
    );
  }
  if (!isAddrSpec(address)) throw notAnAddress(field, value);

  return address;
}

/** True when `value` passes the same check as parseEmailAddress, without throwing. */
export function isEmailAddress(value: unknown): boolean {
  return typeof value === 'string' && value.length <= MAX_ADDRESS_LENGTH && isAddrSpec(value);
}

function isAddrSpec(address: string): boolean {
  // Control characters (CR/LF above all) would let a value break out of a header.
  if (/[\u0000-\u001f\u007f]/.test(address)) return false;

  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;

  const local = address.slice(0, at);
  const domain = address.slice(at + 1);

  if (local.length > MAX_LOCAL_PART_LENGTH) return false;
  if (!local.split('.').every((atom) => ATOM.test(atom))) return false;

  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label));
}

function notAnAddress(field: string, value: unknown) {
  return invalid(
    field,
    `${field} must be an email address like name@example.com (got ${describe(value)})`,
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown;
}
