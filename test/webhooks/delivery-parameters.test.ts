/**
 * Endpoint parameters end to end: literal and token values rendered into the body's
 * `parameters`, and the save-time check that every token is carried by each of the
 * endpoint's event types.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { PATIENCE_MS } from '../e2e/api-steps.ts';
import { startBench } from './fixtures-herald.ts';

async function receiverFor(t: TestContext) {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  return receiver;
}

describe('endpoint parameters', { concurrency: true }, () => {
  test('renders literal and token values into body.parameters', async (t) => {
    const s = await startBench(t, {}, 'Zoë <Müller> & "Söhne"');
    const receiver = await receiverFor(t);
    const endpoint = await s.endpoint(receiver.url, {
      parameters: [
        { name: 'source', value: 'billing-eu' },
        { name: 'customer', value: '{{account.name}}' },
        { name: 'summary', value: 'Service {{service.name}} is now {{service.newState}}' },
        { name: 'kind', value: '{{event.type}} for {{owner.name}}' },
        { name: 'package', value: '[{{package.name}}]' },
        { name: 'empty', value: '' },
      ],
    });
    const plain = await s.endpoint(receiver.url, { name: 'no parameters' });
    receiver.setSecret(endpoint.secret);

    // No package in this event: a token the type may carry but this one lacks is empty.
    const { service } = sampleData('service.state_changed') as any;
    const id = await s.post(endpoint.id, { data: { service } });
    await s.settled(id, 'succeeded');
    await receiver.waitFor(2, PATIENCE_MS);

    const hook = receiver.received.find((r) => r.id === id)!;
    assert.equal(hook.verified, true, hook.verifyError);
    assert.deepEqual((hook.body as any).parameters, {
      source: 'billing-eu',
      customer: 'Zoë <Müller> & "Söhne"',
      summary: `Service ${service.name} is now ${service.newState}`,
      kind: 'service.state_changed for Platform',
      package: '[]',
      empty: '',
    });
    const other = receiver.received.find((r) => r.id !== id)!;
    assert.deepEqual((other.body as any).parameters, {}, `${plain.id} has no parameters`);
  });

  test('renders a token common to all of its event types for each of them', async (t) => {
    const s = await startBench(t);
    const receiver = await receiverFor(t);
    const endpoint = await s.endpoint(receiver.url, {
      eventTypes: ['service.state_changed', 'bill_run.completed'],
      parameters: [{ name: 'kind', value: '{{event.type}}' }],
    });

    await s.post(endpoint.id);
    await s.call('POST', '/v1/events', {
      type: 'bill_run.completed',
      data: sampleData('bill_run.completed'),
    });
    const hooks = await receiver.waitFor(2, PATIENCE_MS);

    const kinds = hooks.map((hook) => (hook.body as any).parameters.kind).sort();
    assert.deepEqual(kinds, ['bill_run.completed', 'service.state_changed']);
  });

  test('refuses a token that one of the event types does not carry', async (t) => {
    const s = await startBench(t);
    const base = {
      name: 'mixed',
      url: 'https://127.0.0.1:9/hooks',
      eventTypes: ['service.state_changed', 'bill_run.completed'],
    };

    const refused = await s.h.api('POST', '/v1/endpoints', {
      ...base,
      parameters: [
        { name: 'kind', value: '{{event.type}}' },
        { name: 'customer', value: 'Dear {{account.name}}' },
      ],
    });

    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.field, 'parameters[1].value');
    assert.match(refused.body.error.message, /account\.name/);
    assert.match(refused.body.error.message, /bill_run\.completed/);
    assert.match(refused.body.error.message, /billRun\.id/, 'it lists the tokens there are');
    const listed = await s.call('GET', '/v1/endpoints');
    assert.equal(listed.data.length, 0, 'nothing was saved');
  });

  test('refuses a change of event types that strands a parameter token', async (t) => {
    const s = await startBench(t);
    const endpoint = await s.call('POST', '/v1/endpoints', {
      name: 'service only',
      url: 'https://127.0.0.1:9/hooks',
      eventTypes: ['service.state_changed'],
      parameters: [{ name: 'service', value: '{{service.name}}' }],
    });

    const refused = await s.h.api('PATCH', `/v1/endpoints/${endpoint.id}`, {
      eventTypes: ['service.state_changed', 'invoice.posted'],
    });

    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.field, 'parameters[0].value');
    assert.match(refused.body.error.message, /service\.name/);
    const kept = await s.call('GET', `/v1/endpoints/${endpoint.id}`);
    assert.deepEqual(kept.eventTypes, ['service.state_changed']);
  });
});
