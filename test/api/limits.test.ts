import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHerald } from '../helpers/herald-harness.ts';

test('a key over its request rate gets 429 with Retry-After, and other keys do not', async (t) => {
  const h = await startTestHerald({ apiRateLimitPerSecond: 5 });
  t.after(() => h.stop());
  const other = await h.api('POST', '/v1/keys', { name: 'other', scopes: ['config'] });
  assert.equal(other.status, 201);

  const answers = await Promise.all(
    Array.from({ length: 12 }, () => h.api('GET', '/v1/event-types')),
  );
  const limited = answers.filter((a) => a.status === 429);
  assert.ok(limited.length >= 5, `expected some 429s, got ${answers.map((a) => a.status)}`);
  assert.equal(limited[0].body.error.code, 'rate_limited');
  assert.match(limited[0].body.error.message, /requests in a second/);
  assert.ok(Number(limited[0].headers.get('retry-after')) >= 1, 'a 429 says when to retry');

  const fromOther = await h.api('GET', '/v1/contact-types', undefined, { key: other.body.secret });
  assert.equal(fromOther.status, 200, 'the limit counts per key');
});

test('an owner may keep at most the configured number of endpoints', async (t) => {
  const h = await startTestHerald({ maxEndpointsPerOwner: 2 });
  t.after(() => h.stop());
  const endpoint = (n: number) => ({
    name: `ep ${n}`,
    url: `https://hooks.example.com/${n}`,
    eventTypes: ['invoice.posted'],
  });
  assert.equal((await h.api('POST', '/v1/endpoints', endpoint(1))).status, 201);
  assert.equal((await h.api('POST', '/v1/endpoints', endpoint(2))).status, 201);
  const third = await h.api('POST', '/v1/endpoints', endpoint(3));
  assert.equal(third.status, 409);
  assert.equal(third.body.error.code, 'endpoint_limit');
  assert.match(third.body.error.message, /at most 2 endpoints/);
  const list = await h.api('GET', '/v1/endpoints');
  assert.equal(list.body.data.length, 2, 'the refused endpoint was not written');
});
