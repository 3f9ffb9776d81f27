import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { createLogger } from '../../src/logger.ts';
import { generateSecret, signatureHeader } from '../../src/webhooks/signing.ts';
import { WebhookSender, type WebhookSenderOptions } from '../../src/webhooks/webhook-sender.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';

const body = JSON.stringify({
  type: 'invoice.posted',
  timestamp: '2025-01-01T00:00:00Z',
  data: {},
});

describe('WebhookSender', () => {
  let receiver: Receiver;
  let sender: WebhookSender;
  const senders: WebhookSender[] = [];

  const makeSender = (options: Partial<WebhookSenderOptions> = {}) => {
    const made = new WebhookSender({
      allowPrivateTargets: true,
      timeoutMs: 2000,
      connectTimeoutMs: 1000,
      responseBodyLimit: 1024,
      ca: receiver.ca,
      ...options,
    });
    senders.push(made);
    return made;
  };

  before(async () => {
    receiver = await startReceiver();
    sender = makeSender();
  });

  after(async () => {
    await Promise.all(senders.map((s) => s.close()));
    await receiver.close();
  });

  const send = (target = sender, url = receiver.url) =>
    target.send({ url, body, headers: { 'x-custom': 'yes' } });

  test('posts the body and reports a 200 as ok with the start of the answer', async () => {
    receiver.setResponder(() => ({ status: 200, body: '{"accepted":true}' }));
    const before = receiver.received.length;
    const attempt = await send();

    assert.equal(attempt.ok, true);
    assert.equal(attempt.status, 200);
    assert.equal(attempt.responseBody, '{"accepted":true}');
    assert.equal(attempt.error, undefined);
    assert.ok(attempt.durationMs >= 0, String(attempt.durationMs));

    const [hook] = receiver.received.slice(before);
    assert.equal(hook.rawBody, body);
    assert.equal(hook.path, '/hooks');
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.headers['x-custom'], 'yes');
  });

  test('delivers a signature the receiver verifies with the standardwebhooks library', async () => {
    const secret = generateSecret();
    receiver.setSecret(secret);
    receiver.setResponder(() => ({ status: 204 }));
    const timestamp = Math.floor(Date.now() / 1000);
    const before = receiver.received.length;

    const attempt = await sender.send({
      url: receiver.url,
      body,
      headers: {
        'webhook-id': 'dlv_signed',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader([secret], 'dlv_signed', timestamp, body),
      },
    });

    assert.equal(attempt.ok, true);
    const [hook] = await receiver.waitFor(before + 1).then((all) => all.slice(before));
    assert.equal(hook.id, 'dlv_signed');
    assert.equal(hook.verified, true, hook.verifyError);
  });

  test('treats a 503 with Retry-After as transient and reports the wait', async () => {
    receiver.setResponder(() => ({ status: 503, body: 'busy', headers: { 'retry-after': '120' } }));
    const attempt = await send();

    assert.equal(attempt.ok, false);
    assert.equal(attempt.status, 503);
    assert.equal(attempt.responseBody, 'busy');
    assert.equal(attempt.error?.code, 'http_503');
    assert.equal(attempt.error?.transient, true);
    assert.equal(attempt.error?.context.retryAfterSeconds, 120);
    assert.equal(attempt.error?.context.httpStatus, 503);
  });

  test('marks a 410 as gone and final', async () => {
    receiver.setResponder(() => ({ status: 410 }));
    const attempt = await send();

    assert.equal(attempt.gone, true);
    assert.equal(attempt.error?.code, 'http_410');
    assert.equal(attempt.error?.transient, false);
  });

  test('treats a 404 as a permanent failure', async () => {
    receiver.setResponder(() => ({ status: 404, body: 'no such hook' }));
    const attempt = await send();

    assert.equal(attempt.ok, false);
    assert.equal(attempt.error?.code, 'http_404');
    assert.equal(attempt.error?.transient, false);
    assert.equal(attempt.gone, undefined);
  });

  test('does not follow a 302 and names the Location in the error', async () => {
    receiver.setResponder((req) =>
      req.path === '/hooks'
        ? { status: 302, headers: { location: 'https://127.0.0.1/elsewhere' } }
        : { status: 200 },
    );
    const before = receiver.received.length;
    const attempt = await send();

    assert.equal(attempt.status, 302);
    assert.equal(attempt.error?.code, 'redirect_not_followed');
    assert.equal(attempt.error?.transient, false);
    assert.match(attempt.error?.message ?? '', /https:\/\/127\.0\.0\.1\/elsewhere/);
    assert.equal(receiver.received.length, before + 1);
  });

  test('keeps only responseBodyLimit bytes of a huge answer', async () => {
    const huge = 'x'.repeat(8 * 1024 * 1024);
    receiver.setResponder(() => ({ status: 200, body: huge }));
    const attempt = await send();

    assert.equal(attempt.ok, true);
    assert.equal(attempt.responseBody, 'x'.repeat(1024));

    receiver.setResponder(() => ({ status: 200, body: 'small again' }));
    assert.equal((await send()).responseBody, 'small again');
  });

  test('cuts a long answer at a character boundary, never mid-character', async () => {
    // 'abcé' is 5 bytes; the sixth is the first of the three bytes of '€'.
    const limited = makeSender({ responseBodyLimit: 6 });
    receiver.setResponder(() => ({ status: 200, body: 'abcé€€€' }));
    assert.equal((await send(limited)).responseBody, 'abcé');
  });

  test('gives up on a receiver that never answers with a transient timeout', async () => {
    const quick = makeSender({ timeoutMs: 300 });
    receiver.setResponder(() => new Promise(() => {}));
    const attempt = await send(quick);

    assert.equal(attempt.ok, false);
    assert.equal(attempt.error?.code, 'timeout');
    assert.equal(attempt.error?.transient, true);
    assert.ok(attempt.durationMs >= 250 && attempt.durationMs < 2000, `${attempt.durationMs} ms`);
  });

  test('reports a refused connection as transient at the connect stage', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');

    const attempt = await send(sender, `https://127.0.0.1:${port}/hooks`);
    assert.equal(attempt.error?.code, 'connection_refused');
    assert.equal(attempt.error?.transient, true);
    assert.equal(attempt.error?.context.stage, 'connect');
  });

  test('times out a TLS handshake that never completes at the connect stage', async () => {
    // A plain TCP listener accepts the socket but never answers the TLS hello.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;

    try {
      const attempt = await send(
        makeSender({ connectTimeoutMs: 200 }),
        `https://127.0.0.1:${port}/h`,
      );
      assert.equal(attempt.error?.code, 'timeout');
      assert.equal(attempt.error?.context.stage, 'connect');
      assert.equal(attempt.error?.transient, true);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('reports an untrusted certificate as a transient TLS failure', async () => {
    const untrusting = makeSender({ ca: undefined });
    const attempt = await send(untrusting);

    assert.equal(attempt.error?.code, 'tls_failed');
    assert.equal(attempt.error?.context.stage, 'tls');
    assert.equal(attempt.error?.transient, true);
  });

  test('refuses 127.0.0.1 at connect time when private targets are not allowed', async () => {
    const guarded = makeSender({ allowPrivateTargets: false });
    const before = receiver.received.length;
    const attempt = await send(guarded);

    assert.equal(attempt.error?.code, 'address_refused');
    assert.equal(attempt.error?.transient, false);
    assert.equal(attempt.error?.context.stage, 'connect');
    assert.equal(receiver.received.length, before);
  });

  test('refuses a name that resolves to loopback, checked on the resolved address', async () => {
    const guarded = makeSender({ allowPrivateTargets: false });
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    const before = receiver.received.length;
    const attempt = await send(guarded, url);

    assert.equal(attempt.error?.code, 'address_refused');
    assert.equal(attempt.error?.transient, false);
    assert.match(attempt.error?.message ?? '', /localhost \((127\.0\.0\.1|::1)\)/);
    assert.equal(receiver.received.length, before);
  });

  test('logs each call without any header value', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (l) => lines.push(l) } });
    const logged = makeSender({ logger });
    receiver.setResponder(() => ({ status: 401 }));

    await logged.send({
      url: receiver.url,
      body,
      headers: { authorization: 'Bearer s3cret-token', 'x-api-key': 'k3y-value' },
    });

    assert.ok(
      lines.some((line) => line.includes('webhook call failed')),
      lines.join(''),
    );
    assert.doesNotMatch(lines.join(''), /s3cret-token|k3y-value/);
  });

  test('refuses a URL that is not https without calling anything', async () => {
    const attempt = await send(sender, receiver.url.replace('https:', 'http:'));
    assert.equal(attempt.error?.code, 'invalid_url');
    assert.equal(attempt.error?.transient, false);
  });
});
