/**
 * Webhook delivery to receivers that misbehave, end to end through the API of a real
 * Herald: slow, hanging, failing, cutting the connection mid-answer, redirecting, and
 * answering without end. Each case reads the attempt log back from
 * GET /v1/deliveries/:id. The harness retries after 50, 100 and 200 ms.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { sleep } from '../e2e/api-steps.ts';
import { assertLogged, startBench } from './fixtures-herald.ts';
import { startRawServer, type RawHandler } from './fixtures-servers.ts';

async function receiverFor(t: TestContext, handler?: RawHandler) {
  const server = await startRawServer(handler);
  t.after(() => server.close());
  return server;
}

/** Runs each handler for one request in turn, then answers 200 for ever. */
function inTurn(...handlers: RawHandler[]): RawHandler {
  let next = 0;
  return (hit, res) => {
    const handler = handlers[next++];
    if (handler) return handler(hit, res);
    res.writeHead(200).end('thanks');
  };
}

/**
 * The retries after a timed-out first attempt: on a loaded machine a quick answer can
 * still miss a 500 ms timeout, so any of them may time out too, but the last delivers
 * and each one was a request the receiver saw.
 */
function assertRetriedUntilDelivered(retries: any[], requests: number) {
  assert.ok(retries.length >= 1, 'never retried');
  assert.equal(retries.at(-1).ok, true);
  for (const retry of retries.slice(0, -1)) assert.equal(retry.errorCode, 'timeout');
  assert.equal(requests, retries.length + 1, 'one request per attempt');
}

const never: RawHandler = () => new Promise<void>(() => {});

/** Resolves when the response can take more bytes, or is gone. */
const writable = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    res.once('drain', resolve);
    res.once('close', resolve);
  });

