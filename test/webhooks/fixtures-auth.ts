/**
 * Steps of the authentication tests: a receiver that lets in only what a check
 * allows, and a scan of everything the API shows for credentials that leaked.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver, type ReceivedWebhook } from '../helpers/https-receiver.ts';
import type { Bench } from './fixtures-herald.ts';

/** A receiver that answers 200 only when `allowed` says the request may in; else 401. */
export async function guardedReceiver(t: TestContext, allowed: (hook: ReceivedWebhook) => boolean) {
  const answered: { id: string; authorization: string; status: number }[] = [];
  const receiver = await startReceiver({
    respond: (hook) => {
      const status = allowed(hook) ? 200 : 401;
      answered.push({ id: hook.id, authorization: String(hook.headers.authorization), status });
      return { status, body: status === 200 ? 'welcome' : 'who are you?' };
    },
  });
  t.after(() => receiver.close());
  return { receiver, answered };
}

/** Everything the API shows about the endpoints and their deliveries, as one JSON text. */
export async function everythingShown(s: Bench): Promise<string> {
  const endpoints = await s.call('GET', '/v1/endpoints');
  const list = await s.call('GET', '/v1/deliveries?limit=1000');
  const deliveries = [];
  for (const d of list.data) deliveries.push(await s.call('GET', `/v1/deliveries/${d.id}`));
  const each = [];
  for (const e of endpoints.data) each.push(await s.call('GET', `/v1/endpoints/${e.id}`));
  return JSON.stringify({ endpoints, each, list, deliveries });
}

/** Fails when any of `secrets` appears in `shown`. */
export function assertHidden(shown: string, secrets: string[]) {
  for (const secret of secrets) {
    assert.ok(!shown.includes(secret), `${secret} shows through the API`);
  }
}
