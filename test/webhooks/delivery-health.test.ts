/**
 * Endpoint health end to end: an endpoint whose every attempt fails for the disable
 * period (300 ms here, five days by default) is switched off; the owner hears of it
 * by email and by an `endpoint.disabled` event; its deliveries wait, and re-enabling
 * it sends them, in order for an ordered endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { PATIENCE_MS, caller, sleep } from '../e2e/api-steps.ts';

test('disables an endpoint failing for the whole period, tells the owner, resumes', async (t) => {
  // Retries outlast the disable period, so deliveries are still waiting when it ends.
  const h = await startTestHerald({
    endpointDisableAfterMs: 300,
    retrySchedule: Array(30).fill(100),
  });
  const failing = await startReceiver({ respond: () => ({ status: 500, body: 'down' }) });
  const watcher = await startReceiver();
  const sink = await startSmtpSink();
  t.after(async () => {
    await h.stop();
    await failing.close();
    await watcher.close();
    await sink.close();
  });

  // An owner of its own, with an alert address and a default SMTP profile.
  const created = await caller(h)('POST', '/v1/owners', { name: 'Acme Télécom' });
  const call = caller(h, created.key.secret);
  const owner = await call('PATCH', `/v1/owners/${created.id}`, {
    alertEmail: 'ops@acme.example',
  });
  assert.equal(owner.alertEmail, 'ops@acme.example');
  await call('POST', '/v1/smtp-profiles', {
    name: 'main',
    host: '127.0.0.1',
    port: sink.port,
    tls: 'none',
    fromAddress: 'herald@acme.example',
  });
  await call('POST', '/v1/accounts', { id: 'acc-1', name: 'Zoë Müller' });
  const endpoint = await call('POST', '/v1/endpoints', {
    name: 'Provisioning',
    url: failing.url,
    eventTypes: ['service.state_changed'],
    ordering: 'ordered',
  });
  await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });
  const alerts = await call('POST', '/v1/endpoints', {
    name: 'Alerts',
    url: watcher.url,
    eventTypes: ['endpoint.disabled'],
  });
  await call('POST', '/v1/subscriptions', { endpointId: alerts.id });
  watcher.setSecret(alerts.secret);
  failing.setSecret(endpoint.secret);

  const ids: string[] = [];
  for (let index = 0; index < 5; index++) {
    const data = sampleData('service.state_changed') as any;
    data.service.id = `svc-${index}`;
    const event = await call('POST', '/v1/events', {
      type: 'service.state_changed',
      accountId: 'acc-1',
      data,
    });
    ids.push(event.id);
  }

  // Disabled, with a reason.
  let shown = await call('GET', `/v1/endpoints/${endpoint.id}`);
  for (let tries = 0; shown.enabled && tries < PATIENCE_MS / 20; tries++) {
    await sleep(20);
    shown = await call('GET', `/v1/endpoints/${endpoint.id}`);
  }
  assert.equal(shown.enabled, false, 'never disabled');
  assert.match(shown.disabledReason, /every attempt failed/);

  // Announced: an event in the feed, a webhook to its subscriber, an email to the owner.
  const [hook] = await watcher.waitFor(1, PATIENCE_MS);
  assert.equal(hook.verified, true, hook.verifyError);
  const announced = hook.body as any;
  assert.equal(announced.type, 'endpoint.disabled');
  assert.equal(announced.data.endpoint.id, endpoint.id);
  assert.equal(announced.data.endpoint.name, 'Provisioning');
  assert.equal(announced.data.endpoint.url, failing.url);
  const feed = await call('GET', '/v1/events?limit=100');
  const disabledEvents = feed.data.filter((e: any) => e.type === 'endpoint.disabled');
  assert.equal(disabledEvents.length, 1, JSON.stringify(feed.data.map((e: any) => e.type)));
  assert.equal(disabledEvents[0].data.endpoint.id, endpoint.id);
  const [email] = await sink.waitFor(1, PATIENCE_MS);
  assert.deepEqual(email.envelope.to, ['ops@acme.example']);
  assert.equal(email.envelope.from, 'herald@acme.example');
  assert.match(email.parsed.subject ?? '', /Provisioning/);
  assert.ok(email.parsed.text?.includes(endpoint.id), email.parsed.text);

  // While it is off, its deliveries wait and nothing is called.
  const calledWhileOn = failing.received.length;
  await sleep(500);
  assert.equal(failing.received.length, calledWhileOn, 'a disabled endpoint was called');
  const waiting = await call('GET', `/v1/deliveries?endpointId=${endpoint.id}`);
  assert.deepEqual(
    waiting.data.map((d: any) => d.status),
    Array(5).fill('pending'),
  );

  // Back on: the receiver works again and every waiting event arrives, in order.
  failing.setResponder(() => ({ status: 200, body: 'back' }));
  const enabled = await call('PATCH', `/v1/endpoints/${endpoint.id}`, { enabled: true });
  assert.equal(enabled.enabled, true);
  assert.equal(enabled.disabledReason, null);
  await failing.waitFor(calledWhileOn + 5, PATIENCE_MS);
  await h.drain();

  const delivered = failing.received.slice(calledWhileOn);
  assert.deepEqual(
    delivered.map((r) => (r.body as any).data.service.id),
    ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4'],
  );
  for (const r of delivered) assert.equal(r.verified, true, r.verifyError);
  const done = await call('GET', `/v1/deliveries?endpointId=${endpoint.id}`);
  assert.deepEqual(
    done.data.map((d: any) => d.status),
    Array(5).fill('succeeded'),
  );
  // Every call before the switch-off went to the head of the queue.
  const heads = new Set(failing.received.slice(0, calledWhileOn).map((r) => r.id));
  assert.equal(heads.size, 1, 'an ordered endpoint tried only its head while failing');
});
