import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHerald, type ApiAnswer } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { assertApiError, freshOwner, serviceEvent, type OwnerApi } from './api-fixtures.ts';

// One Herald for the file; each test works in an owner of its own.
const h = await startTestHerald();
test.after(() => h.stop());

async function receiverFor(t: TestContext) {
  const receiver = await startReceiver();
  // Closing a receiver while a delivery is on its way to it stalls the close.
  t.after(async () => {
    await h.drain();
    await receiver.close();
  });
  return receiver;
}

const profile = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  host: '127.0.0.1',
  port: 2525,
  tls: 'none',
  fromAddress: `${name}@example.com`,
  ...extra,
});

async function createProfiles(api: OwnerApi, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await api('POST', '/v1/smtp-profiles', profile(`p${i}`));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  return ids;
}

async function defaults(api: OwnerApi): Promise<string[]> {
  const r = await api('GET', '/v1/smtp-profiles');
  return r.body.data.filter((p: any) => p.isDefault).map((p: any) => p.id);
}

/** Fails when any answer holds one of the secrets, anywhere in its body or headers. */
function assertNoSecrets(answers: ApiAnswer[], secrets: string[]): void {
  for (const answer of answers) {
    const text = JSON.stringify(answer.body) + JSON.stringify([...answer.headers]);
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
}

test('the first SMTP profile is the default and making another default swaps', async () => {
  const { api } = await freshOwner(h);
  const [first, second] = await createProfiles(api, 2);
  assert.deepEqual(await defaults(api), [first]);

  const r = await api('PATCH', `/v1/smtp-profiles/${second}`, { isDefault: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.isDefault, true);
  assert.deepEqual(await defaults(api), [second]);
  assert.equal((await api('GET', `/v1/smtp-profiles/${first}`)).body.isDefault, false);

  const third = await api('POST', '/v1/smtp-profiles', profile('p2', { isDefault: true }));
  assert.equal(third.body.isDefault, true);
  assert.deepEqual(await defaults(api), [third.body.id]);
});

test('exactly one default survives 20 concurrent make-default PATCHes', async () => {
  const { api } = await freshOwner(h);
  const ids = await createProfiles(api, 5);
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      api('PATCH', `/v1/smtp-profiles/${ids[i % ids.length]}`, { isDefault: true }),
    ),
  );
  for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
  const [winner, ...others] = await defaults(api);
  assert.ok(ids.includes(winner), `winner ${winner} is none of the writers`);
  assert.deepEqual(others, []);
  for (const id of ids) {
    const r = await api('GET', `/v1/smtp-profiles/${id}`);
    assert.equal(r.body.isDefault, id === winner, `${id} agrees with the list`);
  }
});

test('a profile made default while being deleted leaves exactly one default', async () => {
  const { api } = await freshOwner(h);
  await createProfiles(api, 1);
  for (let round = 0; round < 10; round++) {
    const [id] = await createProfiles(api, 1);
    await Promise.all([
      api('DELETE', `/v1/smtp-profiles/${id}`),
      api('PATCH', `/v1/smtp-profiles/${id}`, { isDefault: true }),
    ]);
    assert.equal((await defaults(api)).length, 1, `round ${round}`);
  }
});

test('an edit racing a delete never brings the record back', async () => {
  const { api } = await freshOwner(h);
  await createProfiles(api, 1);
  for (let round = 0; round < 10; round++) {
    const [id] = await createProfiles(api, 1);
    const [deleted, edited] = await Promise.all([
      api('DELETE', `/v1/smtp-profiles/${id}`),
      api('PATCH', `/v1/smtp-profiles/${id}`, { name: `renamed ${round}` }),
    ]);
    const after = await api('GET', `/v1/smtp-profiles/${id}`);
    const outcome = `${deleted.status}/${edited.status}/${after.status}`;
    assert.ok(['204/404/404', '204/200/404'].includes(outcome), `round ${round}: ${outcome}`);
    if (edited.status === 404) assertApiError(edited, 404, { code: 'not_found', quiet: true });
  }
});

test('the default profile can be neither deleted nor unset', async () => {
  const { api } = await freshOwner(h);
  const [first, second] = await createProfiles(api, 2);
  assertApiError(await api('DELETE', `/v1/smtp-profiles/${first}`), 409, {
    code: 'default_profile',
  });
  const r = await api('PATCH', `/v1/smtp-profiles/${first}`, { isDefault: false });
  assertApiError(r, 409, { code: 'default_required', field: 'isDefault', quiet: true });
  assert.deepEqual(await defaults(api), [first]);
  assert.equal((await api('DELETE', `/v1/smtp-profiles/${second}`)).status, 204);
  assert.equal((await api('GET', `/v1/smtp-profiles/${first}`)).status, 200);
});

