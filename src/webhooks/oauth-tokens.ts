import { DeliveryError } from '../errors.ts';
import type { WebhookSender } from './webhook-sender.ts';

/** An endpoint's OAuth 2.0 client-credentials settings, with the secret opened. */
export interface OAuthClient {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

// Refresh a little before the server's expiry so a token never lapses mid-call.
const EXPIRY_MARGIN_MS = 30_000;
const DEFAULT_LIFETIME_S = 3600;

/**
 * Fetches and caches OAuth 2.0 access tokens (client credentials grant, RFC 6749
 * section 4.4) for endpoints that authenticate that way. The token request goes
 * through the webhook sender, so the token URL gets the same address checks,
 * timeouts and no-redirect rule as the webhook itself.
 */
export class OAuthTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly sender: WebhookSender,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid token for the endpoint; `cacheKey` changes when its settings change. */
  async token(cacheKey: string, client: OAuthClient): Promise<string> {
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    // Concurrent deliveries to one endpoint share a single token request.
    let request = this.pending.get(cacheKey);
    if (!request) {
      request = this.fetchToken(cacheKey, client).finally(() => this.pending.delete(cacheKey));
      this.pending.set(cacheKey, request);
    }
    return request;
  }

  /** Drops a token the receiver refused (401), so the next call fetches a new one. */
  invalidate(cacheKey: string): void {
    this.cache.delete(cacheKey);
  }

  private async fetchToken(cacheKey: string, client: OAuthClient): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (client.scope) form.set('scope', client.scope);
    if (client.audience) form.set('audience', client.audience);
    const basic = Buffer.from(
      `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
    ).toString('base64');
    const answer = await this.sender.send({
      url: client.tokenUrl,
      body: form.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${basic}`,
      },
    });
    if (!answer.ok) {
      const cause = answer.error;
      throw new DeliveryError(
        'oauth_token_failed',
        `the OAuth token endpoint did not issue a token: ` +
          `${cause?.message ?? `HTTP ${answer.status}`}`,
        cause?.transient ?? true,
        { stage: 'oauth', httpStatus: answer.status },
        { cause },
      );
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(answer.responseBody ?? '');
    } catch (error) {
      throw new DeliveryError(
        'oauth_token_invalid',
        'the OAuth token endpoint answered with something other than JSON',
        true,
        { stage: 'oauth', httpStatus: answer.status },
        { cause: error },
      );
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      throw new DeliveryError(
        'oauth_token_invalid',
        'the OAuth token endpoint answered without an access_token',
        true,
        { stage: 'oauth', httpStatus: answer.status },
      );
    }
    const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in : DEFAULT_LIFETIME_S;
    // A short-lived token keeps half its life, so it is still reused a while.
    const margin = Math.min(EXPIRY_MARGIN_MS, (lifetime * 1000) / 2);
    const expiresAt = this.now() + Math.max(0, lifetime * 1000 - margin);
    this.cache.set(cacheKey, { token: parsed.access_token, expiresAt });
    return parsed.access_token;
  }
}
