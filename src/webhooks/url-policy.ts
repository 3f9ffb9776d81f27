/**
 * Which webhook URLs Herald accepts, and which network addresses it will call.
 *
 * Two checks guard against server-side request forgery. `checkEndpointUrl` runs when
 * an endpoint is saved and refuses what is plainly wrong (http, ports, credentials in
 * the URL, literal private addresses). A host name can still resolve to a private
 * address, today or after a DNS change, so the sender repeats the address check on
 * every resolved address at connect time with `isRefusedAddress`.
 */
import ipaddr from 'ipaddr.js';

import { invalid } from '../errors.ts';

/** The longest URL an endpoint may have, in characters. */
export const MAX_URL_LENGTH = 2048;

export interface UrlPolicyOptions {
  /** The development switch: allow loopback and private hosts and explicit ports. */
  allowPrivateTargets: boolean;
}

// Everything in ipaddr.js's IPv4 table that is not reachable on the public internet.
// 169.254.169.254 (cloud metadata) is link-local and 100.100.100.200 is CGNAT.
const REFUSED_V4_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
]);

// IPv6 ranges that are refused outright. fd00:ec2::254 (AWS metadata) is unique-local.
const REFUSED_V6_RANGES = new Set([
  'unspecified',
  'linkLocal',
  'multicast',
  'loopback',
  'uniqueLocal',
  'deprecatedSiteLocal',
  'discard',
  'benchmarking',
  'reserved',
  'deprecatedOrchid',
  'orchid2',
]);

/**
 * True when Herald must not connect to this IP address: loopback, private,
 * link-local, unique-local, multicast, unspecified, broadcast, reserved, CGNAT and
 * cloud metadata addresses, and IPv6 forms that embed one of those IPv4 addresses
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo). Input that is not an IP
 * address at all is refused too, so a caller can never fail open.
 */
export function isRefusedAddress(ip: string): boolean {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // ipaddr.isValid accepts shorthand like "127.1"; only full dotted quads and IPv6
  // reach here from a resolver or a WHATWG-normalised URL, but stay strict anyway.
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text)) return true;

  const address = ipaddr.parse(text);
  if (address.kind() === 'ipv4') return REFUSED_V4_RANGES.has(address.range());
  return isRefusedV6(address as ipaddr.IPv6);
}

function isRefusedV6(address: ipaddr.IPv6): boolean {
  const range = address.range();
  if (REFUSED_V6_RANGES.has(range)) return true;

  const embedded = embeddedIPv4(address, range);
  if (embedded) return REFUSED_V4_RANGES.has(embedded.range());

  // Only global unicast (2000::/3) is routed on the internet; anything else left
  // over (the deprecated IPv4-compatible ::a.b.c.d, local-use NAT64) is refused.
  return !address.match(GLOBAL_UNICAST_V6, 3);
}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parse('2000::');
const WELL_KNOWN_NAT64 = ipaddr.IPv6.parse('64:ff9b::');

// The IPv4 address a transition mechanism would carry this IPv6 address to.
function embeddedIPv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

  if (range === 'ipv4Mapped' || range === 'rfc6145') return v4(p[6], p[7]);
  if (range === 'rfc6052' && address.match(WELL_KNOWN_NAT64, 96)) return v4(p[6], p[7]);
  if (range === '6to4') return v4(p[1], p[2]);
  // Teredo stores the client's IPv4 address inverted in the last 32 bits.
  if (range === 'teredo') return v4(p[6] ^ 0xffff, p[7] ^ 0xffff);
  return undefined;
}

// `localhost` and its subdomains resolve to loopback by RFC 6761, whatever DNS says.
function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function isIpLiteral(hostname: string): boolean {
  if (hostname.startsWith('[')) return true;
  return ipaddr.IPv4.isValidFourPartDecimal(hostname);
}

/**
 * Checks a webhook endpoint URL and returns it normalised by the WHATWG URL parser
 * (so `https://2130706433/` comes back as `https://127.0.0.1/` and is judged as such).
 *
 * Throws an ApiError (422, field `url`) that quotes the URL and says what to change.
 * An explicit `:443` is accepted because the parser drops the default port.
 * Passing this check does not make a host safe to call: its name may resolve to a
 * private address, which the sender refuses at connect time.
 */
export function checkEndpointUrl(url: unknown, opts: UrlPolicyOptions): string {
  if (typeof url !== 'string') {
    throw invalid('url', `url must be a string (got ${url === null ? 'null' : typeof url})`);
  }
  if (url.length > MAX_URL_LENGTH) {
    throw invalid(
      'url',
      `url must be at most ${MAX_URL_LENGTH} characters (got ${url.length}); shorten the path ` +
        `or query`,
    );
  }

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(
      'url',
      `url must be an absolute URL such as https://example.com/hooks (got ${url})`,
    );
  }

  if (parsed.protocol !== 'https:') {
    throw invalid('url', `url must use https:// (got ${url})`);
  }
  if (parsed.username || parsed.password) {
    throw invalid(
      'url',
      `url must not carry a user name or password; put credentials in auth instead (got ` +
        `${redactUserinfo(parsed)})`,
    );
  }
  if (parsed.port && !opts.allowPrivateTargets) {
    throw invalid(
      'url',
      `url must not name a port; Herald calls the default HTTPS port 443 (got ${url})`,
    );
  }

  const hostname = parsed.hostname;
  if (!opts.allowPrivateTargets) {
    if (isLocalhostName(hostname)) {
      throw invalid('url', `url must not point at localhost; use a public host name (got ${url})`);
    }
    if (isIpLiteral(hostname) && isRefusedAddress(hostname)) {
      throw invalid(
        'url',
        `url must not point at a loopback, private, link-local or reserved address (got ${url}, ` +
          `host ${hostname})`,
      );
    }
  }

  const normalised = parsed.href;
  // Percent-encoding can lengthen a URL that was short enough as typed.
  if (normalised.length > MAX_URL_LENGTH) {
    throw invalid(
      'url',
      `url must be at most ${MAX_URL_LENGTH} characters once encoded (got ` +
        `${normalised.length}); shorten the path or query`,
    );
  }
  return normalised;
}

// The message quotes the URL, but never the password a caller pasted into it.
function redactUserinfo(parsed: URL): string {
  const copy = new URL(parsed.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}
