/**
 * The console's only way to the API: every call goes to /v1 on the same origin with
 * the signed-in key as a bearer token. A 401 means the key is gone or revoked, so it
 * is forgotten and the app is told to show the sign-in form again.
 */
import { forgetKey, storedKey } from '../session.ts';

/** An API error answer, in the contract's `{error: {code, message, field}}` shape. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let signedOut: () => void = () => {};

/** Called after a 401, once the key has been forgotten. */
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

/**
 * One API call. `candidateKey` checks a key before it is kept (sign-in): its 401 is
 * the sign-in form's error, not a reason to sign out.
 */
export async function apiCall<T>(
  method: string,
  path: string,
  body?: unknown,
  candidateKey?: string,
): Promise<T> {
  const key = candidateKey ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';

  const response = await fetch(`/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;

  if (response.status === 401 && candidateKey === undefined) {
    forgetKey();
    signedOut();
  }
  if (!response.ok) {
    const error = (parsed as { error?: Partial<ApiFailure> } | undefined)?.error;
    throw new ApiFailure(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `Herald answered ${response.status} ${response.statusText}`,
      error?.field,
    );
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'not_json', message: text.slice(0, 300) } };
  }
}

/** GET of a list route: the records in its `data`. */
export async function listOf<T>(path: string): Promise<T[]> {
  return (await apiCall<{ data: T[] }>('GET', path)).data;
}
