/**
 * A self-signed TLS certificate for test servers on this machine.
 *
 * Valid for the names `localhost`, `127.0.0.1` and `::1`. It is generated once per
 * process (EC P-256, so it takes milliseconds) and shared by every test that asks.
 * Clients trust it by passing `cert` as their `ca` (or through NODE_EXTRA_CA_CERTS).
 */
import { generate } from 'selfsigned';

export interface TestCertificate {
  /** The private key, PEM. */
  key: string;
  /** The certificate, PEM; also the CA a client must trust. */
  cert: string;
}

let cached: Promise<TestCertificate> | undefined;

/** The process-wide test certificate for localhost and 127.0.0.1. */
export function testCertificate(): Promise<TestCertificate> {
  cached ??= build();
  return cached;
}

async function build(): Promise<TestCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
