/**
 * Self-signed TLS certificates for servers on this machine: the demo's webhook
 * receiver and SMTP server, and the tests' ones.
 *
 * Each is valid for `localhost`, `127.0.0.1` and `::1`, for a week. Keys are EC P-256,
 * generated in milliseconds where RSA 2048 can take a second. A client trusts one by
 * passing its `cert` as `ca` (Herald takes it as `webhookCa` or `smtpCa`).
 */
import { generate } from 'selfsigned';

export interface SelfSignedCertificate {
  /** The private key, PEM. */
  key: string;
  /** The certificate, PEM; also the CA a client must trust. */
  cert: string;
}

/** Makes a new key pair and certificate for the local host names. */
export async function generateLocalCertificate(): Promise<SelfSignedCertificate> {
  // A minute of slack before now, so a client whose clock reads slightly behind
  // the process that made the certificate still accepts it.
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

let webhook: Promise<SelfSignedCertificate> | undefined;
let smtp: Promise<SelfSignedCertificate> | undefined;

/** The process-wide certificate of HTTPS webhook receivers. */
export function webhookCertificate(): Promise<SelfSignedCertificate> {
  webhook ??= generateLocalCertificate();
  return webhook;
}

/**
 * The process-wide certificate of SMTP servers. It differs from the webhook one, so
 * a client trusting only one of them is refused by the other.
 */
export function smtpCertificate(): Promise<SelfSignedCertificate> {
  smtp ??= generateLocalCertificate();
  return smtp;
}
