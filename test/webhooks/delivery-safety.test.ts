/**
 * Webhook safety end to end: with private targets off (the production default),
 * private and loopback URLs are refused when saved, and an address that only shows
 * as private once resolved is refused when connecting. An endpoint deleted or
 * disabled while its deliveries wait leaves the worker calm and Herald serving.
 *
 * Herald is only ever let call this machine: the private and public URLs saved here
 * get no subscription and no event, and a connect-time refusal happens before any
 * socket opens.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { createTestDatabase } from '../helpers/postgres-database.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { PATIENCE_MS, caller, settled, sleep } from '../e2e/api-steps.ts';
import { ACCOUNT_ID, assertLogged, startBench } from './fixtures-herald.ts';
import { startTokenServer } from './fixtures-servers.ts';

const REFUSED_URLS = [
  'https://127.0.0.1/',
  'https://127.1/',
  'https://[::1]/',
  'https://169.254.169.254/latest/meta-data',
  'https://2130706433/',
  'https://0177.0.0.1/',
  'https://0x7f.0.0.1/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:a9fe:a9fe]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[fd00:ec2::254]/',
  'https://10.1.2.3/',
  'https://172.16.0.1/',
  'https://192.168.1.1/',
  'https://100.100.100.200/',
  'https://0.0.0.0/',
  'https://[::]/',
  'https://224.0.0.1/',
  'https://localhost/',
  'https://LOCALHOST./',
  'https://hooks.localhost/',
  'https://hooks.example.com:8443/',
];

async function receiverFor(t: TestContext) {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  return receiver;
}

/**
 * A name in /etc/hosts whose every entry is a loopback address and that does not
 * look like localhost, so the save-time check lets it through. Read from the file,
 * so finding one sends no DNS query.
 */