test('an SMTP password is written but never returned', async () => {
  const { api } = await freshOwner(h);
  const password = 'smtp-pass-7f3a9c';
  const created = await api('POST', '/v1/smtp-profiles', profile('main', { password }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.hasPassword, true);
  const id = created.body.id;
  const answers = [
    created,
    await api('GET', `/v1/smtp-profiles/${id}`),
    await api('GET', '/v1/smtp-profiles'),
    await api('PATCH', `/v1/smtp-profiles/${id}`, { name: 'renamed' }),
  ];
  assertNoSecrets(answers, [password]);
  for (const a of answers) {
    const shown = a.body.data?.[0] ?? a.body;
    assert.equal(shown.hasPassword, true);
    assert.deepEqual(
      Object.keys(shown).filter((k) => /password|sealed/i.test(k)),
      ['hasPassword'],
    );
  }
  const cleared = await api('PATCH', `/v1/smtp-profiles/${id}`, { password: '' });
  assert.equal(cleared.body.hasPassword, false);
});

test('an endpoint secret is shown on create and rotate only', async (t) => {
  const { api } = await freshOwner(h);
  const receiver = await receiverFor(t);
  await api('POST', '/v1/accounts', { id: 'acc-1' });
  const url = receiver.url;
  const created = await api('POST', '/v1/endpoints', {
    name: 'ops',
    url,
    eventTypes: ['service.state_changed'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { id, secret } = created.body;
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]{20,}$/);
  await api('POST', '/v1/subscriptions', { endpointId: id });

  const rotated = await api('POST', `/v1/endpoints/${id}/rotate-secret`, { graceSeconds: 600 });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.match(rotated.body.secret, /^whsec_/);
  assert.notEqual(rotated.body.secret, secret);
  assert.ok(
    Date.parse(rotated.body.previousSecretsExpireAt) > Date.now(),
    'the previous secrets expire in the future',
  );

  const later = [
    await api('GET', `/v1/endpoints/${id}`),
    await api('GET', '/v1/endpoints'),
    await api('PATCH', `/v1/endpoints/${id}`, { name: 'renamed' }),
  ];
  assertNoSecrets(later, [secret, rotated.body.secret, 'whsec_']);
  for (const a of later) assert.equal((a.body.data?.[0] ?? a.body).secret, undefined);

  // During the grace period a receiver holding either secret verifies the call.
  for (const [n, held] of [secret, rotated.body.secret].entries()) {
    receiver.setSecret(held);
    await api('POST', '/v1/events', serviceEvent('acc-1'));
    const hooks = await receiver.waitFor(n + 1);
    assert.equal(hooks[n].verified, true, hooks[n].verifyError);
  }
  await h.drain();
  const log = await api('GET', '/v1/deliveries');
  const attempts = await Promise.all(
    log.body.data.map((d: { id: string }) => api('GET', `/v1/deliveries/${d.id}`)),
  );
  assertNoSecrets([log, ...attempts], [secret, rotated.body.secret]);
});

test('rotate-secret works without a body', async () => {
  const { api } = await freshOwner(h);
  const created = await api('POST', '/v1/endpoints', {
    name: 'ops',
    url: 'https://127.0.0.1:1/unused',
    eventTypes: ['service.state_changed'],
  });
  const r = await api('POST', `/v1/endpoints/${created.body.id}/rotate-secret`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.secret, /^whsec_/);
});

test('endpoint credentials and header values are never returned', async (t) => {
  const { api } = await freshOwner(h);
  const receiver = await receiverFor(t);
  const secrets = ['basic-pw-5d1e', 'header-value-9b2c', 'bearer-token-3a7f'];
  await api('POST', '/v1/accounts', { id: 'acc-1' });
  const created = await api('POST', '/v1/endpoints', {
    name: 'ops',
    url: receiver.url,
    eventTypes: ['service.state_changed'],
    auth: { type: 'basic', username: 'hook-user', password: secrets[0] },
    headers: { 'X-Api-Key': secrets[1] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  assert.deepEqual(created.body.auth, { type: 'basic', username: 'hook-user' });
  assert.deepEqual(created.body.headers, { 'X-Api-Key': '[redacted]' });
  receiver.setSecret(created.body.secret);
  await api('POST', '/v1/subscriptions', { endpointId: id });
  await api('POST', '/v1/events', serviceEvent('acc-1'));
  const [basic] = await receiver.waitFor(1);
  const pair = Buffer.from(`hook-user:${secrets[0]}`).toString('base64');
  assert.equal(basic.headers.authorization, `Basic ${pair}`, 'the stored password is used');
  assert.equal(basic.headers['x-api-key'], secrets[1]);

  const patched = await api('PATCH', `/v1/endpoints/${id}`, {
    auth: { type: 'bearer', token: secrets[2] },
  });
  assert.deepEqual(patched.body.auth, { type: 'bearer' });
  await api('POST', '/v1/events', serviceEvent('acc-1'));
  const [, bearer] = await receiver.waitFor(2);
  assert.equal(bearer.headers.authorization, `Bearer ${secrets[2]}`);
  await h.drain();

  const log = await api('GET', '/v1/deliveries');
  const answers = [
    created,
    patched,
    await api('GET', `/v1/endpoints/${id}`),
    await api('GET', '/v1/endpoints'),
    await api('POST', `/v1/endpoints/${id}/rotate-secret`, {}),
    log,
    ...(await Promise.all(
      log.body.data.map((d: { id: string }) => api('GET', `/v1/deliveries/${d.id}`)),
    )),
  ];
  assertNoSecrets(answers, [...secrets, pair]);
});

test('racing edits leave one billing and one email-default contact type', async () => {
  const { api } = await freshOwner(h);
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await api('POST', '/v1/contact-types', { name: `type-${i}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  const answers = await Promise.all(
    ids.flatMap((id, i) => [
      api('PATCH', `/v1/contact-types/${id}`, { isBilling: true }),
      api('PATCH', `/v1/contact-types/${id}`, { isEmailDefault: true, isBilling: i % 2 === 0 }),
    ]),
  );
  for (const r of answers) assert.equal(r.status, 200, JSON.stringify(r.body));
  const holders = async (flag: string) =>
    (await api('GET', '/v1/contact-types')).body.data
      .filter((c: any) => c[flag])
      .map((c: any) => c.id);
  // The last write of a type may have turned its flag off: at most one holds each.
  assert.ok((await holders('isBilling')).length <= 1, 'two billing types');
  assert.ok((await holders('isEmailDefault')).length <= 1, 'two email defaults');
  const r = await api('PATCH', `/v1/contact-types/${ids[0]}`, { isBilling: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(await holders('isBilling'), [ids[0]]);
});

test('contact type names are unique per owner', async () => {
  const { api } = await freshOwner(h);
  const first = await api('POST', '/v1/contact-types', { name: 'billing' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await api('POST', '/v1/contact-types', { name: 'billing', isBilling: true });
  assertApiError(again, 409, { code: 'contact_type_exists', field: 'name', mentions: ['billing'] });

  const racing = await Promise.all(
    Array.from({ length: 10 }, () => api('POST', '/v1/contact-types', { name: 'service' })),
  );
  const statuses = racing.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array(9).fill(409)]);
  const list = await api('GET', '/v1/contact-types');
  assert.deepEqual(list.body.data.map((c: { name: string }) => c.name).sort(), [
    'billing',
    'service',
  ]);
  assert.equal(list.body.data.find((c: any) => c.name === 'billing').isBilling, false);

  const other = await freshOwner(h, 'Other');
  const theirs = await other.api('POST', '/v1/contact-types', { name: 'billing' });
  assert.equal(theirs.status, 201, 'another owner may use the same name');
});

test('account contacts of an unknown contact type are refused by name', async () => {
  const { api } = await freshOwner(h);
  await api('POST', '/v1/contact-types', { name: 'billing' });
  const contacts = { technical: { email: 'tech@example.com' } };
  let r = await api('POST', '/v1/accounts', { id: 'acc-1', contacts });
  assertApiError(r, 422, {
    code: 'unknown_contact_type',
    field: 'contacts.technical',
    mentions: ['billing'],
  });
  assert.deepEqual((await api('GET', '/v1/accounts')).body.data, []);

  r = await api('POST', '/v1/accounts', { id: 'acc-1' });
  assert.equal(r.status, 201);
  r = await api('PATCH', '/v1/accounts/acc-1', { name: 'Renamed', contacts });
  assertApiError(r, 422, { code: 'unknown_contact_type', field: 'contacts.technical' });
  const stored = await api('GET', '/v1/accounts/acc-1');
  assert.equal(stored.body.name, undefined, 'the refused PATCH changed nothing');
  assert.deepEqual(stored.body.contacts, {});
});
