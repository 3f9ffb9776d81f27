import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import {
  ROUTES,
  assertApiError,
  assertTableCoversServer,
  pathFor,
  readAllPath,
  seedOwner,
  serverRoutes,
  serviceEvent,
  spec,
  type Seeded,
} from './api-fixtures.ts';

async function createOwner(h: TestHerald, name: string) {
  const r = await h.api('POST', '/v1/owners', { name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.key.secret, /^hk_/);
  return { id: r.body.id as string, key: r.body.key.secret as string };
}

/** Reads one of A's seeded records with A's own key, as it stands now. */
function readerOf(h: TestHerald, a: Seeded) {
  return async (target: keyof Seeded): Promise<unknown> => {
    if (target === 'keyId') {
      const r = await h.api('GET', '/v1/keys', undefined, { key: a.adminKey });
      return r.body.data.find((k: { id: string }) => k.id === a.keyId);
    }
    const [key] = Object.entries(ROUTES).find(
      ([k, s]) => k.startsWith('GET ') && s.target === target,
    )!;
    const path = key.slice(4).replace('{id}', encodeURIComponent(a[target]));
    const r = await h.api('GET', path, undefined, { key: a.adminKey });
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
}

test("an owner never sees or changes another owner's records", async (t) => {
  const h = await startTestHerald();
  const receiver = await startReceiver();
  t.after(async () => {
    await h.stop();
    await receiver.close();
  });
  const ownerA = await createOwner(h, 'Owner A');
  const ownerB = await createOwner(h, 'Owner B');
  const a = await seedOwner(h, ownerA.key, {
    accountId: 'acc-a',
    endpointUrl: receiver.url,
    label: 'A',
  });
  await h.drain();
  const bKey = ownerB.key;
  const routes = serverRoutes(h);
  const read = readerOf(h, a);

  await t.test('the route table covers every route the server registers', () => {
    assertTableCoversServer(routes);
  });

  await t.test("B's lists and settings show none of A's records", async () => {
    const zone = { timezone: 'Pacific/Chatham' };
    assert.equal(
      (await h.api('PATCH', '/v1/trigger-settings', zone, { key: a.adminKey })).status,
      200,
    );
    const theirs = await h.api('GET', '/v1/trigger-settings', undefined, { key: bKey });
    assert.notEqual(theirs.body.timezone, zone.timezone, "A's settings are A's alone");
    const secrets = Object.values(a);
    const lists = routes.filter((r) => r.method === 'GET' && !r.path.includes('{id}'));
    const filtered = [
      `/v1/deliveries?endpointId=${a.endpointId}`,
      `/v1/deliveries?eventId=${a.eventId}`,
      `/v1/deliveries?accountId=${a.accountId}`,
    ];
    for (const path of [...lists.map((r) => readAllPath(r, a)), ...filtered]) {
      const r = await h.api('GET', path, undefined, { key: bKey });
      assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
      const text = JSON.stringify(r.body);
      for (const value of secrets) assert.ok(!text.includes(value), `${path} shows ${value}`);
    }
  });

  await t.test("B cannot point its own records at A's records", async () => {
    let r = await h.api('POST', '/v1/subscriptions', { endpointId: a.endpointId }, { key: bKey });
    assertApiError(r, 422, { field: 'endpointId', code: 'unknown_endpoint', quiet: true });
    r = await h.api('POST', '/v1/subscriptions', { emailTemplateId: a.templateId }, { key: bKey });
    assertApiError(r, 422, {
      field: 'emailTemplateId',
      code: 'unknown_email_template',
      quiet: true,
    });
    const template = { ...ROUTES['POST /v1/email-templates'].body!(a) };
    r = await h.api(
      'POST',
      '/v1/email-templates',
      { ...template, smtpProfileId: a.smtpProfileId },
      { key: bKey },
    );
    assertApiError(r, 422, { field: 'smtpProfileId', code: 'unknown_smtp_profile', quiet: true });
    r = await h.api('POST', '/v1/events', serviceEvent(a.accountId), { key: bKey });
    assertApiError(r, 422, { field: 'accountId', code: 'unknown_account', quiet: true });
    await h.api('POST', '/v1/accounts', { id: 'acc-b' }, { key: bKey });
    const usage = { accountId: 'acc-b', quantity: 1, bucket: a.bucketId };
    r = await h.api('POST', '/v1/usage', usage, { key: bKey });
    assertApiError(r, 422, { field: 'bucket', code: 'unknown_bucket' });
    const contract = { ...ROUTES['POST /v1/contracts'].body!(a), accountId: 'acc-b' };
    r = await h.api('POST', '/v1/contracts', { ...contract, bucket: a.bucketId }, { key: bKey });
    assertApiError(r, 422, { field: 'bucket', code: 'unknown_bucket' });

    r = await h.api('POST', '/v1/email-templates', template, { key: bKey });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const preview = `/v1/email-templates/${r.body.id}/preview`;
    r = await h.api('POST', preview, { eventId: a.eventId }, { key: bKey });
    assertApiError(r, 404, { code: 'not_found' });
    r = await h.api('POST', preview, { accountId: a.accountId }, { key: bKey });
    assertApiError(r, 404, { code: 'not_found' });
  });

  const idRoutes = routes.filter((r) => r.path.includes('{id}'));
  await t.test('every :id route the server registers names a seeded record', () => {
    const tabled = Object.entries(ROUTES).filter(([key]) => key.includes('{id}'));
    assert.equal(idRoutes.length, tabled.length);
    for (const route of idRoutes) assert.ok(spec(route).target, `${route.key} has no target`);
  });

  // PUT creates in the caller's own namespace (account ids are the billing
  // platform's), so it is checked on its own below rather than expecting a 404.
  for (const route of idRoutes.filter((r) => r.method !== 'PUT')) {
    await t.test(`${route.key} with B's key is 404 and leaves A's record as it was`, async () => {
      const target = spec(route).target!;
      const before = await read(target);
      const path = pathFor(route, a);
      const r = await h.api(route.method, path, spec(route).body?.(a), { key: bKey });
      assertApiError(r, 404, { code: 'not_found' });
      assert.ok(
        !JSON.stringify(r.body).includes(`Account of A`),
        "owner A's account shows to owner B",
      );
      if (route.method === 'GET') {
        const head = await fetch(h.url + path, {
          method: 'HEAD',
          headers: { authorization: `Bearer ${bKey}` },
        });
        assert.equal(head.status, 404);
      }
      assert.deepEqual(await read(target), before, `${route.key} changed A's record`);
    });
  }

  await t.test("PUT of A's account id gives B an account of its own", async () => {
    const before = await read('accountId');
    const path = `/v1/accounts/${a.accountId}`;
    let r = await h.api('PUT', path, { name: 'Account of B' }, { key: bKey });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      { name: r.body.name, contacts: r.body.contacts, timezone: r.body.timezone },
      { name: 'Account of B', contacts: {}, timezone: undefined },
    );
    r = await h.api('GET', path, undefined, { key: bKey });
    assert.equal(r.body.name, 'Account of B');
    assert.deepEqual(await read('accountId'), before);
  });

  await t.test("A's keys still work after B's attempts", async () => {
    const r = await h.api('GET', '/v1/events', undefined, { key: a.keySecret });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(
      r.body.data.some((e: { id: string }) => e.id === a.eventId),
      "owner A's event missing from its own list",
    );
  });
});

const BAD_AUTHORIZATION: (string | undefined)[] = [
  undefined,
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNzd29yZA==',
  'Bearer hk_this_is_not_a_key',
  'Bearer two words',
  'hk_without_the_bearer_word',
];

test('a request without a valid key gets 401 on every route', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const withKey = [...BAD_AUTHORIZATION, `Bearer ${h.adminKey}x`, h.adminKey];
  for (const route of serverRoutes(h)) {
    const url = h.url + route.path.replace('{id}', 'some-id');
    for (const authorization of withKey) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? '{}' : undefined;
      const response = await fetch(url, { method: route.method, headers, body });
      const answer = (await response.json()) as any;
      const shown = `${route.key} with ${authorization}: ${JSON.stringify(answer)}`;
      assert.equal(response.status, 401, shown);
      assert.ok(['unauthenticated', 'invalid_key'].includes(answer.error.code), shown);
      assert.equal(answer.error.field, 'Authorization', shown);
    }
  }
});

