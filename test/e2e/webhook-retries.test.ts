/**
 * Webhook retries end to end, through the API: which answers are retried and how
 * the attempt log shows it, dead letters, manual resends, 410 disabling an endpoint,
 * and credentials kept out of the log. The harness retry schedule is [50, 100, 200]
 * ms, so a delivery gets four attempts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PATIENCE_MS, sleep } from './api-steps.ts';
import { inTurn, setUp } from './webhook-fixture.ts';

// Every test has its own Herald, receiver and relay, so they run side by side.
describe('webhook retries', { concurrency: true }, () => {
  test('retries a 503 twice and succeeds on the third attempt, logging each one', async (t) => {
    // Retries a second apart, so each attempt's webhook-timestamp is a different second.
    const s = await setUp(t, { retrySchedule: [1000, 1000] });
    const busy = { status: 503, body: 'x'.repeat(5000) };
    s.receiver.setResponder(inTurn(busy, busy));
    const endpoint = await s.endpoint();
    s.receiver.setSecret(endpoint.secret);

    const id = await s.post(endpoint.id);
    const hooks = await s.receiver.waitFor(3, PATIENCE_MS);
    const delivery = await s.settled(id, 'succeeded');

    assert.equal(delivery.attempts.length, 3);
    assert.equal(delivery.lastError, null);
    assert.deepEqual(
      delivery.attempts.map((a: any) => [a.number, a.statusCode, a.ok]),
      [
        [1, 503, false],
        [2, 503, false],
        [3, 200, true],
      ],
    );
    for (const [i, attempt] of delivery.attempts.entries()) {
      assert.ok(
        Number.isInteger(attempt.durationMs) && attempt.durationMs >= 0,
        attempt.durationMs,
      );
      // The log keeps the start of the body only: the first 4096 bytes.
      assert.equal(attempt.responseBody, i < 2 ? 'x'.repeat(4096) : 'thanks');
      assert.equal(attempt.errorCode, i < 2 ? 'http_503' : null);
      assert.equal(attempt.request.headers['webhook-id'], id);
      assert.equal(attempt.request.headers['webhook-timestamp'], hooks[i].timestamp);
      const startedSecond = Math.floor(Date.parse(attempt.startedAt) / 1000);
      assert.equal(
        Number(hooks[i].timestamp),
        startedSecond,
        'timestamp set when the attempt began',
      );
    }

    // Same id and body on every attempt; a fresh timestamp, so a fresh valid signature.
    for (const hook of hooks) {
      assert.equal(hook.verified, true, hook.verifyError);
      assert.equal(hook.id, id);
      assert.equal(hook.rawBody, hooks[0].rawBody);
    }
    const stamps = hooks.map((hook) => Number(hook.timestamp));
    assert.ok(stamps[0] < stamps[1] && stamps[1] < stamps[2], `timestamps ${stamps}`);
    assert.equal(new Set(hooks.map((hook) => hook.signature)).size, 3);
  });

  test('waits at least as long as a 429 Retry-After asks', async (t) => {
    const s = await setUp(t);
    s.receiver.setResponder(
      inTurn({ status: 429, body: 'slow down', headers: { 'retry-after': '1' } }),
    );
    const endpoint = await s.endpoint();

    const id = await s.post(endpoint.id);
    const hooks = await s.receiver.waitFor(2, PATIENCE_MS);
    const delivery = await s.settled(id, 'succeeded');

    const waited = hooks[1].receivedAt - hooks[0].receivedAt;
    assert.ok(waited >= 1000, `retried after ${waited} ms, before the asked 1 s`);
    assert.deepEqual(
      delivery.attempts.map((a: any) => a.statusCode),
      [429, 200],
    );
    assert.match(delivery.attempts[0].error, /Retry-After 1 s/);
  });

  test('does not retry a 400', async (t) => {
    const s = await setUp(t);
    s.receiver.setResponder(() => ({ status: 400, body: 'bad payload' }));
    const endpoint = await s.endpoint();

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'failed');
    // Longer than the whole retry schedule: a retry would have come by now.
    await sleep(500);

    assert.equal(s.receiver.received.length, 1);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].statusCode, 400);
    assert.equal(delivery.attempts[0].responseBody, 'bad payload');
    assert.match(delivery.lastError, /400/);
    const again = await s.call('GET', `/v1/deliveries/${id}`);
    assert.equal(again.status, 'failed');
    assert.equal(again.attempts.length, 1);
  });

  test('dead-letters a delivery to a receiver that is down, resends it once up', async (t) => {
    const s = await setUp(t);
    const endpoint = await s.endpoint();
    s.receiver.setSecret(endpoint.secret);
    await s.relay.down();

    const id = await s.post(endpoint.id);
    const failed = await s.settled(id, 'failed');
    assert.equal(failed.attempts.length, 4, 'one attempt and the three retries of the schedule');
    assert.ok(failed.lastError, 'a dead letter says why');
    for (const attempt of failed.attempts) {
      assert.equal(attempt.statusCode, null);
      assert.equal(attempt.errorCode, 'connection_refused');
      assert.ok(attempt.error, 'a failed attempt says why');
    }
    const starts = failed.attempts.map((a: any) => Date.parse(a.startedAt));
    [50, 100, 200].forEach((delay, i) => {
      const gap = starts[i + 1] - starts[i];
      assert.ok(gap >= delay, `retry ${i + 1} came ${gap} ms after, before ${delay} ms`);
    });
    assert.equal(s.receiver.received.length, 0);

    await s.relay.up();
    const resent = await s.call('POST', `/v1/deliveries/${id}/resend`, undefined, 202);
    assert.equal(resent.status, 'pending');
    const [hook] = await s.receiver.waitFor(1, PATIENCE_MS);
    assert.equal(hook.verified, true, hook.verifyError);
    assert.equal(hook.id, id, 'a resend keeps the delivery id');
    const delivered = await s.settled(id, 'succeeded');
    assert.equal(delivered.attempts.length, 5);
    assert.ok(
      delivered.attempts.some((a: any) => a.ok && a.statusCode === 200),
      'no attempt was answered 200',
    );
  });

  test('numbers the attempts of a resent delivery after the earlier ones', async (t) => {
    const s = await setUp(t);
    s.receiver.setResponder(inTurn({ status: 400 }));
    const endpoint = await s.endpoint();

    const id = await s.post(endpoint.id);
    await s.settled(id, 'failed');
    await s.call('POST', `/v1/deliveries/${id}/resend`, undefined, 202);
    const delivered = await s.settled(id, 'succeeded');

    assert.deepEqual(
      delivered.attempts.map((a: any) => [a.number, a.statusCode]),
      [
        [1, 400],
        [2, 200],
      ],
    );
  });

  test('resend-failed requeues the failed deliveries of one endpoint in a range', async (t) => {
    const s = await setUp(t);
    const since = new Date(Date.now() - 1000).toISOString();
    const endpoint = await s.endpoint();
    const other = await s.endpoint();
    s.receiver.setSecret(endpoint.secret);
    await s.relay.down();

    // Every event goes to both endpoints.
    const ids = [await s.post(endpoint.id), await s.post(endpoint.id), await s.post(endpoint.id)];
    const listed = await s.call('GET', `/v1/deliveries?endpointId=${other.id}`);
    const otherIds: string[] = listed.data.map((d: any) => d.id);
    assert.equal(otherIds.length, 3);
    for (const id of [...ids, ...otherIds]) await s.settled(id, 'failed');
    await s.relay.up();

    const before = { since: '2020-01-01T00:00:00Z', until: since };
    let answer = await s.call('POST', `/v1/endpoints/${endpoint.id}/resend-failed`, before, 202);
    assert.deepEqual(answer, { requeued: 0 }, 'nothing failed before the range ends');
    const until = new Date().toISOString();
    answer = await s.call(
      'POST',
      `/v1/endpoints/${endpoint.id}/resend-failed`,
      { since, until },
      202,
    );
    assert.deepEqual(answer, { requeued: 3 });

    const hooks = await s.receiver.waitFor(3, PATIENCE_MS);
    assert.deepEqual(hooks.map((hook) => hook.id).sort(), [...ids].sort());
    for (const hook of hooks) assert.equal(hook.verified, true, hook.verifyError);
    for (const id of ids) await s.settled(id, 'succeeded');
    await sleep(200);
    // At least once: a call cut short under load may arrive twice, but only these
    // three deliveries arrive; the other endpoint's dead letters stay put.
    const arrived = new Set(s.receiver.received.map((hook) => hook.id));
    assert.deepEqual([...arrived].sort(), [...ids].sort(), "the other endpoint's stay put");
    assert.ok(
      otherIds.every((id) => !arrived.has(id)),
      'another delivery arrived',
    );
    for (const id of otherIds) {
      const delivery = await s.call('GET', `/v1/deliveries/${id}`);
      assert.equal(delivery.status, 'failed');
    }

    const backwards = { since: until, until: since };
    await s.call('POST', `/v1/endpoints/${endpoint.id}/resend-failed`, backwards, 422);
  });

  test('a 410 disables the endpoint', async (t) => {
    const s = await setUp(t);
    s.receiver.setResponder(() => ({ status: 410, body: 'gone' }));
    const endpoint = await s.endpoint();

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'failed');
    assert.equal(delivery.attempts.length, 1, 'a 410 is not retried');
    assert.equal(delivery.attempts[0].statusCode, 410);

    let shown = await s.call('GET', `/v1/endpoints/${endpoint.id}`);
    for (let tries = 0; shown.enabled && tries < 100; tries++) {
      await sleep(20);
      shown = await s.call('GET', `/v1/endpoints/${endpoint.id}`);
    }
    assert.equal(shown.enabled, false);
    assert.match(shown.disabledReason, /410/);

    await s.post(endpoint.id);
    await sleep(300);
    assert.equal(s.receiver.received.length, 1, 'a disabled endpoint is not called');
  });

  test('keeps the secret, auth and custom header values out of the attempt log', async (t) => {
    const s = await setUp(t);
    // Both endpoints take every event, and the four deliveries race: failing each
    // webhook's first attempt, not merely the first request, gives each delivery
    // looked at below a failed attempt to check.
    const seen = new Set<string>();
    s.receiver.setResponder((hook) => {
      if (seen.has(hook.id)) return { status: 200, body: 'thanks' };
      seen.add(hook.id);
      return { status: 500, body: 'oops' };
    });
    const bearer = await s.endpoint({
      auth: { type: 'bearer', token: 'tok-SECRET-1' },
      headers: { 'X-Api-Key': 'key-SECRET-2' },
    });
    const basic = await s.endpoint({
      auth: { type: 'basic', username: 'herald', password: 'pw-SECRET-3' },
    });

    const bearerId = await s.post(bearer.id);
    const basicId = await s.post(basic.id);
    await s.receiver.waitFor(4, PATIENCE_MS);
    const bearerDelivery = await s.settled(bearerId, 'succeeded');
    const basicDelivery = await s.settled(basicId, 'succeeded');

    // The receiver did get the credentials...
    const got = s.receiver.received.find((hook) => hook.id === bearerId)!;
    assert.equal(got.headers.authorization, 'Bearer tok-SECRET-1');
    assert.equal(got.headers['x-api-key'], 'key-SECRET-2');
    const gotBasic = s.receiver.received.find((hook) => hook.id === basicId)!;
    const pair = Buffer.from('herald:pw-SECRET-3').toString('base64');
    assert.equal(gotBasic.headers.authorization, `Basic ${pair}`);

    // ...and the log shows the header names, never their values, on failed attempts too.
    const attempts = [...bearerDelivery.attempts, ...basicDelivery.attempts];
    assert.deepEqual(
      attempts.map((a: any) => a.ok),
      [false, true, false, true],
      'each delivery failed once, then succeeded',
    );
    for (const attempt of bearerDelivery.attempts) {
      assert.equal(attempt.request.headers.authorization, '[redacted]');
      assert.equal(attempt.request.headers['x-api-key'], '[redacted]');
    }
    for (const attempt of basicDelivery.attempts) {
      assert.equal(attempt.request.headers.authorization, '[redacted]');
    }
    const shown = JSON.stringify([
      bearerDelivery,
      basicDelivery,
      await s.call('GET', `/v1/endpoints/${bearer.id}`),
      await s.call('GET', `/v1/endpoints/${basic.id}`),
      await s.call('GET', '/v1/deliveries'),
    ]);
    for (const secret of ['tok-SECRET-1', 'key-SECRET-2', 'pw-SECRET-3', pair]) {
      assert.ok(!shown.includes(secret), `${secret} shows through the API`);
    }
    for (const secret of [bearer.secret, basic.secret]) {
      assert.ok(!shown.includes(secret.slice('whsec_'.length)), 'a signing secret shows');
    }
  });
});
