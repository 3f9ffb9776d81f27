/**
 * The credentials the secrets test hands Herald, the receiver that plays both the
 * webhook endpoints and the OAuth token server, and the check that each credential
 * was really sent (a search for leaks proves nothing about a secret never used).
 */
import assert from 'node:assert/strict';

export const SMTP_USER = 'herald-mailer';
export const CREDENTIALS = {
  smtpPassword: 'smtp-pa55word-Qx7!rV9zK',
  smtpPasswordRotated: 'smtp-rotated-pa55-Lm3#tW8',
  basicPassword: 'basic-pa55-Zr4$yU1oPq',
  bearerToken: 'bearer-tok-9fJ2kL5mN8pQ',
  bearerTokenRotated: 'bearer-rotated-3hG6jK9',
  oauthClientSecret: 'oauth-client-secret-7Yt5Re',
  oauthAccessToken: 'oauth-access-token-4Ws2Xc',
  headerValue: 'custom-header-value-8Bn6Vm',
};

/** Paths that have had their one 500 already. */
const retried = new Set<string>();

/** The receiver's answers: a token for the OAuth client, a first 500, a hard 400. */
export function answer(path: string, hook: { body: unknown; headers: Record<string, unknown> }) {
  if (path.endsWith('/token')) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        access_token: CREDENTIALS.oauthAccessToken,
        token_type: 'bearer',
        expires_in: 3600,
      }),
    };
  }
  const marker = (hook.body as any)?.data?.service?.name;
  if (marker === 'fail-hard') return { status: 400, body: 'refused' };
  if (marker === 'fail-once' && !retried.has(path)) {
    retried.add(path);
    return { status: 500, body: 'try again' };
  }
  return { status: 200, body: 'ok' };
}

/** The search proves something only if each credential was really sent. */
export function assertCredentialsWereUsed(
  hooks: { path: string; headers: Record<string, unknown> }[],
  emails: { username?: string }[],
) {
  const auth = (suffix: string) =>
    hooks.filter((h) => h.path.endsWith(suffix)).map((h) => String(h.headers.authorization));
  const basic = basicOf('hook-user', CREDENTIALS.basicPassword);
  assert.ok(auth('/basic').includes(`Basic ${basic}`), 'HTTP Basic was sent');
  assert.ok(auth('/bearer').includes(`Bearer ${CREDENTIALS.bearerToken}`), 'the bearer token');
  assert.ok(
    auth('/bearer').includes(`Bearer ${CREDENTIALS.bearerTokenRotated}`),
    'and its successor',
  );
  assert.ok(auth('/oauth').includes(`Bearer ${CREDENTIALS.oauthAccessToken}`), 'the OAuth token');
  const client = basicOf('herald-client', CREDENTIALS.oauthClientSecret);
  assert.ok(auth('/token').includes(`Basic ${client}`), 'the OAuth client credentials');
  assert.ok(
    hooks.every(
      (h) => h.path.endsWith('/token') || h.headers['x-api-key'] === CREDENTIALS.headerValue,
    ),
    'the custom header on every webhook',
  );
  assert.ok(emails.length > 0 && emails.every((e) => e.username === SMTP_USER), 'SMTP AUTH');
}

export function basicOf(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}
