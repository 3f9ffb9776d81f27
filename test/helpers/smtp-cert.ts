/**
 * A self-signed certificate for localhost and 127.0.0.1, made once per test
 * process, for the TLS-speaking SMTP sinks. Trust it by passing `cert` as a CA.
 */
import { generate } from 'selfsigned';

let pending: Promise<{ key: string; cert: string }> | undefined;

/** The same key pair for every caller in the process; generating one takes a moment. */
export function smtpTestCertificate(): Promise<{ key: string; cert: string }> {
  pending ??= generate([{ name: 'commonName', value: 'localhost' }], {
    // An EC key is generated in milliseconds, where RSA 2048 can take a second.
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return pending;
}
