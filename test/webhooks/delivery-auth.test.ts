/**
 * Endpoint authentication on top of the signature, end to end: receivers that refuse
 * a request without the right HTTP Basic pair, bearer token or custom header, and a
 * scan of the API's answers for any credential that leaked into them. OAuth 2.0 has
 * its own file, delivery-oauth.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBench } from './fixtures-herald.ts';
import { assertHidden, everythingShown, guardedReceiver } from './fixtures-auth.ts';

const basicOf = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

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

  test('refuses at save credentials and header values that could never be sent', async (t) => {
    const s = await startBench(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ auth: { type: 'bearer', token: 'tok\r\nX-Evil: 1' } }, 'auth.token'],
      [{ auth: { type: 'bearer', token: 'tök 🎉' } }, 'auth.token'],
      [{ headers: { 'X-Note': 'party 🎉' } }, 'headers.X-Note'],
      [{ auth: { type: 'basic', username: 'ops:admin', password: 'pw' } }, 'auth.username'],
    ];
    for (const [fields, field] of cases) {
      const answer = await s.h.api('POST', '/v1/endpoints', {
        name: 'unsendable',
        url: 'https://127.0.0.1:9/hooks',
        eventTypes: ['service.state_changed'],
        ...fields,
      });
      assert.equal(answer.status, 422, `${JSON.stringify(fields)}: ${answer.status}`);
      assert.equal(answer.body.error.field, field);
    }
  });
});
