/**
 * The tests' HTTPS webhook receiver, which verifies every request with the
 * `standardwebhooks` library. The code lives in src/demo/, which the demo shares.
 */
export * from '../../src/demo/verifying-receiver.ts';
