import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Record ids: a short prefix that says what the record is, then a UUIDv7 without
 * dashes, so ids sort by creation time and are unguessable.
 */
export function newId(prefix: string): string {
  return `${prefix}_${uuidv7().replaceAll('-', '')}`;
}

/** A random secret string in base64url, for API keys and the like. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
