import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DeliveryError } from '../../src/errors.ts';
import {
  classifyNetworkError,
  classifyStatus,
  parseRetryAfter,
} from '../../src/webhooks/attempt-outcome.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  test('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  test('reads an HTTP date as seconds from now, and a past date as 0', () => {
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 12:01:30 GMT', now), 90);
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now), 0);
  });

  test('ignores a missing or unreadable value', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
  });
});

describe('classifyStatus', () => {
  test('counts every 2xx as ok', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      assert.deepEqual(classifyStatus(status, {}), { ok: true });
    }
  });

  test('retries 408, 425, 429 and 5xx', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) {
      const { ok, error } = classifyStatus(status, {});
      assert.equal(ok, false);
      assert.equal(error?.code, `http_${status}`);
      assert.equal(error?.transient, true, String(status));
    }
  });

  test('reads Retry-After on 429 and 503 only', () => {
    assert.equal(classifyStatus(429, { 'retry-after': '7' }).error?.context.retryAfterSeconds, 7);
    assert.equal(classifyStatus(503, { 'retry-after': ['9'] }).error?.context.retryAfterSeconds, 9);
    assert.equal(
      classifyStatus(500, { 'retry-after': '7' }).error?.context.retryAfterSeconds,
      undefined,
    );
  });

  test('does not retry other 4xx, and marks 410 as gone', () => {
    for (const status of [400, 401, 403, 404, 413, 422]) {
      const { error, gone } = classifyStatus(status, {});
      assert.equal(error?.transient, false, String(status));
      assert.equal(gone, undefined);
    }
    assert.equal(classifyStatus(410, {}).gone, true);
  });

  test('refuses to follow redirects and says where the receiver pointed', () => {
    const { error } = classifyStatus(301, { location: 'https://new.example.com/h' });
    assert.equal(error?.code, 'redirect_not_followed');
    assert.equal(error?.transient, false);
    assert.match(error?.message ?? '', /https:\/\/new\.example\.com\/h/);
    assert.match(classifyStatus(307, {}).error?.message ?? '', /without a Location/);
  });
});

describe('classifyNetworkError', () => {
  const withCode = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

  test('names the stage and keeps the cause', () => {
    const cause = withCode('ENOTFOUND');
    const error = classifyNetworkError(cause, 'hooks.example.com', 'request');
    assert.equal(error.code, 'dns_failed');
    assert.equal(error.context.stage, 'dns');
    assert.equal(error.transient, true);
    assert.equal(error.cause, cause);
    assert.match(error.message, /hooks\.example\.com/);
  });

  test('finds the code of an error wrapped in a cause', () => {
    const wrapped = new Error('fetch failed', { cause: withCode('ECONNRESET') });
    assert.equal(classifyNetworkError(wrapped, 'h', 'request').code, 'connection_reset');
  });

  test('reads OpenSSL codes as TLS failures', () => {
    assert.equal(
      classifyNetworkError(withCode('CERT_HAS_EXPIRED'), 'h', 'request').code,
      'tls_failed',
    );
    assert.equal(
      classifyNetworkError(withCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'h', 'request').context.stage,
      'tls',
    );
  });

  test('passes a DeliveryError through unchanged', () => {
    const refused = new DeliveryError('address_refused', 'no', false, { stage: 'connect' });
    assert.equal(classifyNetworkError(refused, 'h', 'request'), refused);
  });

  test('treats an unknown failure as transient and quotes it', () => {
    const error = classifyNetworkError(new Error('weird'), 'h', 'response');
    assert.equal(error.code, 'network_error');
    assert.equal(error.transient, true);
    assert.match(error.message, /weird/);
  });
});
