/**
 * What the end-to-end email tests set up through Herald's HTTP API: one real Herald
 * per test file, and per test a new owner of it (its own namespace and admin key),
 * real SMTP sinks, contact types, accounts, SMTP profiles pointing at the sinks,
 * canned emails with a subscription, and events whose one email delivery they follow.
 * Everything started here is stopped after the test or the file, so the process exits.
 *
 * ```ts
 * const herald = heraldPerFile();
 * test('...', async (t) => {
 *   const o = await emailOwner(t, herald());
 * const sink = await o.sink();
 * await o.profile(sink, 'none');
 * await o.cannedEmail({ to: [{ address: 'a@example.com' }], text: 'hi' });
 * const id = await o.post('acc-1');
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import type { AddressObject, ParsedMail } from 'mailparser';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../helpers/smtp-sink.ts';
import { caller, type Call } from '../e2e/api-steps.ts';

export const EVENT_TYPE = 'service.state_changed';

/**
 * Starts one Herald before the file's tests and stops it after them; call it at the
 * top level of a test file. The returned function gives the running Herald.
 */
export function heraldPerFile(): () => TestHerald {
  let herald: TestHerald | undefined;
  before(async () => {
    herald = await startTestHerald();
  });
  after(() => herald?.stop());
  return () => {
    assert.ok(herald, 'heraldPerFile() gives the Herald only inside a test');
    return herald;
  };
}

export interface EmailOwner {
  h: TestHerald;
  ownerId: string;
  /** The owner's admin key, for `h.api` calls whose status the test inspects. */
  key: string;
  /** The API with the owner's admin key; fails the test on an unexpected status. */
  call: Call;
  /** Starts an SMTP sink that is closed after the test. */
  sink(options?: SmtpSinkOptions): Promise<SmtpSink>;
  /** Creates an SMTP profile for the server (a sink); returns the profile's id. */
  profile(
    server: { host: string; port: number },
    tls: string,
    fields?: Record<string, unknown>,
  ): Promise<string>;
  /** Creates contact types by name; the first is the owner's email default. */
  contactTypes(...names: string[]): Promise<void>;
  account(id: string, fields?: Record<string, unknown>): Promise<void>;
  /**
   * Creates a canned email of service.state_changed (unless `eventType` is given)
   * and, unless `subscribe` is false, a subscription for it; returns the template.
   */
  cannedEmail(fields: Record<string, unknown>, subscribe?: boolean): Promise<any>;
  /** Posts an event for the account and returns the id of its one email delivery. */
  post(accountId: string, data?: Record<string, unknown>): Promise<string>;
}

/** A new owner of `h` for one test; `owner` fields go to POST /v1/owners. */
export async function emailOwner(
  t: TestContext,
  h: TestHerald,
  owner: Record<string, unknown> = {},
): Promise<EmailOwner> {
  const sinks: SmtpSink[] = [];
  t.after(() => Promise.all(sinks.map((s) => s.close())));
  const created = await caller(h)('POST', '/v1/owners', { name: t.name.slice(0, 200), ...owner });
  const call = caller(h, created.key.secret);

  return {
    h,
    ownerId: created.id,
    key: created.key.secret,
    call,
    async sink(options) {
      const sink = await startSmtpSink(options);
      sinks.push(sink);
      return sink;
    },
    async profile(server, tls, fields = {}) {
      const body = {
        name: `server ${server.port}`,
        host: server.host,
        port: server.port,
        tls,
        fromName: 'Herald Billing',
        fromAddress: 'billing@herald.example',
        ...fields,
      };
      return (await call('POST', '/v1/smtp-profiles', body)).id;
    },
    async contactTypes(...names) {
      for (const [i, name] of names.entries())
        await call('POST', '/v1/contact-types', { name, isEmailDefault: i === 0 });
    },
    async account(id, fields = {}) {
      await call('POST', '/v1/accounts', { id, name: `Account ${id}`, ...fields });
    },
    async cannedEmail(fields, subscribe = true) {
      const template = await call('POST', '/v1/email-templates', {
        name: 'canned',
        eventType: EVENT_TYPE,
        subject: 'About {{service.name}}',
        ...fields,
      });
      if (subscribe) await call('POST', '/v1/subscriptions', { emailTemplateId: template.id });
      return template;
    },
    async post(accountId, data = sampleData(EVENT_TYPE) as Record<string, unknown>) {
      const event = await call('POST', '/v1/events', { type: EVENT_TYPE, accountId, data });
      const found = await call('GET', `/v1/deliveries?eventId=${event.id}`);
      assert.equal(found.data.length, 1, `one email delivery expected: ${JSON.stringify(found)}`);
      return found.data[0].id;
    },
  };
}

/** The mailboxes of a parsed address header, as `{name, address}` pairs in order. */
export function mailboxes(field: AddressObject | AddressObject[] | undefined) {
  const groups = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return groups.flatMap((g) => g.value.map(({ name, address }) => ({ name, address })));
}

/** The top-level Content-Type of a parsed message, like "multipart/alternative". */
export function contentType(mail: ParsedMail): string {
  const header = mail.headers.get('content-type') as { value: string } | undefined;
  return header?.value ?? '';
}

/** The header block of a raw message: everything before the first blank line. */
export function headerBlock(raw: string): string {
  return raw.slice(0, raw.search(/\r?\n\r?\n/));
}
