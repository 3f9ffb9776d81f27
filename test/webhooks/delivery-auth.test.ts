/**
 * Endpoint authentication on top of the signature, end to end: receivers that refuse
 * a request without the right HTTP Basic pair, bearer token, custom header or OAuth
 * 2.0 access token; a local token server for the client-credentials grant; and a
 * scan of the API's answers for any credential that leaked into them.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import { startReceiver, type ReceivedWebhook } from '../helpers/https-receiver.ts';
import { PATIENCE_MS, sleep } from '../e2e/api-steps.ts';
import { startRelay } from '../e2e/tcp-relay.ts';
import { ACCOUNT_ID, assertLogged, startBench, type Bench } from './fixtures-herald.ts';
import { startTokenServer, type TokenServerOptions } from './fixtures-servers.ts';

/** A receiver that answers 200 only when `allowed` says the request may in; else 401. */
async function guardedReceiver(t: TestContext, allowed: (hook: ReceivedWebhook) => boolean) {
  const answered: { id: string; authorization: string; status: number }[] = [];
  const receiver = await startReceiver({
    respond: (hook) => {
      const status = allowed(hook) ? 200 : 401;
      answered.push({ id: hook.id, authorization: String(hook.headers.authorization), status });
      return { status, body: status === 200 ? 'welcome' : 'who are you?' };
    },
  });
  t.after(() => receiver.close());
  return { receiver, answered };
}

/** Everything the API shows about the endpoints and their deliveries, as one JSON text. */
async function everythingShown(s: Bench): Promise<string> {
  const endpoints = await s.call('GET', '/v1/endpoints');
  const list = await s.call('GET', '/v1/deliveries?limit=1000');
  const deliveries = [];
  for (const d of list.data) deliveries.push(await s.call('GET', `/v1/deliveries/${d.id}`));
  const each = [];
  for (const e of endpoints.data) each.push(await s.call('GET', `/v1/endpoints/${e.id}`));
  return JSON.stringify({ endpoints, each, list, deliveries });
}

function assertHidden(shown: string, secrets: string[]) {
  for (const secret of secrets) {
    assert.ok(!shown.includes(secret), `${secret} shows through the API`);
  }
}

const basicOf = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

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

describe('endpoint authentication', { concurrency: true }, () => {
  test('sends the HTTP Basic pair the receiver checks', async (t) => {
    const s = await startBench(t);
    const password = 'pw-SECRET: Grüße 🔑';
    const expected = basicOf('herald-bot', password);
    const { receiver, answered } = await guardedReceiver(
      t,
      (hook) => hook.headers.authorization === expected,
    );
    const endpoint = await s.endpoint(receiver.url, {
      auth: { type: 'basic', username: 'herald-bot', password },
    });

    const delivery = await s.settled(await s.post(endpoint.id), 'succeeded');

    assert.deepEqual(
      answered.map((a) => a.status),
      [200],
    );
    assert.equal(delivery.attempts.length, 1);
    assert.deepEqual((await s.call('GET', `/v1/endpoints/${endpoint.id}`)).auth, {
      type: 'basic',
      username: 'herald-bot',
    });
    assertHidden(await everythingShown(s), [password, expected.slice('Basic '.length)]);
  });

  test('sends the bearer token and custom headers the receiver checks', async (t) => {
    const s = await startBench(t);
    const { receiver, answered } = await guardedReceiver(
      t,
      (hook) =>
        hook.headers.authorization === 'Bearer tok-SECRET-42' &&
        hook.headers['x-api-key'] === 'key-SECRET-7' &&
        hook.headers['x-tenant'] === 'north',
    );
    const endpoint = await s.endpoint(receiver.url, {
      auth: { type: 'bearer', token: 'tok-SECRET-42' },
      headers: { 'X-Api-Key': 'key-SECRET-7', 'X-Tenant': 'north' },
    });

    await s.settled(await s.post(endpoint.id), 'succeeded');

    assert.deepEqual(
      answered.map((a) => a.status),
      [200],
    );
    const shown = await s.call('GET', `/v1/endpoints/${endpoint.id}`);
    assert.deepEqual(shown.headers, { 'X-Api-Key': '[redacted]', 'X-Tenant': '[redacted]' });
    assertHidden(await everythingShown(s), ['tok-SECRET-42', 'key-SECRET-7']);
  });

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
    assert.equal(delivery.status, 'pending', 'a token server outage is worth a retry');
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
