/**
 * The self-signed certificate of the test HTTPS receivers, for localhost, 127.0.0.1
 * and ::1; made once per process. The code lives in src/demo/, which the demo shares.
 */
export {
  webhookCertificate as testCertificate,
  type SelfSignedCertificate as TestCertificate,
} from '../../src/demo/self-signed.ts';