test('a key without the scope a route needs gets 403, and one with it gets past', async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const owner = await createOwner(h, 'Scoped owner');
  const keys = new Map<string, string>([['admin', owner.key]]);
  for (const scope of [
    'events:create',
    'events:update',
    'events:delete',
    'events:read',
    'config',
  ]) {
    const r = await h.api('POST', '/v1/keys', { name: scope, scopes: [scope] }, { key: owner.key });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    keys.set(scope, r.body.secret);
  }
  for (const route of serverRoutes(h)) {
    const needed = spec(route).scope;
    const path = route.path.replace('{id}', 'missing-id');
    const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
    for (const [scope, key] of keys) {
      const r = await h.api(route.method, path, body, { key });
      const shown = `${route.key} with a ${scope} key: ${r.status} ${JSON.stringify(r.body)}`;
      if (needed === null || scope === needed || scope === 'admin') {
        // Past authentication and scope: a 4xx about the body or the id, or a 2xx.
        assert.ok(
          ![401, 403].includes(r.status) || r.body?.error?.code === 'not_platform_admin',
          shown,
        );
        assert.ok(r.status < 500, shown);
      } else {
        assertApiError(r, 403, { code: 'missing_scope', mentions: [needed] });
      }
    }
  }
});

test("only the platform owner's admin keys create owners", async (t) => {
  const h = await startTestHerald();
  t.after(() => h.stop());
  const b = await createOwner(h, 'Owner B');
  let r = await h.api('POST', '/v1/owners', { name: 'By B' }, { key: b.key });
  assertApiError(r, 403, { code: 'not_platform_admin' });
  r = await h.api('POST', '/v1/keys', { name: 'cfg', scopes: ['config'] }, { key: b.key });
  const configKey = r.body.secret;
  r = await h.api('POST', '/v1/owners', { name: 'By B config' }, { key: configKey });
  assertApiError(r, 403, { code: 'missing_scope' });

  r = await h.api('GET', `/v1/owners/${b.id}`, undefined, { key: b.key });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.name, 'Owner B');
  r = await h.api('GET', `/v1/owners/${b.id}`);
  assert.equal(r.status, 200, 'the platform admin reads any owner');
  r = await h.api('GET', '/v1/keys', undefined, { key: b.key });
  assert.ok(!JSON.stringify(r.body).includes(b.key), 'a key secret is shown once');
});
