/**
 * Checks an SMTP profile's connection settings before they are saved, so an owner
 * learns about a port/TLS mismatch from the API rather than from a delivery log
 * full of timeouts a day later.
 */
import { invalid } from '../errors.ts';
import type { SmtpTlsMode } from './types.ts';

const TLS_MODES: readonly SmtpTlsMode[] = ['none', 'starttls', 'implicit'];

/** Port 465 is implicit TLS (RFC 8314); 25 and 587 start in clear text and upgrade. */
const IMPLICIT_TLS_PORT = 465;
const SUBMISSION_PORT = 587;
const RELAY_PORT = 25;

/**
 * The port used when a profile leaves it unset. DESIGN fixes it at 25 for every
 * mode, including implicit TLS where 465 would be usual: the profile check then
 * reports the mismatch instead of a default silently picking a different port.
 */
export function defaultPort(_tls: SmtpTlsMode): number {
  return RELAY_PORT;
}

/**
 * Throws a 422 ApiError naming the field to change when host, port and TLS mode
 * cannot work together. The TLS mode is trusted to be one of the three modes by
 * type, but a value from JSON is checked all the same.
 */
export function checkSmtpSettings(input: { host: string; port?: number; tls: SmtpTlsMode }): void {
  checkHost(input.host);

  if (!TLS_MODES.includes(input.tls)) {
    throw invalid(
      'tls',
      `tls must be one of "none", "starttls" or "implicit" (got ${JSON.stringify(input.tls)})`,
    );
  }

  const portSet = input.port !== undefined && input.port !== null;
  if (portSet && !(Number.isInteger(input.port) && input.port! >= 1 && input.port! <= 65535)) {
    throw invalid(
      'port',
      `port must be a whole number from 1 to 65535, usually 25, 465 or 587 ` +
        `(got ${JSON.stringify(input.port)})`,
    );
  }

  const port = portSet ? input.port! : defaultPort(input.tls);
  checkPortMatchesTls(port, portSet, input.tls);
}

function checkHost(host: unknown): void {
  if (typeof host !== 'string' || host.trim() === '') {
    throw invalid(
      'host',
      `host must be the SMTP server's name or IP address, like smtp.example.com ` +
        `(got ${JSON.stringify(host ?? null)})`,
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    throw invalid(
      'host',
      `host must be a bare server name like smtp.example.com, without a scheme such as ` +
        `"smtp://"; put the port in port and the TLS mode in tls (got ${JSON.stringify(host)})`,
    );
  }
  if (/\s/.test(host)) {
    throw invalid(
      'host',
      `host must be a server name like smtp.example.com, without spaces ` +
        `(got ${JSON.stringify(host)})`,
    );
  }
  if (host.includes('/') || host.includes('@')) {
    throw invalid(
      'host',
      `host must be a bare server name like smtp.example.com, without a user name or path ` +
        `(got ${JSON.stringify(host)})`,
    );
  }
}

function checkPortMatchesTls(port: number, portSet: boolean, tls: SmtpTlsMode): void {
  if (tls === 'implicit' && (port === SUBMISSION_PORT || port === RELAY_PORT)) {
    const speaks = port === SUBMISSION_PORT ? 'STARTTLS' : 'plain SMTP with optional STARTTLS';
    if (!portSet) {
      throw invalid(
        'port',
        `port is unset, so port ${port} is used, which speaks ${speaks}; set port to 465 for ` +
          `implicit TLS or set tls to "starttls"`,
      );
    }
    throw invalid(
      'tls',
      `port ${port} speaks ${speaks}; set tls to "starttls" or use port 465 for implicit TLS`,
    );
  }

  if (tls !== 'implicit' && port === IMPLICIT_TLS_PORT) {
    throw invalid(
      'tls',
      `port 465 speaks implicit TLS; set tls to "implicit" or use port 587 for STARTTLS ` +
        `(got tls ${JSON.stringify(tls)})`,
    );
  }
}
