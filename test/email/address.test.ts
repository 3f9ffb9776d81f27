import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/errors.ts';
import { isEmailAddress, parseEmailAddress } from '../../src/email/address.ts';

describe('parseEmailAddress', () => {
  test('accepts ordinary, tagged and internationalised addresses', () => {
    for (const value of [
      'ann@example.com',
      'ann.lee+invoices@mail.example.co.uk',
      "o'brien@example.ie",
      'user_1-x@sub-domain.example.org',
      'jörg@bücher.example',
    ]) {
      assert.equal(parseEmailAddress(value, 'email'), value);
    }
  });

  test('trims surrounding spaces', () => {
    assert.equal(parseEmailAddress('  ann@example.com ', 'email'), 'ann@example.com');
  });

  test('refuses display names, CR/LF, missing parts and bad dots', () => {
    for (const value of [
      'Ann <ann@example.com>',
      'ann@example.com\r\nBcc: evil@example.com',
      'ann@example.com\n',
      'ann',
      '@example.com',
      'ann@',
      'ann@localhost',
      'ann@@example.com',
      '.ann@example.com',
      'ann.@example.com',
      'an..n@example.com',
      'ann@-example.com',
      'ann@example..com',
      'ann lee@example.com',
      '"ann"@example.com',
      'ann@[192.0.2.1]',
    ]) {
      assert.equal(isEmailAddress(value), false, `${JSON.stringify(value)} should be refused`);
      assert.throws(() => parseEmailAddress(value, 'contacts.billing.email'), ApiError);
    }
  });

  test('quotes the bad value and the field in the message', () => {
    assert.throws(
      () => parseEmailAddress('Ann <ann@example.com>', 'contacts.billing.email'),
      (err: unknown) => {
        assert.ok(err instanceof ApiError, `not an ApiError: ${err}`);
        assert.equal(err.status, 422);
        assert.equal(err.field, 'contacts.billing.email');
        assert.equal(
          err.message,
          'contacts.billing.email must be an email address like name@example.com ' +
            '(got "Ann <ann@example.com>")',
        );
        return true;
      },
    );
  });

  test('refuses non-strings', () => {
    for (const value of [undefined, null, 42, { address: 'ann@example.com' }]) {
      assert.throws(() => parseEmailAddress(value, 'fromAddress'), /fromAddress must be an email/);
    }
  });

  test('refuses addresses longer than 254 characters and local parts over 64', () => {
    const labels = ['b', 'c', 'd'].map((c) => c.repeat(63)).join('.');
    const long = `${'a'.repeat(64)}@${labels}.com`;
    assert.ok(long.length > 254, 'the address is longer than 254');
    assert.throws(() => parseEmailAddress(long, 'email'), /at most 254 characters/);
    assert.equal(isEmailAddress(`${'a'.repeat(65)}@example.com`), false);
  });
});