function loopbackHostName(): string | undefined {
  const entries = readFileSync('/etc/hosts', 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter((fields) => fields.length >= 2);
  const loopback = (address: string) => address.startsWith('127.') || address === '::1';
  const names = entries.flatMap(([address, ...aliases]) => (loopback(address) ? aliases : []));
  return names.find(
    (name) =>
      !/(^|\.)localhost\.?$/i.test(name) &&
      entries.every(([address, ...aliases]) => !aliases.includes(name) || loopback(address)),
  );
}

describe('delivery safety', { concurrency: true }, () => {
  test('refuses private, loopback and metadata URLs when saved', async (t) => {
    const s = await startBench(t, { allowPrivateTargets: false });

    for (const url of REFUSED_URLS) {
      const answer = await s.h.api('POST', '/v1/endpoints', {
        name: 'refused',
        url,
        eventTypes: ['service.state_changed'],
      });
      assert.equal(answer.status, 422, `${url}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.field, 'url', url);
    }
    const oauth = await s.h.api('POST', '/v1/endpoints', {
      name: 'refused token url',
      url: 'https://hooks.example.com/in',
      eventTypes: ['service.state_changed'],
      auth: {
        type: 'oauth2',
        tokenUrl: 'https://10.0.0.5/token',
        clientId: 'c',
        clientSecret: 's',
      },
    });
    assert.equal(oauth.status, 422, JSON.stringify(oauth.body));
    assert.equal(oauth.body.error.field, 'auth.tokenUrl');

    // A public name passes (nothing is called: no subscription, no event), but cannot
    // be moved onto a private address afterwards.
    const ok = await s.call('POST', '/v1/endpoints', {
      name: 'public',
      url: 'https://hooks.example.com/in',
      eventTypes: ['service.state_changed'],
    });
    const moved = await s.h.api('PATCH', `/v1/endpoints/${ok.id}`, { url: 'https://[::1]/' });
    assert.equal(moved.status, 422, JSON.stringify(moved.body));
    assert.equal(moved.body.error.field, 'url');
    const listed = await s.call('GET', '/v1/endpoints');
    assert.deepEqual(
      listed.data.map((e: any) => e.url),
      ['https://hooks.example.com/in'],
    );
  });

  test('refuses at connect time a receiver saved while private targets were on', async (t) => {
    // Two Heralds in turn on one store: the first, with private targets on, saves the
    // endpoints; the second, with them off, must refuse to call them.
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-safety-'));
    const database = await createTestDatabase();
    const receiver = await receiverFor(t);
    const tokens = await startTokenServer({ clientId: 'c', clientSecret: 's', expiresIn: 60 });
    t.after(async () => {
      await tokens.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const shared = { dataDir, databaseUrl: database?.url, adminKey: 'hk_safety_test_admin' };

    const first = await startTestHerald(shared);
    let call = caller(first, shared.adminKey);
    await call('POST', '/v1/accounts', { id: ACCOUNT_ID, name: 'Zoë' });
    const direct = await call('POST', '/v1/endpoints', {
      name: 'loopback',
      url: receiver.url,
      eventTypes: ['service.state_changed'],
    });
    const viaToken = await call('POST', '/v1/endpoints', {
      name: 'loopback token server',
      url: receiver.url.replace('/hooks', '/oauth-hooks'),
      eventTypes: ['service.state_changed'],
      auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'c', clientSecret: 's' },
    });
    for (const endpoint of [direct, viaToken]) {
      await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });
    }
    await first.stop();

    const second = await startTestHerald({ ...shared, allowPrivateTargets: false });
    t.after(() => second.stop());
    call = caller(second, shared.adminKey);
    const event = await call('POST', '/v1/events', {
      type: 'service.state_changed',
      accountId: ACCOUNT_ID,
      data: sampleData('service.state_changed'),
    });
    const found = await call('GET', `/v1/deliveries?eventId=${event.id}`);
    assert.equal(found.data.length, 2);
    const byEndpoint = new Map<string, string>(found.data.map((d: any) => [d.endpointId, d.id]));

    const refused = await settled(call, byEndpoint.get(direct.id)!, 'failed');
    assert.equal(refused.attempts.length, 1, 'a refused address is not retried');
    assertLogged(refused.attempts[0]);
    assert.equal(refused.attempts[0].errorCode, 'address_refused');
    assert.equal(refused.attempts[0].statusCode, null);
    const noToken = await settled(call, byEndpoint.get(viaToken.id)!, 'failed');
    assert.equal(noToken.attempts.length, 1);
    assert.equal(noToken.attempts[0].errorCode, 'oauth_token_failed');
    assert.match(noToken.attempts[0].error, /refused to connect/);
    await sleep(500);
    assert.equal(receiver.received.length, 0, 'the receiver was called');
    assert.equal(tokens.hits.length, 0, 'the token server was called');
  });

  test('refuses at connect time a host name that resolves to loopback', async (t) => {
    const name = loopbackHostName();
    if (!name) return t.skip('/etc/hosts names no loopback host besides localhost');
    const s = await startBench(t, { allowPrivateTargets: false });
    const url = `https://${name}/hooks`;
    const endpoint = await s.endpoint(url);
    assert.equal(endpoint.url, url, 'the save-time check cannot know where a name points');

    const delivery = await s.settled(await s.post(endpoint.id), 'failed');

    assert.equal(delivery.attempts.length, 1);
    const [attempt] = delivery.attempts;
    assertLogged(attempt);
    assert.equal(attempt.errorCode, 'address_refused');
    assert.ok(attempt.error.includes(name), attempt.error);
  });

  test('cancels the waiting deliveries of a deleted endpoint and keeps serving', async (t) => {
    const s = await startBench(t);
    const receiver = await receiverFor(t);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.setResponder(async () => {
      await held;
      return { status: 200 };
    });
    t.after(() => release());
    const endpoint = await s.endpoint(receiver.url, { ordering: 'ordered' });
    const events = Array.from({ length: 50 }, () => ({
      type: 'service.state_changed',
      accountId: ACCOUNT_ID,
      data: sampleData('service.state_changed'),
    }));
    await s.call('POST', '/v1/events/batch', { events });
    await receiver.waitFor(1, PATIENCE_MS);

    await s.call('DELETE', `/v1/endpoints/${endpoint.id}`, undefined, 204);
    release();
    await s.h.drain();
    await sleep(300);

    const list = await s.call('GET', `/v1/deliveries?endpointId=${endpoint.id}&limit=100`);
    assert.equal(list.data.length, 50);
    const statuses = list.data.map((d: any) => d.status);
    assert.equal(statuses.filter((x: string) => x === 'cancelled').length, 49, statuses.join());
    const cancelled = list.data.filter((d: any) => d.status === 'cancelled');
    for (const d of cancelled) {
      const one = await s.call('GET', `/v1/deliveries/${d.id}`);
      assert.deepEqual(one.attempts, [], 'a cancelled delivery was tried');
      assert.match(one.lastError, /deleted/);
    }
    assert.equal(receiver.received.length, 1, 'calls were made after the deletion');
    assert.equal(s.h.herald.dispatcher.activeCount, 0, 'the worker is still busy');

    // Herald keeps serving: a new endpoint gets a new event at once.
    const next = await s.endpoint(receiver.url.replace('/hooks', '/next'));
    const delivered = await s.settled(await s.post(next.id), 'succeeded');
    assert.equal(delivered.attempts.length, 1);
  });

  test('counts no attempt on a delivery cancelled before it was tried', async (t) => {
    const s = await startBench(t);
    const receiver = await receiverFor(t);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.setResponder(async () => {
      await held;
      return { status: 200 };
    });
    t.after(() => release());
    const endpoint = await s.endpoint(receiver.url, { ordering: 'ordered' });
    await s.post(endpoint.id);
    const waiting = await s.post(endpoint.id);
    await receiver.waitFor(1, PATIENCE_MS);

    await s.call('DELETE', `/v1/endpoints/${endpoint.id}`, undefined, 204);
    release();
    await s.settled(waiting, 'cancelled');

    const list = await s.call('GET', `/v1/deliveries?endpointId=${endpoint.id}`);
    const shown = list.data.find((d: any) => d.id === waiting);
    assert.equal(shown.attempts, 0, JSON.stringify(shown));
  });

  test('keeps the deliveries of a disabled endpoint pending without calling it', async (t) => {
    const s = await startBench(t);
    const receiver = await receiverFor(t);
    const endpoint = await s.endpoint(receiver.url);
    await s.call('PATCH', `/v1/endpoints/${endpoint.id}`, { enabled: false });

    const ids = [await s.post(endpoint.id), await s.post(endpoint.id), await s.post(endpoint.id)];
    await sleep(600);

    assert.equal(receiver.received.length, 0, 'a disabled endpoint was called');
    for (const id of ids) {
      const delivery = await s.call('GET', `/v1/deliveries/${id}`);
      assert.equal(delivery.status, 'pending');
      assert.deepEqual(delivery.attempts, [], 'waiting is not an attempt');
    }

    await s.call('PATCH', `/v1/endpoints/${endpoint.id}`, { enabled: true });
    for (const id of ids) await s.settled(id, 'succeeded');
    assert.equal(receiver.received.length, 3);
  });
});
