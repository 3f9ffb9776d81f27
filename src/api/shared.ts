import { Type, type Static, type TObject } from '@sinclair/typebox';
import { invalid } from '../errors.ts';

/** Schema pieces that many routes use. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const PageQuery = Type.Object(
  {
    after: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);

/**
 * A union told apart by its `type` field. Ajv then checks only the branch the
 * value names, so an error says what that branch lacks ("auth.password is
 * required") instead of what the first branch would have wanted.
 */
export function Discriminated<T extends TObject[]>(variants: [...T]) {
  const union = Type.Union(variants);
  return Type.Unsafe<Static<typeof union>>({
    type: 'object',
    required: ['type'],
    discriminator: { propertyName: 'type' },
    oneOf: variants,
  });
}

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    field: Type.Optional(Type.String()),
  }),
});

/** Cursors are opaque to clients: the row sequence number in base64url. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = /^s(\d+)$/.exec(text)?.[1];
  if (seq === undefined) {
    throw invalid(
      'after',
      `after must be a cursor returned as nextCursor (got ${JSON.stringify(cursor)})`,
    );
  }
  return Number(seq);
}

export function pageLimit(raw: string | undefined, fallback = 100, max = 1000): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (n < 1 || n > max) throw invalid('limit', `limit must be between 1 and ${max} (got ${raw})`);
  return n;
}

export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
