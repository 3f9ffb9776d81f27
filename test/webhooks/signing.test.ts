import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Webhook } from 'standardwebhooks';

import { generateSecret, signPayload, signatureHeader } from '../../src/webhooks/signing.ts';

const now = () => Math.floor(Date.now() / 1000);

function headers(id: string, timestamp: number, signature: string) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
}

describe('generateSecret', () => {
  test('makes a whsec_ secret of 24 to 32 random bytes, different each time', () => {
    const secret = generateSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
    assert.ok(bytes >= 24 && bytes <= 32, `got ${bytes} bytes`);
    assert.notEqual(generateSecret(), secret);
  });
});

describe('signPayload', () => {
  const bodies = {
    emoji: JSON.stringify({ type: 'invoice.posted', data: { note: 'paid 🎉🧾' } }),
    accents: JSON.stringify({ data: { name: 'Zoë Ångström, São Paulo' } }),
    lineSeparator: '{"data":{"text":"one\u2028two\u2029three"}}',
  };

  for (const [name, body] of Object.entries(bodies)) {
    test(`is verified by the standardwebhooks library for a body with ${name}`, () => {
      const secret = generateSecret();
      const timestamp = now();
      const signature = signPayload(secret, 'dlv_1', timestamp, body);
      assert.match(signature, /^v1,[A-Za-z0-9+/]+={0,2}$/);
      assert.deepEqual(
        new Webhook(secret).verify(body, headers('dlv_1', timestamp, signature)),
        JSON.parse(body),
      );
    });
  }

  test('matches the library signature byte for byte', () => {
    const secret = generateSecret();
    const timestamp = now();
    const body = '{"a":"é"}';
    assert.equal(
      signPayload(secret, 'msg_x', timestamp, body),
      new Webhook(secret).sign('msg_x', new Date(timestamp * 1000), body),
    );
  });

  test('fails verification when the body changes after signing', () => {
    const secret = generateSecret();
    const timestamp = now();
    const signature = signPayload(secret, 'dlv_1', timestamp, '{"a":1}');
    assert.throws(
      () => new Webhook(secret).verify('{"a":2}', headers('dlv_1', timestamp, signature)),
      /No matching signature/,
    );
  });

  test('refuses a secret without the whsec_ prefix or with bad base64', () => {
    assert.throws(() => signPayload('abc', 'dlv_1', now(), '{}'), /whsec_/);
    assert.throws(() => signPayload('whsec_not*base64!', 'dlv_1', now(), '{}'), /whsec_/);
  });

  test('refuses a timestamp in milliseconds or fractions', () => {
    assert.throws(() => signPayload(generateSecret(), 'dlv_1', 1.5, '{}'), /whole Unix seconds/);
  });
});

describe('signatureHeader', () => {
  test('lists one signature per secret so either side of a rotation verifies', () => {
    const previous = generateSecret();
    const current = generateSecret();
    const timestamp = now();
    const body = '{"type":"account.cancelled","data":{"reason":"déménagement"}}';
    const header = signatureHeader([current, previous], 'dlv_9', timestamp, body);

    assert.equal(header.split(' ').length, 2);
    for (const secret of [current, previous]) {
      assert.doesNotThrow(() =>
        new Webhook(secret).verify(body, headers('dlv_9', timestamp, header)),
      );
    }
    assert.throws(() =>
      new Webhook(generateSecret()).verify(body, headers('dlv_9', timestamp, header)),
    );
  });

  test('refuses an empty list of secrets', () => {
    assert.throws(() => signatureHeader([], 'dlv_1', now(), '{}'), /at least one secret/);
  });
});
