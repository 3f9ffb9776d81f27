import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { caller, settled, type Call } from '../e2e/api-steps.ts';
import { cliFor, type Cli } from './cli-runner.ts';

/**
 * One Herald for the file: the platform owner has an endpoint that refuses
 * events of services named "bad-*" (3 failed, 2 succeeded), another owner has one
 * failed delivery. The read-only commands run first, the resends after them.
 */
let h: TestHerald;
let receiver: Receiver;
let cli: Cli;
let call: Call;
let otherCall: Call;
let endpointId: string;
let otherOwnerId: string;
let platformOwnerId: string;

function event(serviceId: string) {
  return {
    type: 'service.state_changed',
    accountId: 'acc-1',
    data: { service: { id: serviceId, name: 'Fibre', previousState: 'Active', newState: 'Off' } },
  };
}

async function seed(as: Call, serviceIds: string[]) {
  await as('POST', '/v1/accounts', { id: 'acc-1', name: 'Zoë Müller' });
  const endpoint = await as('POST', '/v1/endpoints', {
    name: 'flaky',
    url: receiver.url,
    eventTypes: ['service.state_changed'],
  });
  await as('POST', '/v1/subscriptions', { endpointId: endpoint.id });
  for (const id of serviceIds) await as('POST', '/v1/events', event(id));
  return endpoint.id as string;
}

before(async () => {
  h = await startTestHerald();
  receiver = await startReceiver();
  receiver.setResponder((hook) => {
    const id = (hook.body as any)?.data?.service?.id ?? '';
    return id.startsWith('bad') ? { status: 400, body: 'unknown service' } : { status: 200 };
  });
  cli = cliFor(h);
  call = caller(h);
  platformOwnerId = (await h.herald.store.listOwners())[0].id;
  endpointId = await seed(call, ['bad-1', 'good-1', 'bad-2', 'good-2', 'bad-3']);
  const other = await call('POST', '/v1/owners', { name: 'Other Reseller' });
  otherOwnerId = other.id;
  otherCall = caller(h, other.key.secret);
  await seed(otherCall, ['bad-other']);
  await h.drain();
});

after(async () => {
  await h.stop();
  await receiver.close();
});

test('deliveries --status failed lists every owner’s failed deliveries as a table', async () => {
  const r = await cli('deliveries', '--status', 'failed');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^DELIVERY +EVENT +TYPE +CHANNEL +STATUS +TRIES +UPDATED +LAST ERROR$/m);
  const rows = r.out.split('\n').filter((line) => line.startsWith('dlv_'));
  assert.equal(rows.length, 4, r.out);
  assert.ok(
    rows.every((row) => / failed +1 /.test(row)),
    r.out,
  );
  assert.match(r.out, new RegExp(`owner ${otherOwnerId} \\(Other Reseller\\)`));
  assert.match(r.out, /receiver answered 400/);
  assert.match(r.err, /4 failed deliveries/);
});

test('deliveries narrows by owner, stops at --limit and says so, writes JSON', async () => {
  let r = await cli('deliveries', '--status', 'failed', '--owner', otherOwnerId);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n').filter((line) => line.startsWith('dlv_')).length, 1);

  r = await cli('deliveries', '--limit', '2');
  assert.equal(r.out.split('\n').filter((line) => line.startsWith('dlv_')).length, 2);
  assert.match(r.err, /there are more: raise --limit/);

  r = await cli('deliveries', '--status', 'succeeded', '--json');
  const lines = r.out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(lines.length, 2);
  assert.ok(
    lines.every((d) => d.status === 'succeeded' && d.ownerId === platformOwnerId),
    JSON.stringify(lines),
  );
});

test('event shows the event with its deliveries and every attempt', async () => {
  const failed = await call('GET', '/v1/deliveries?status=failed');
  const delivery = failed.data[0];
  const r = await cli('event', delivery.eventId);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    new RegExp(`^event ${delivery.eventId}  service.state_changed  \\(accepted\\)`),
  );
  assert.match(r.out, /account +acc-1/);
  assert.match(r.out, /"id": "bad-1"/);
  assert.match(r.out, new RegExp(`${delivery.id}  webhook to endpoint ${endpointId}  failed`));
  assert.match(r.out, /#1  \S+  \d+ ms  HTTP 400  failed \(http_400\)/);
  assert.match(r.out, /response: unknown service/);

  const json = await cli('event', delivery.eventId, '--json');
  const document = JSON.parse(json.out);
  assert.equal(document.deliveries[0].attempts[0].statusCode, 400);
});

test('owners lists each owner with its delivery counts', async () => {
  const r = await cli('owners');
  assert.equal(r.code, 0, r.err);
  const platform = r.out.split('\n').find((line) => line.startsWith(platformOwnerId));
  assert.ok(platform, r.out);
  assert.match(platform, /Platform +yes .* 0 +0 +3$/);
  const other = r.out.split('\n').find((line) => line.startsWith(otherOwnerId));
  assert.match(other ?? '', /Other Reseller .* 1$/);
});

test('resend <deliveryId> requeues a failed delivery and Herald sends it', async () => {
  receiver.setResponder(() => ({ status: 200 }));
  const [delivery] = (await otherCall('GET', '/v1/deliveries?status=failed')).data;

  let r = await cli('resend', delivery.id);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`resent ${delivery.id} \\(was failed after 1 attempt\\)`));
  const done = await settled(otherCall, delivery.id, 'succeeded');
  assert.equal(done.attempts.length, 2);

  r = await cli('resend', 'dlv_nope');
  assert.equal(r.code, 1);
  assert.match(r.err, /no delivery dlv_nope/);
});

test('resend --endpoint --since resends every failed one in the range, counting', async () => {
  const since = '2000-01-01T00:00:00Z';
  let r = await cli('resend', '--endpoint', endpointId, '--since', since, '--dry-run');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /would resend 3 failed deliveries/);
  assert.equal((await call('GET', '/v1/deliveries?status=failed')).data.length, 3);

  r = await cli('resend', '--endpoint', endpointId, '--since', since, '--until', '2000-12-31');
  assert.match(r.out, /nothing to resend: 0 failed/);
  r = await cli('resend', '--endpoint', endpointId, '--since', '2999-01-01T00:00:00Z');
  assert.equal(r.code, 2);
  assert.match(r.err, /--until is before --since/);

  r = await cli('resend', '--endpoint', endpointId, '--since', since);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /resent 3 of 3/);
  assert.match(r.out, /resent 3 failed deliveries of endpoint/);
  await h.drain();
  assert.equal((await call('GET', '/v1/deliveries?status=failed')).data.length, 0);
});

test('resend refuses a queued delivery, and does nothing if one id is wrong', async () => {
  const [delivery] = (await call('GET', '/v1/deliveries?status=succeeded')).data;
  let r = await cli('resend', delivery.id, 'dlv_missing');
  assert.equal(r.code, 1);
  assert.match(r.err, /no delivery dlv_missing/);
  assert.equal((await call('GET', `/v1/deliveries/${delivery.id}`)).status, 'succeeded');

  const pending = await h.herald.store.listDeliveries(platformOwnerId, { limit: 1 });
  await h.herald.dispatcher.stop();
  await h.herald.store.requeueDelivery(platformOwnerId, pending[0].id, Date.now());
  r = await cli('resend', pending[0].id);
  assert.equal(r.code, 1);
  assert.match(r.err, /only finished deliveries are resent: .* is pending/);
});
