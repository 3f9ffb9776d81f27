/**
 * What the delivery tests start with: a Herald of their own (stopped after the test),
 * an account, and steps to add a subscribed endpoint, post an event and read its
 * delivery back through the API.
 */
import assert from 'node:assert/strict';
import type { HeraldConfig } from '../../src/config.ts';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { caller, settled, type Call } from '../e2e/api-steps.ts';

export const ACCOUNT_ID = 'acc-1';

export interface Bench {
  h: TestHerald;
  call: Call;
  /** Creates an endpoint for `url` taking service.state_changed, and subscribes it. */
  endpoint(url: string, fields?: Record<string, unknown>): Promise<any>;
  /** Posts a service.state_changed event; returns the id of its delivery to `endpointId`. */
  post(endpointId: string, event?: Record<string, unknown>): Promise<string>;
  /** Polls the delivery until it reaches `status`, and returns it with its attempts. */
  settled(deliveryId: string, status: string, timeoutMs?: number): Promise<any>;
}

/** Where a bench registers its cleanup: a test's context, or a suite's `after` hook. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

export async function startBench(
  t: Cleanup,
  config: Partial<HeraldConfig> = {},
  accountName = 'Zoë Müller',
): Promise<Bench> {
  const h = await startTestHerald(config);
  t.after(() => h.stop());
  const call = caller(h);
  await call('POST', '/v1/accounts', { id: ACCOUNT_ID, name: accountName });

  let count = 0;
  return {
    h,
    call,
    async endpoint(url, fields = {}) {
      count += 1;
      const endpoint = await call('POST', '/v1/endpoints', {
        name: `receiver ${count}`,
        url,
        eventTypes: ['service.state_changed'],
        ...fields,
      });
      await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });
      return endpoint;
    },
    async post(endpointId, event = {}) {
      const accepted = await call('POST', '/v1/events', {
        type: 'service.state_changed',
        accountId: ACCOUNT_ID,
        data: sampleData('service.state_changed'),
        ...event,
      });
      const found = await call(
        'GET',
        `/v1/deliveries?eventId=${accepted.id}&endpointId=${endpointId}`,
      );
      assert.equal(found.data.length, 1, JSON.stringify(found));
      return found.data[0].id;
    },
    settled: (deliveryId, status, timeoutMs) => settled(call, deliveryId, status, timeoutMs),
  };
}

/**
 * Checks the shape every logged attempt must have: a number, a start time, a whole
 * duration, the HTTP status (or null), and an error with its code exactly when the
 * attempt failed.
 */
export function assertLogged(attempt: any): void {
  const shown = JSON.stringify(attempt);
  assert.ok(Number.isInteger(attempt.number) && attempt.number >= 1, shown);
  assert.ok(Number.isFinite(Date.parse(attempt.startedAt)), shown);
  assert.ok(Number.isInteger(attempt.durationMs) && attempt.durationMs >= 0, shown);
  assert.ok(attempt.statusCode === null || Number.isInteger(attempt.statusCode), shown);
  if (attempt.ok) {
    assert.equal(attempt.errorCode, null, shown);
    assert.equal(attempt.error, null, shown);
  } else {
    assert.equal(typeof attempt.errorCode, 'string', shown);
    assert.ok(typeof attempt.error === 'string' && attempt.error.length > 0, shown);
  }
}
