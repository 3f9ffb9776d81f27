import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleCommon, sampleData, tokenNames } from '../../src/catalog/index.ts';
import { buildTokenContext, renderTemplate, webhookData } from '../../src/templates/index.ts';

const NOW = new Date('2025-03-14T23:05:59.000Z');

const invoiceContext = () =>
  buildTokenContext({
    event: { id: 'evt_1', type: 'invoice.posted', occurredAt: '2025-03-14T09:30:00.000Z' },
    data: sampleData('invoice.posted'),
    owner: { name: 'Northwind Telecom' },
    account: { id: 'acc-1', name: 'Brightwater', balance: 12.5, currency: 'EUR' },
    contact: { name: 'Aoife', email: 'aoife@example.com', type: 'billing' },
    now: NOW,
  });

describe('token context', () => {
  test('nests each token group under its name, with now in UTC', () => {
    const ctx = invoiceContext();
    assert.deepEqual(ctx.event, {
      id: 'evt_1',
      type: 'invoice.posted',
      occurredAt: '2025-03-14T09:30:00.000Z',
    });
    assert.deepEqual(ctx.now, { date: '2025-03-14', time: '23:05' });
    assert.deepEqual(ctx.owner, { name: 'Northwind Telecom' });
    assert.deepEqual(ctx.contact, { name: 'Aoife', email: 'aoife@example.com', type: 'billing' });
    assert.equal((ctx.invoice as Record<string, unknown>).number, 'INV-2025-000981');
  });

  test('keeps only the account token fields and leaves absent ones out', () => {
    const ctx = buildTokenContext({
      event: { id: 'evt_1', type: 'invoice.posted', occurredAt: '2025-03-14T09:30:00.000Z' },
      data: sampleData('invoice.posted'),
      owner: { name: 'O' },
      account: {
        id: 'acc-1',
        number: null,
        status: 'Active',
        contacts: { billing: { email: 'x@example.com' } },
        timezone: 'Europe/Dublin',
      } as unknown as { id: string },
    });
    assert.deepEqual(ctx.account, { id: 'acc-1', status: 'Active' });
    assert.equal('contact' in ctx, false);
    assert.equal(renderTemplate('[{{account.number}}][{{contact.name}}]', ctx, 'text'), '[][]');
  });

  test('renders every token of every sample without printing undefined', () => {
    for (const type of ['service.state_changed', 'bill_run.completed', 'sim.dormant']) {
      const ctx = buildTokenContext({ ...sampleCommon(type), data: sampleData(type), now: NOW });
      const source = tokenNames(type, 'email')
        .map((name) => `${name}={{${name}}}`)
        .join('\n');
      const out = renderTemplate(source, ctx, 'text');
      assert.ok(!out.includes('undefined'), out);
      assert.ok(!out.includes('[object'), out);
      for (const line of out.split('\n')) {
        if (type === 'bill_run.completed' && line.startsWith('account.')) continue;
        assert.match(line, /=.+/, `${type}: ${line}`);
      }
    }
  });

  test('ignores payload keys that pose as common groups', () => {
    const ctx = buildTokenContext({
      event: { id: 'evt_1', type: 'invoice.posted', occurredAt: '2025-03-14T09:30:00.000Z' },
      data: { ...sampleData('invoice.posted'), contact: { email: 'evil@example.com' } },
      owner: { name: 'O' },
      now: NOW,
    });
    assert.equal('contact' in ctx, false);
  });

  test('gives webhooks the context without contact and now', () => {
    const data = webhookData(invoiceContext());
    assert.deepEqual(Object.keys(data), ['event', 'owner', 'account', 'invoice']);
    const body = JSON.stringify(data);
    assert.ok(!body.includes('aoife@example.com'), 'the address shows in the body');
  });
});
