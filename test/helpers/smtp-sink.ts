/**
 * The tests' SMTP server, which parses every message with mailparser. The code
 * lives in src/demo/, which the demo shares.
 */
export * from '../../src/demo/smtp-catcher.ts';
