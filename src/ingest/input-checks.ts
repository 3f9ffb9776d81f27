import { invalid, type ApiError } from '../errors.ts';

/**
 * Checks that intake and the API routes beside it share, so that one input is
 * refused in one way and with one message wherever it is sent.
 */

/** An ISO 8601 date-time (a date, "T", a time) as epoch milliseconds. */
export function parseDateTime(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value as string)) {
    throw invalid(
      field,
      `${field} must be an ISO 8601 date-time like 2026-01-31T12:00:00Z ` +
        `(got ${JSON.stringify(value)})`,
    );
  }
  return ms;
}

export function unknownAccount(field: string, accountId: string): ApiError {
  return invalid(
    field,
    `account ${JSON.stringify(accountId)} is not known; create it with POST /v1/accounts first`,
    'unknown_account',
  );
}
