/**
 * The self-signed certificate of the TLS-speaking test SMTP sinks, made once per
 * process; trust it by passing `cert` as a CA. The code lives in src/demo/.
 */
export { smtpCertificate as smtpTestCertificate } from '../../src/demo/self-signed.ts';
