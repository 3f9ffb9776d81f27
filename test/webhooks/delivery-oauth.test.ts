/**
 * OAuth 2.0 client credentials end to end: a local HTTPS token server issues tokens
 * with an expiry, and the receiver accepts only a current one. Herald must fetch a
 * token once and reuse it, renew it when it expires or is refused with a 401, count
 * a token server outage as a failed attempt worth a retry, and show no credential.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import type { ReceivedWebhook } from '../helpers/https-receiver.ts';
import { PATIENCE_MS, sleep } from '../e2e/api-steps.ts';
import { startRelay } from '../e2e/tcp-relay.ts';
import { ACCOUNT_ID, assertLogged, startBench } from './fixtures-herald.ts';
import { assertHidden, everythingShown, guardedReceiver } from './fixtures-auth.ts';
import { startRawServer, startTokenServer, type TokenServerOptions } from './fixtures-servers.ts';

const CLIENT: TokenServerOptions = {
  clientId: 'herald client/1',
  clientSecret: 'cs-SECRET: ünïcode & co',
  expiresIn: 3600,
};

async function oauthSetUp(t: TestContext, options: Partial<TokenServerOptions> = {}) {
  const tokens = await startTokenServer({ ...CLIENT, ...options });
  t.after(() => tokens.close());
  const bearer = (hook: ReceivedWebhook) =>
    String(hook.headers.authorization ?? '').replace(/^Bearer /, '');
  const guarded = await guardedReceiver(t, (hook) => tokens.accepts(bearer(hook)));
  return { tokens, ...guarded, bearer };
}

const oauthAuth = (tokenUrl: string, clientSecret = CLIENT.clientSecret) => ({
  type: 'oauth2',
  tokenUrl,
  clientId: CLIENT.clientId,
  clientSecret,
  scope: 'hooks:write',
});

describe('OAuth 2.0 client credentials', { concurrency: true }, () => {
  test('fetches one OAuth token and reuses it across many deliveries', async (t) => {
    const s = await startBench(t);
    const { tokens, receiver, answered } = await oauthSetUp(t);
    const endpoint = await s.endpoint(receiver.url, { auth: oauthAuth(tokens.url) });

    // Ten at once, so concurrent deliveries must share one token request, then five more.
    const data = sampleData('service.state_changed');
    const events = Array.from({ length: 10 }, () => ({
      type: 'service.state_changed',
      accountId: ACCOUNT_ID,
      data,
    }));
    await s.call('POST', '/v1/events/batch', { events });
    await receiver.waitFor(10, PATIENCE_MS);
    for (let i = 0; i < 5; i++) await s.settled(await s.post(endpoint.id), 'succeeded');
    await s.h.drain();

    assert.equal(tokens.hits.length, 1, 'one token request for fifteen deliveries');
    const [request] = tokens.hits;
    const form = new URLSearchParams(request.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'hooks:write');
    assert.equal(answered.length, 15);
    for (const a of answered) {
      assert.equal(a.authorization, `Bearer ${tokens.issued[0]}`);
      assert.equal(a.status, 200);
    }
    assertHidden(await everythingShown(s), [CLIENT.clientSecret, ...tokens.issued]);
  });

  test('fetches a new OAuth token once the old one has expired', async (t) => {
    const s = await startBench(t);
    const { tokens, receiver, answered } = await oauthSetUp(t, { expiresIn: 2 });
    const endpoint = await s.endpoint(receiver.url, { auth: oauthAuth(tokens.url) });

    await s.settled(await s.post(endpoint.id), 'succeeded');
    await sleep(2500);
    await s.settled(await s.post(endpoint.id), 'succeeded');

    assert.ok(tokens.issued.length >= 2, `${tokens.issued.length} token(s) issued`);
    assert.deepEqual(
      answered.map((a) => a.status),
      [200, 200],
      'Herald sent an expired token',
    );
    assert.notEqual(answered[0].authorization, answered[1].authorization);
    assert.equal(answered[1].authorization, `Bearer ${tokens.issued.at(-1)}`);
  });

  test('on a 401 fetches a new OAuth token and retries at once', async (t) => {
    const s = await startBench(t);
    const { tokens, receiver, answered } = await oauthSetUp(t);
    const endpoint = await s.endpoint(receiver.url, { auth: oauthAuth(tokens.url) });
    await s.settled(await s.post(endpoint.id), 'succeeded');

    // The receiver's side rotates its keys: the cached token is refused from now on.
    tokens.revoke(tokens.issued[0]);
    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    assert.equal(tokens.issued.length, 2);
    const calls = answered.filter((a) => a.id === id);
    assert.deepEqual(
      calls.map((a) => [a.authorization, a.status]),
      [
        [`Bearer ${tokens.issued[0]}`, 401],
        [`Bearer ${tokens.issued[1]}`, 200],
      ],
    );
    const hooks = receiver.received.filter((hook) => hook.id === id);
    const gap = hooks[1].receivedAt - hooks[0].receivedAt;
    assert.ok(gap < 1000, `retried ${gap} ms after the 401, not at once`);
    assert.equal(delivery.attempts.at(-1).ok, true);
    delivery.attempts.forEach(assertLogged);
    assertHidden(await everythingShown(s), [CLIENT.clientSecret, ...tokens.issued]);
  });

  test(
    'logs the call the receiver refused with 401 beside the one with the renewed token ' + '',
    async (t) => {
      const s = await startBench(t);
      const { tokens, receiver } = await oauthSetUp(t);
      const endpoint = await s.endpoint(receiver.url, { auth: oauthAuth(tokens.url) });
      await s.settled(await s.post(endpoint.id), 'succeeded');
      tokens.revoke(tokens.issued[0]);

      const delivery = await s.settled(await s.post(endpoint.id), 'succeeded');

      // The refused call and the retry with a fresh token make one attempt; the log
      // keeps the refusal beside the call that succeeded.
      assert.deepEqual(
        delivery.attempts.map((a: any) => [a.statusCode, a.request.refusedToken?.status]),
        [[200, 401]],
        JSON.stringify(delivery.attempts),
      );
    },
  );

  test('logs how long a failed token request took', async (t) => {
    const s = await startBench(t, { webhookTimeoutMs: 500 });
    const { receiver } = await oauthSetUp(t);
    const stalled = await startRawServer(() => new Promise<void>(() => {}));
    t.after(() => stalled.close());
    const endpoint = await s.endpoint(receiver.url, {
      auth: oauthAuth(stalled.url('/oauth/token')),
    });

    const delivery = await s.settled(await s.post(endpoint.id), 'failed');

    const [first] = delivery.attempts;
    assert.equal(first.errorCode, 'oauth_token_failed');
    assert.ok(first.durationMs >= 450, `logged ${first.durationMs} ms for a 500 ms timeout`);
  });

  test('logs oauth_token_failed while the token server is down, and retries', async (t) => {
    const s = await startBench(t, { retrySchedule: Array(10).fill(200) });
    const { tokens, receiver } = await oauthSetUp(t);
    const relay = await startRelay(tokens.port);
    t.after(() => relay.close());
    const endpoint = await s.endpoint(receiver.url, {
      auth: oauthAuth(`https://127.0.0.1:${relay.port}/oauth/token`),
    });
    await relay.down();

    const id = await s.post(endpoint.id);
    let delivery = await s.call('GET', `/v1/deliveries/${id}`);
    for (let tries = 0; delivery.attempts.length < 2 && tries < 500; tries++) {
      await sleep(20);
      delivery = await s.call('GET', `/v1/deliveries/${id}`);
    }
    // Retried, so pending again, or already in its next attempt.
    assert.ok(
      ['pending', 'in_flight'].includes(delivery.status),
      `a token server outage is worth a retry (${delivery.status})`,
    );
    assert.ok(delivery.attempts.length >= 2, JSON.stringify(delivery));
    for (const attempt of delivery.attempts) {
      assertLogged(attempt);
      assert.equal(attempt.errorCode, 'oauth_token_failed');
      assert.equal(attempt.statusCode, null);
    }
    assert.equal(receiver.received.length, 0, 'no webhook goes out without a token');

    await relay.up();
    const delivered = await s.settled(id, 'succeeded');
    assert.equal(delivered.attempts.at(-1).ok, true);
    assert.equal(receiver.received.length, 1);
    assertHidden(await everythingShown(s), [CLIENT.clientSecret, ...tokens.issued]);
  });

  test('fails for good when the token server refuses the client', async (t) => {
    const s = await startBench(t);
    const { tokens, receiver } = await oauthSetUp(t);
    const endpoint = await s.endpoint(receiver.url, {
      auth: oauthAuth(tokens.url, 'cs-SECRET-wrong'),
    });

    const delivery = await s.settled(await s.post(endpoint.id), 'failed');

    assert.equal(delivery.attempts.length, 1, 'a refused client is not retried');
    assert.equal(delivery.attempts[0].errorCode, 'oauth_token_failed');
    assert.match(delivery.attempts[0].error, /401/);
    assert.equal(tokens.issued.length, 0);
    assert.equal(receiver.received.length, 0);
    assertHidden(await everythingShown(s), ['cs-SECRET-wrong', CLIENT.clientSecret]);
  });
});
