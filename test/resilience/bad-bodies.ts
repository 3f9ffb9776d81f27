/**
 * fast-check generators of hostile request bodies, built around a body a route
 * accepts: random JSON, a field of the wrong type, a 100 KB string, nesting 1000
 * deep, invalid UTF-8 bytes, header-injection strings, prototype keys and raw
 * noise. Each comes as the exact bytes to send, with a label for failure messages.
 */
import fc from 'fast-check';
import { NUL_ON_POSTGRES } from './known-bugs.ts';

export interface BadBody {
  label: string;
  bytes: Buffer;
}

type Path = (string | number)[];

/** Header-injection attempts: line breaks of every kind, encoded ones, NUL. */
export const INJECTIONS = [
  'a\r\nBcc: x@evil.test',
  'a\nBcc: x@evil.test',
  'a\rBcc: x@evil.test',
  'a\r\n\r\nInjected body',
  'a\r\n Bcc: x@evil.test',
  '=?utf-8?Q?a=0D=0ABcc:_x@evil.test?=',
  'a\u2028Bcc: x@evil.test',
  'a\u0085Bcc: x@evil.test',
  'a\u0000Bcc: x@evil.test',
  'x@evil.test>\r\nBcc: <y@evil.test',
  '"Eve\r\n" <x@evil.test>',
];

/**
 * The attempts generated here. While PostgreSQL answers U+0000 with a 500 (see
 * known-bugs.ts), the PostgreSQL pass leaves NUL to the test written for it, so
 * that the generated runs can still find other faults there.
 */
const ATTEMPTS = NUL_ON_POSTGRES ? INJECTIONS.filter((s) => !s.includes('\u0000')) : INJECTIONS;

/** A short text around one injection attempt. */
export const injectionString = fc
  .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...ATTEMPTS), fc.string({ maxLength: 12 }))
  .map(([before, attempt, afterwards]) => before + attempt + afterwards);

/** Byte sequences no UTF-8 decoder should accept as they are. */
const INVALID_UTF8 = [
  [0xc3, 0x28],
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

const HUGE = 100_000;
const DEPTH = 1000;
const PLACEHOLDER = 'BAD_UTF8_GOES_HERE';

const json = (label: string, value: unknown): BadBody => ({
  label,
  bytes: Buffer.from(JSON.stringify(value), 'utf8'),
});

/** Paths to every primitive inside `value`, arrays included. */
export function leafPaths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return prefix.length ? [prefix] : [];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  const paths = entries.flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
  return paths.length || !prefix.length ? paths : [prefix];
}

export function getAt(value: any, path: Path): unknown {
  return path.reduce((node, key) => node?.[key], value);
}

/** A deep copy of `value` with `replacement` at `path`, creating what is missing. */
export function setAt(value: unknown, path: Path, replacement: unknown): any {
  if (path.length === 0) return replacement;
  const copy: any = structuredClone(value ?? {});
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  node[path.at(-1)!] = replacement;
  return copy;
}

/** Nesting `depth` deep, built without recursion. */
function nested(kind: 'array' | 'object', depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

const show = (path: Path) => path.join('.') || 'body';

/**
 * Bad bodies around `valid` (a body the route accepts). `fields` are the route's
 * top-level field names, so that fields the valid body leaves out are hit too.
 */
export function badBodies(valid: Record<string, unknown>, fields: string[]): fc.Arbitrary<BadBody> {
  const leaves = leafPaths(valid);
  const paths: Path[] = [[], ...fields.map((f) => [f]), ...leaves];
  const strings = leaves.filter((p) => typeof getAt(valid, p) === 'string');
  const textPaths: Path[] = strings.length ? strings : fields.map((f) => [f]);
  const anyPath = fc.constantFrom(...paths);
  const textPath = fc.constantFrom(...(textPaths.length ? textPaths : [['name']]));

  const everyString = (text: string) =>
    strings.reduce((body, p) => setAt(body, p, text), valid as unknown);

  return fc.oneof(
    fc.jsonValue().map((v) => json('random JSON', v)),
    fc
      .tuple(anyPath, fc.jsonValue())
      .map(([p, v]) => json(`a random value at ${show(p)}`, setAt(valid, p, v))),
    fc
      .tuple(anyPath, fc.constantFrom('x', 'é', '€', '😀', '<', '\\', '"'))
      .map(([p, ch]) =>
        json(
          `a 100 KB string of ${JSON.stringify(ch)} at ${show(p)}`,
          setAt(valid, p, ch.repeat(HUGE / ch.length)),
        ),
      ),
    fc
      .tuple(anyPath, fc.constantFrom('array' as const, 'object' as const))
      .map(([p, kind]) =>
        json(`${kind}s nested ${DEPTH} deep at ${show(p)}`, setAt(valid, p, nested(kind, DEPTH))),
      ),
    fc.tuple(textPath, fc.constantFrom(...INVALID_UTF8)).map(([p, bad]) => {
      const text = JSON.stringify(setAt(valid, p, `ok ${PLACEHOLDER} ok`));
      const [head, tail] = text.split(PLACEHOLDER);
      const bytes = Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)]);
      return { label: `invalid UTF-8 ${Buffer.from(bad).toString('hex')} at ${show(p)}`, bytes };
    }),
    fc
      .tuple(textPath, injectionString)
      .map(([p, s]) => json(`injection at ${show(p)}: ${JSON.stringify(s)}`, setAt(valid, p, s))),
    injectionString.map((s) =>
      json(`injection in every string: ${JSON.stringify(s)}`, everyString(s)),
    ),
    fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => {
      const inner = JSON.stringify(valid).slice(1, -1);
      const raw = `{"${key}":{"polluted":true,"isAdmin":true}${inner ? `,${inner}` : ''}}`;
      return { label: `a ${key} key`, bytes: Buffer.from(raw) };
    }),
    fc
      .uint8Array({ maxLength: 300 })
      .map((b) => ({ label: 'random bytes', bytes: Buffer.from(b) })),
  );
}
