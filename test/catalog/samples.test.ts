import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES, sampleCommon, sampleData, tokenNames } from '../../src/catalog/index.ts';

describe('sample values', () => {
  test('fill every payload token of every type', () => {
    for (const def of EVENT_TYPES) {
      const data = sampleData(def.type);
      for (const name of tokenNames(def.type, 'webhook')) {
        const [group, field] = name.split('.');
        if (!def.payloadGroups.includes(group)) continue;
        const value = (data[group] as Record<string, unknown>)[field];
        assert.notEqual(value, undefined, `${def.type} ${name}`);
      }
    }
  });

  test('are a fresh object on every call', () => {
    const first = sampleData('invoice.posted');
    (first.invoice as Record<string, unknown>).total = 1;
    assert.notEqual((sampleData('invoice.posted').invoice as Record<string, unknown>).total, 1);
  });

  test('give common values that name the type and drop the account of a bill run', () => {
    const invoice = sampleCommon('invoice.posted');
    assert.equal(invoice.event.type, 'invoice.posted');
    assert.ok(invoice.account?.id, 'the sample has an account id');
    assert.ok(invoice.owner.name, 'the sample has an owner name');
    assert.ok(invoice.contact.email.includes('@'), 'the sample contact has an email address');
    assert.equal(sampleCommon('bill_run.completed').account, null);
    assert.ok(sampleCommon().account, 'the common sample has an account');
  });
});
