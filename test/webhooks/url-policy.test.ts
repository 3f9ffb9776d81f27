import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ApiError } from '../../src/errors.ts';
import { checkEndpointUrl, isRefusedAddress } from '../../src/webhooks/url-policy.ts';

const strict = { allowPrivateTargets: false };
const dev = { allowPrivateTargets: true };

function refusal(url: unknown, opts = strict): ApiError {
  try {
    checkEndpointUrl(url, opts);
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    assert.equal(err.status, 422);
    assert.equal(err.field, 'url');
    return err;
  }
  assert.fail(`expected ${String(url)} to be refused`);
}

const longUrl = (length: number) => {
  const base = 'https://example.com/';
  return base + 'a'.repeat(length - base.length);
};

describe('checkEndpointUrl', () => {
  test('accepts a public https URL and returns it normalised', () => {
    assert.equal(
      checkEndpointUrl('https://Hooks.Example.com/billing?x=1', strict),
      'https://hooks.example.com/billing?x=1',
    );
  });

  test('refuses http with a message that quotes the URL', () => {
    const err = refusal('http://example.com/hook');
    assert.equal(err.message, 'url must use https:// (got http://example.com/hook)');
  });

  test('refuses an explicit port and says Herald calls 443', () => {
    const err = refusal('https://example.com:8443/h');
    assert.equal(
      err.message,
      'url must not name a port; Herald calls the default HTTPS port 443 (got ' +
        'https://example.com:8443/h)',
    );
  });

  test('accepts :443 because it is the default port the parser drops', () => {
    assert.equal(checkEndpointUrl('https://example.com:443/h', strict), 'https://example.com/h');
  });

  test('accepts 2048 characters and refuses 2049', () => {
    assert.equal(checkEndpointUrl(longUrl(2048), strict).length, 2048);
    assert.match(refusal(longUrl(2049)).message, /at most 2048 characters \(got 2049\)/);
  });

  test('refuses user info and does not echo the password', () => {
    const err = refusal('https://alice:hunter2@example.com/h');
    assert.match(err.message, /put credentials in auth/);
    assert.doesNotMatch(err.message, /hunter2/);
  });

  test('refuses values that are not URL strings', () => {
    assert.match(refusal(42).message, /must be a string \(got number\)/);
    assert.match(refusal(null).message, /got null/);
    assert.match(refusal('not a url').message, /absolute URL/);
  });

  const privateTargets = [
    'https://10.0.0.1/h',
    'https://127.0.0.1/h',
    'https://[::1]/h',
    'https://169.254.169.254/latest/meta-data',
    'https://[fd00:ec2::254]/h',
    'https://[::ffff:127.0.0.1]/h',
    'https://2130706433/h',
    'https://0177.0.0.1/h',
    'https://0x7f000001/h',
    'https://100.64.0.1/h',
    'https://0.0.0.0/h',
    'https://localhost/h',
    'https://api.localhost/h',
  ];

  for (const url of privateTargets) {
    test(`refuses the private target ${url}`, () => {
      assert.match(refusal(url).message, /must not point at/);
    });
  }

  test('allows every private target and ports with allowPrivateTargets', () => {
    for (const url of [...privateTargets, 'https://127.0.0.1:8443/h']) {
      assert.doesNotThrow(() => checkEndpointUrl(url, dev), url);
    }
  });

  test('still refuses http and user info with allowPrivateTargets', () => {
    assert.match(refusal('http://127.0.0.1/h', dev).message, /must use https/);
    assert.match(refusal('https://u:p@127.0.0.1/h', dev).message, /user name or password/);
  });
});

describe('isRefusedAddress', () => {
  const cases: [string, boolean][] = [
    ['8.8.8.8', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['0.0.0.0', true],
    ['192.0.2.1', true],
    ['::', true],
    ['::1', true],
    ['fe80::1', true],
    ['fc00::1', true],
    ['fd00:ec2::254', true],
    ['ff02::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['64:ff9b::a00:1', true],
    ['2002:a00:1::1', true],
    ['2001:db8::1', true],
    ['not an address', true],
  ];
  for (const [ip, refused] of cases) {
    test(`${refused ? 'refuses' : 'allows'} ${ip}`, () => {
      assert.equal(isRefusedAddress(ip), refused);
    });
  }
});
