/**
 * Secret rotation while events keep flowing, checked the way receivers check: every
 * request is verified with two independent libraries, `standardwebhooks` and `svix`,
 * against the old and the new secret. The bodies carry emoji, accented letters and
 * U+2028, which a signer that re-encodes or escapes the JSON would get wrong.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { sampleData } from '../../src/catalog/index.ts';
import { startReceiver, type ReceivedWebhook } from '../helpers/https-receiver.ts';
import { PATIENCE_MS, sleep } from '../e2e/api-steps.ts';
import { startBench } from './fixtures-herald.ts';

const ACCOUNT_NAME = 'Zoë Ångström-Nuñez 🎉\u2028Straße';
const SERVICE_NAME = 'Fibre 💡 café\u2028naïve ✓';

/** Whether each library accepts `hook` under `secret`, as [standardwebhooks, svix]. */
function verifies(secret: string, hook: ReceivedWebhook): [boolean, boolean] {
  const headers = {
    'webhook-id': hook.id,
    'webhook-timestamp': hook.timestamp,
    'webhook-signature': hook.signature,
  };
  const accepted = (verify: () => unknown) => {
    try {
      verify();
      return true;
    } catch {
      return false;
    }
  };
  return [
    accepted(() => new StandardWebhook(secret).verify(hook.rawBody, headers)),
    accepted(() => new SvixWebhook(secret).verify(hook.rawBody, headers)),
  ];
}

async function setUp(t: TestContext) {
  const s = await startBench(t, {}, ACCOUNT_NAME);
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const endpoint = await s.endpoint(receiver.url, {
    ordering: 'ordered',
    parameters: [{ name: 'greeting', value: 'Grüße, {{account.name}} ✨' }],
  });
  const data = sampleData('service.state_changed') as any;
  data.service.name = SERVICE_NAME;

  /** Posts one event and waits until the receiver has it; returns that request. */
  const send = async () => {
    const count = receiver.received.length;
    await s.post(endpoint.id, { data });
    const hooks = await receiver.waitFor(count + 1, PATIENCE_MS);
    return hooks[count];
  };
  const rotate = (graceSeconds: number) =>
    s.call('POST', `/v1/endpoints/${endpoint.id}/rotate-secret`, { graceSeconds });
  return { s, receiver, endpoint, send, rotate };
}

/** The body arrived as Herald rendered it, characters intact. */
function assertBodyIntact(hook: ReceivedWebhook) {
  const body = hook.body as any;
  assert.equal(body.data.account.name, ACCOUNT_NAME);
  assert.equal(body.data.service.name, SERVICE_NAME);
  assert.equal(body.parameters.greeting, `Grüße, ${ACCOUNT_NAME} ✨`);
  assert.ok(hook.rawBody.includes('\u2028'), 'U+2028 is sent as itself, not escaped');
}

const signatures = (hook: ReceivedWebhook) => hook.signature.split(' ').length;

describe('secret rotation', { concurrency: true }, () => {
  test('signs with the old secret until the grace ends, and with the new one after', async (t) => {
    const { send, rotate, endpoint } = await setUp(t);
    const old = endpoint.secret;

    const before = [await send(), await send(), await send()];
    const rotated = await rotate(3);
    const fresh: string = rotated.secret;
    assert.notEqual(fresh, old);
    assert.equal(rotated.secret.startsWith('whsec_'), true);
    const graceEnds = Date.parse(rotated.previousSecretsExpireAt);
    const during = [await send(), await send(), await send()];
    // Past the end of the grace, by more than a second of timestamp rounding.
    await sleep(graceEnds - Date.now() + 1100);
    const after = [await send(), await send(), await send()];

    for (const hook of before) {
      assertBodyIntact(hook);
      assert.deepEqual(verifies(old, hook), [true, true], 'before the rotation: old secret');
      assert.equal(signatures(hook), 1);
    }
    // An attempt signs with the old secret when it starts before the grace ends; the
    // timestamp header gives that start to the second.
    const startedBy = (hook: ReceivedWebhook) => Number(hook.timestamp) * 1000 + 999;
    assert.ok(startedBy(during[0]) < graceEnds, 'a slow machine used up the whole grace');
    for (const hook of during.filter((h) => startedBy(h) < graceEnds)) {
      assertBodyIntact(hook);
      assert.deepEqual(verifies(old, hook), [true, true], 'during the grace: old secret');
      assert.deepEqual(verifies(fresh, hook), [true, true], 'during the grace: new secret');
      assert.equal(signatures(hook), 2);
    }
    for (const hook of [...during, ...after]) {
      assertBodyIntact(hook);
      assert.deepEqual(verifies(fresh, hook), [true, true], 'after the rotation: new secret');
    }
    for (const hook of after) {
      assert.deepEqual(verifies(old, hook), [false, false], 'after the grace: old secret');
      assert.equal(signatures(hook), 1);
    }
  });

  test('with graceSeconds 0 the old secret stops at once', async (t) => {
    const { send, rotate, endpoint } = await setUp(t);
    const old = endpoint.secret;

    const before = await send();
    const rotated = await rotate(0);
    const after = [await send(), await send()];

    assert.deepEqual(verifies(old, before), [true, true]);
    for (const hook of after) {
      assertBodyIntact(hook);
      assert.deepEqual(verifies(old, hook), [false, false], 'the old secret still signs');
      assert.deepEqual(verifies(rotated.secret, hook), [true, true]);
      assert.equal(signatures(hook), 1);
    }
  });

  test('a second rotation during the grace keeps all three secrets valid', async (t) => {
    const { send, rotate, endpoint } = await setUp(t);

    const second = await rotate(60);
    const third = await rotate(60);
    const hook = await send();

    assertBodyIntact(hook);
    assert.equal(signatures(hook), 3);
    for (const secret of [endpoint.secret, second.secret, third.secret]) {
      assert.deepEqual(verifies(secret, hook), [true, true]);
    }
  });
});