describe('delivery to misbehaving receivers', { concurrency: true }, () => {
  test('delivers to a receiver that answers after a second, inside a 3 s timeout', async (t) => {
    const s = await startBench(t, { webhookTimeoutMs: 3000 });
    const server = await receiverFor(t, async (_hit, res) => {
      await sleep(1000);
      res.writeHead(200).end('took my time');
    });
    const endpoint = await s.endpoint(server.url());

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    assert.equal(delivery.attempts.length, 1, JSON.stringify(delivery.attempts));
    const [attempt] = delivery.attempts;
    assertLogged(attempt);
    assert.equal(attempt.statusCode, 200);
    assert.equal(attempt.responseBody, 'took my time');
    assert.ok(attempt.durationMs >= 950, `took ${attempt.durationMs} ms, the receiver waited 1 s`);
  });

  test('logs a receiver that never answers as a timeout, and retries it', async (t) => {
    const s = await startBench(t, { webhookTimeoutMs: 500, retrySchedule: Array(8).fill(50) });
    const server = await receiverFor(t, inTurn(never));
    const endpoint = await s.endpoint(server.url());

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    delivery.attempts.forEach(assertLogged);
    const [hung, ...rest] = delivery.attempts;
    assert.deepEqual([hung.ok, hung.statusCode, hung.errorCode], [false, null, 'timeout']);
    assert.ok(
      hung.durationMs >= 450 && hung.durationMs < 3000,
      `timed out after ${hung.durationMs} ms with a 500 ms timeout`,
    );
    assert.match(hung.error, /500 ms/);
    assertRetriedUntilDelivered(rest, server.hits.length);
  });

  test('logs a receiver that stalls in the middle of its answer as a timeout', async (t) => {
    const s = await startBench(t, { webhookTimeoutMs: 500, retrySchedule: Array(8).fill(50) });
    const stall: RawHandler = (_hit, res) => {
      res.writeHead(200, { 'content-length': '100', 'content-type': 'text/plain' });
      res.write('the first few bytes');
    };
    const server = await receiverFor(t, inTurn(stall));
    const endpoint = await s.endpoint(server.url());

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    delivery.attempts.forEach(assertLogged);
    const [stalled, ...rest] = delivery.attempts;
    assert.deepEqual(
      [stalled.ok, stalled.statusCode, stalled.errorCode],
      [false, 200, 'timeout'],
      'the status that did arrive is kept',
    );
    assert.ok(stalled.durationMs >= 450, `timed out after ${stalled.durationMs} ms`);
    assertRetriedUntilDelivered(rest, server.hits.length);
  });

  test('retries a 500 and logs the start of its body', async (t) => {
    const s = await startBench(t);
    const server = await receiverFor(
      t,
      inTurn((_hit, res) => void res.writeHead(500).end('boom: database unavailable')),
    );
    const endpoint = await s.endpoint(server.url());

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    delivery.attempts.forEach(assertLogged);
    assert.deepEqual(
      delivery.attempts.map((a: any) => [a.statusCode, a.errorCode, a.responseBody]),
      [
        [500, 'http_500', 'boom: database unavailable'],
        [200, null, 'thanks'],
      ],
    );
    assert.match(delivery.attempts[0].error, /500/);
    assert.equal(server.hits[0].headers['webhook-id'], server.hits[1].headers['webhook-id']);
  });

  test('treats a connection cut in the middle of the answer as transient', async (t) => {
    const s = await startBench(t);
    const cut: RawHandler = (_hit, res) => {
      // Promise a body of 1000 bytes, send 12, then drop the connection.
      res.writeHead(200, { 'content-length': '1000', 'content-type': 'text/plain' });
      res.write('partial body', () => setTimeout(() => res.socket?.destroy(), 20));
    };
    const server = await receiverFor(t, inTurn(cut));
    const endpoint = await s.endpoint(server.url());

    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    assert.equal(delivery.attempts.length, 2, JSON.stringify(delivery.attempts));
    delivery.attempts.forEach(assertLogged);
    const [broken, delivered] = delivery.attempts;
    assert.equal(broken.ok, false, 'a 200 whose body never finished is not a delivery');
    assert.ok(
      ['connection_closed', 'connection_reset'].includes(broken.errorCode),
      broken.errorCode,
    );
    assert.equal(delivered.ok, true);
    assert.equal(server.hits.length, 2);
  });

  test('fails a redirect at once and never follows its Location', async (t) => {
    const s = await startBench(t);
    // Where a followed redirect would land: a second server, standing in for the
    // metadata service, that must never see a request.
    const trap = await receiverFor(t);
    const target = trap.url('/latest/meta-data');
    const server = await receiverFor(t, (hit, res) => {
      const status = Number(hit.path.slice('/redirect-'.length));
      res.writeHead(status, { location: target }).end(`moved to ${target}`);
    });

    const statuses = [301, 302, 303, 307, 308];
    const ids: string[] = [];
    for (const status of statuses) {
      const endpoint = await s.endpoint(server.url(`/redirect-${status}`));
      ids.push(endpoint.id);
    }
    // One event, so each endpoint gets exactly one delivery.
    const event = await s.post(ids[0]).then((id) => s.call('GET', `/v1/deliveries/${id}`));
    for (const [i, endpointId] of ids.entries()) {
      const found = await s.call(
        'GET',
        `/v1/deliveries?eventId=${event.eventId}&endpointId=${endpointId}`,
      );
      ids[i] = found.data[0].id;
    }
    for (const [i, id] of ids.entries()) {
      const delivery = await s.settled(id, 'failed');
      assert.equal(delivery.attempts.length, 1, 'a redirect is not retried');
      const [attempt] = delivery.attempts;
      assertLogged(attempt);
      assert.equal(attempt.statusCode, statuses[i]);
      assert.equal(attempt.errorCode, 'redirect_not_followed');
      assert.ok(attempt.error.includes(target), attempt.error);
      assert.equal(attempt.responseBody, `moved to ${target}`);
    }
    // Longer than the whole retry schedule: a late follow or retry would show.
    await sleep(500);
    assert.equal(trap.hits.length, 0, 'a redirect was followed');
    assert.equal(server.hits.length, statuses.length);
  });

  test('keeps only the start of an endless answer and stops reading it', async (t) => {
    const s = await startBench(t);
    let sent = 0;
    const limit = 256 * 1024 * 1024;
    const server = await receiverFor(t, async (_hit, res) => {
      // Two-byte characters after one ASCII byte: the 4096-byte cut splits an "é".
      const chunk = Buffer.from('é'.repeat(32 * 1024));
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.write('a');
      sent = 1;
      while (!res.destroyed && sent < limit) {
        if (!res.write(chunk)) await writable(res);
        sent += chunk.length;
      }
      res.end();
    });
    const endpoint = await s.endpoint(server.url());

    const started = Date.now();
    const id = await s.post(endpoint.id);
    const delivery = await s.settled(id, 'succeeded');

    assert.equal(delivery.attempts.length, 1);
    const [attempt] = delivery.attempts;
    assertLogged(attempt);
    assert.equal(attempt.statusCode, 200);
    assert.equal(attempt.responseBody, 'a' + 'é'.repeat(2047), 'the first 4096 bytes, whole');
    assert.ok(Date.now() - started < 5000, 'reading the answer took too long');
    assert.ok(sent < limit / 4, `Herald let the receiver send ${sent} bytes`);
  });
});
