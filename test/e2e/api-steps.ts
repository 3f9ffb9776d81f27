/**
 * Small steps the end-to-end tests take through Herald's API: a call that fails the
 * test on an unexpected status, and a wait for a delivery to reach a status.
 */
import assert from 'node:assert/strict';
import type { TestHerald } from '../helpers/herald-harness.ts';

/**
 * How long a test waits for what should take well under a second. It is only reached
 * when the test is failing, so it is generous: a loaded CI machine is slow, not wrong.
 */
export const PATIENCE_MS = 10_000;

/**
 * Calls the API and returns the body. Without `expect`, any status from 300 up fails
 * the test, with the answer in the message; with it, only that status passes.
 */
export type Call = (method: string, path: string, body?: unknown, expect?: number) => Promise<any>;

/** A Call with the harness's admin key, or the key given (another owner's). */
export function caller(h: TestHerald, key?: string): Call {
  return async (method, path, body, expect) => {
    const answer = await h.api(method, path, body, key ? { key } : {});
    const ok = expect === undefined ? answer.status < 300 : answer.status === expect;
    assert.ok(ok, `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
}

/** Polls GET /v1/deliveries/:id until the delivery is `status`; returns it with attempts. */
export async function settled(call: Call, id: string, status: string, timeoutMs = PATIENCE_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const delivery = await call('GET', `/v1/deliveries/${id}`);
    if (delivery.status === status) return delivery;
    if (Date.now() > deadline) {
      assert.fail(
        `delivery never became ${status} in ${timeoutMs} ms: ${JSON.stringify(delivery)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
