import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/errors.ts';
import { checkSmtpSettings, defaultPort } from '../../src/email/smtp-settings.ts';

/** Runs the check and returns the ApiError it threw, failing the test if it did not throw. */
function refusal(input: Parameters<typeof checkSmtpSettings>[0]): ApiError {
  try {
    checkSmtpSettings(input);
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be refused`);
}

describe('checkSmtpSettings', () => {
  test('accepts the usual port for each TLS mode', () => {
    checkSmtpSettings({ host: 'smtp.example.com', port: 587, tls: 'starttls' });
    checkSmtpSettings({ host: 'smtp.example.com', port: 465, tls: 'implicit' });
    checkSmtpSettings({ host: 'smtp.example.com', port: 25, tls: 'none' });
    checkSmtpSettings({ host: '127.0.0.1', port: 2525, tls: 'none' });
    checkSmtpSettings({ host: 'mail.example.com', tls: 'starttls' });
  });

  test('refuses implicit TLS on 587 and says which setting to change', () => {
    const err = refusal({ host: 'smtp.example.com', port: 587, tls: 'implicit' });
    assert.equal(err.status, 422);
    assert.equal(err.field, 'tls');
    assert.equal(
      err.message,
      'port 587 speaks STARTTLS; set tls to "starttls" or use port 465 for implicit TLS',
    );
  });

  test('refuses implicit TLS on 25', () => {
    const err = refusal({ host: 'smtp.example.com', port: 25, tls: 'implicit' });
    assert.equal(err.field, 'tls');
    assert.match(err.message, /^port 25 speaks .*STARTTLS; set tls to "starttls" or use port 465/);
  });

  test('refuses implicit TLS with the port unset, since the default port is 25', () => {
    assert.equal(defaultPort('implicit'), 25);
    const err = refusal({ host: 'smtp.example.com', tls: 'implicit' });
    assert.equal(err.field, 'port');
    assert.match(err.message, /port is unset, so port 25 is used/);
    assert.match(err.message, /set port to 465/);
  });

  test('refuses STARTTLS and plain SMTP on 465', () => {
    for (const tls of ['starttls', 'none'] as const) {
      const err = refusal({ host: 'smtp.example.com', port: 465, tls });
      assert.equal(err.field, 'tls');
      assert.match(err.message, /^port 465 speaks implicit TLS; set tls to "implicit"/);
    }
  });

  test('refuses ports outside 1 to 65535 and fractional ports', () => {
    for (const port of [0, -1, 65536, 587.5, Number.NaN]) {
      const err = refusal({ host: 'smtp.example.com', port, tls: 'starttls' });
      assert.equal(err.field, 'port');
      assert.match(err.message, /port must be a whole number from 1 to 65535/);
    }
  });

  test('refuses an empty host, a host with spaces and a host with a scheme', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /host must be the SMTP server's name/],
      ['   ', /host must be the SMTP server's name/],
      ['smtp .example.com', /without spaces \(got "smtp \.example\.com"\)/],
      ['smtp://smtp.example.com', /without a scheme such as "smtp:\/\/"/],
      ['smtps://smtp.example.com:465', /without a scheme/],
      ['smtp.example.com/path', /without a user name or path/],
    ];
    for (const [host, message] of cases) {
      const err = refusal({ host, port: 587, tls: 'starttls' });
      assert.equal(err.field, 'host');
      assert.match(err.message, message);
    }
  });

  test('refuses an unknown TLS mode and lists the valid ones', () => {
    const err = refusal({ host: 'smtp.example.com', port: 587, tls: 'ssl' as never });
    assert.equal(err.field, 'tls');
    assert.equal(err.message, 'tls must be one of "none", "starttls" or "implicit" (got "ssl")');
  });
});
