/**
 * What the webhook end-to-end tests start with: a Herald of their own, a verifying
 * HTTPS receiver behind a relay that can take it down, an account, and steps to
 * add endpoints, post events and wait for deliveries.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { HeraldConfig } from '../../src/config.ts';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Receiver, type Responder } from '../helpers/https-receiver.ts';
import { caller, settled, type Call } from './api-steps.ts';
import { startRelay, type Relay } from './tcp-relay.ts';

export interface Setup {
  h: TestHerald;
  receiver: Receiver;
  relay: Relay;
  call: Call;
  /** Creates an endpoint (through the relay unless `url` is given) and subscribes it. */
  endpoint(fields?: Record<string, unknown>): Promise<{ id: string; secret: string }>;
  /** Posts one event and returns the id of its delivery to `endpointId`. */
  post(endpointId: string): Promise<string>;
  /** Polls the delivery until it reaches `status`, and returns it with its attempts. */
  settled(deliveryId: string, status: string, timeoutMs?: number): Promise<any>;
}

export async function setUp(t: TestContext, config: Partial<HeraldConfig> = {}): Promise<Setup> {
  const h = await startTestHerald(config);
  const receiver = await startReceiver();
  const relay = await startRelay(Number(new URL(receiver.url).port));
  t.after(async () => {
    await h.stop();
    await relay.close();
    await receiver.close();
  });

  const call = caller(h);
  await call('POST', '/v1/accounts', { id: 'acc-1', name: 'Zoë Müller' });

  let count = 0;
  return {
    h,
    receiver,
    relay,
    call,
    async endpoint(fields = {}) {
      count += 1;
      const endpoint = await call('POST', '/v1/endpoints', {
        name: `receiver ${count}`,
        url: `https://127.0.0.1:${relay.port}/hooks`,
        eventTypes: ['service.state_changed'],
        ...fields,
      });
      await call('POST', '/v1/subscriptions', { endpointId: endpoint.id });
      return endpoint;
    },
    async post(endpointId) {
      const event = await call('POST', '/v1/events', {
        type: 'service.state_changed',
        accountId: 'acc-1',
        data: sampleData('service.state_changed'),
      });
      const found = await call(
        'GET',
        `/v1/deliveries?eventId=${event.id}&endpointId=${endpointId}`,
      );
      assert.equal(found.data.length, 1, JSON.stringify(found));
      return found.data[0].id;
    },
    settled: (deliveryId, status, timeoutMs) => settled(call, deliveryId, status, timeoutMs),
  };
}

/** Answers with each of `answers` in turn, then 200 for ever. */
export const inTurn = (...answers: ReturnType<Responder>[]): Responder => {
  let next = 0;
  return () => answers[next++] ?? { status: 200, body: 'thanks' };
};
