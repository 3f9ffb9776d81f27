import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVENT_TYPES,
  getEventType,
  requireEventType,
  sharedTokenNames,
  tokenNames,
  tokensFor,
} from '../../src/catalog/index.ts';
import { ApiError } from '../../src/errors.ts';
import { DESIGN_TYPES } from '../helpers/design-types.ts';

const CATALOGUE_TYPES = [...DESIGN_TYPES, 'endpoint.disabled'];

describe('event catalogue', () => {
  test('holds the sixteen types of the design, in its order, then endpoint.disabled', () => {
    assert.deepEqual(
      EVENT_TYPES.map((t) => t.type),
      CATALOGUE_TYPES,
    );
  });

  test('gives every type a version, a description, a data schema and tokens', () => {
    for (const def of EVENT_TYPES) {
      assert.equal(def.version, 1, def.type);
      assert.ok(def.description.length > 10, def.type);
      assert.equal(def.schema.type, 'object', def.type);
      assert.equal(def.schema.additionalProperties, false, def.type);
      assert.deepEqual(Object.keys(def.schema.properties as object), [...def.payloadGroups]);
      assert.ok(def.tokens.length > 0, def.type);
      for (const token of def.tokens) {
        assert.match(token.name, /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/, token.name);
        assert.ok(token.description, token.name);
        assert.notEqual(token.example, undefined, token.name);
      }
    }
  });

  test('lists each type carrying its common groups and payload groups, never contact', () => {
    for (const def of EVENT_TYPES) {
      const common = def.hasAccount
        ? ['event', 'now', 'owner', 'account']
        : ['event', 'now', 'owner'];
      assert.deepEqual(def.groups, [...common, ...def.payloadGroups], def.type);
      assert.ok(!def.groups.includes('contact'), def.type);
      const tokenGroups = new Set(def.tokens.map((t) => t.name.split('.')[0]));
      assert.deepEqual([...tokenGroups], [...def.groups], def.type);
    }
  });

  test('gives bill run types no account and no service tokens', () => {
    for (const type of ['bill_run.started', 'bill_run.completed']) {
      const def = getEventType(type);
      assert.ok(def, 'the event type is in the catalogue');
      assert.equal(def.hasAccount, false);
      for (const channel of ['webhook', 'email'] as const) {
        const names = tokenNames(type, channel);
        assert.ok(!names.some((n) => n.startsWith('account.')), names.join());
        assert.ok(!names.some((n) => n.startsWith('service.')), names.join());
        assert.ok(names.includes('billRun.id'), 'billRun.id is a token');
      }
    }
    assert.ok(
      tokenNames('bill_run.completed', 'webhook').includes('billRun.invoiceCount'),
      'billRun.invoiceCount is a webhook token',
    );
  });

  test('carries the tokens the design names for a service state change', () => {
    const names = tokenNames('service.state_changed', 'webhook');
    for (const name of [
      'event.id',
      'event.type',
      'event.occurredAt',
      'now.date',
      'now.time',
      'owner.name',
      'account.id',
      'account.number',
      'account.name',
      'account.status',
      'account.balance',
      'account.currency',
      'service.id',
      'service.name',
      'service.previousState',
      'service.newState',
      'package.id',
      'package.name',
    ]) {
      assert.ok(names.includes(name), name);
    }
    const packageName = tokensFor('service.state_changed', 'webhook').find(
      (t) => t.name === 'package.name',
    );
    assert.equal(packageName?.optional, true);
    const serviceName = tokensFor('service.state_changed', 'webhook').find(
      (t) => t.name === 'service.name',
    );
    assert.equal(serviceName?.optional, undefined);
  });

  test('adds contact tokens for email only', () => {
    const webhook = tokenNames('invoice.posted', 'webhook');
    const email = tokenNames('invoice.posted', 'email');
    assert.ok(!webhook.some((n) => n.startsWith('contact.')), 'contact tokens offered to webhooks');
    for (const name of ['contact.name', 'contact.email', 'contact.type']) {
      assert.ok(email.includes(name), name);
    }
    assert.deepEqual(
      email.filter((n) => !n.startsWith('contact.')),
      webhook,
    );
  });

  test('gives an empty token list for an unknown type', () => {
    assert.deepEqual(tokensFor('no.such_type', 'email'), []);
    assert.equal(getEventType('no.such_type'), undefined);
  });

  test('refuses an unknown type by name, listing the known ones', () => {
    assert.throws(
      () => requireEventType('invoice.paid', 'eventType'),
      (error: unknown) => {
        assert.ok(error instanceof ApiError, `not an ApiError: ${error}`);
        assert.equal(error.status, 422);
        assert.equal(error.field, 'eventType');
        assert.match(error.message, /"invoice\.paid"/);
        assert.match(error.message, /invoice\.posted/);
        return true;
      },
    );
  });

  test('finds the tokens shared by several types', () => {
    const shared = sharedTokenNames(['invoice.posted', 'invoice.overdue'], 'webhook');
    assert.ok(shared.includes('invoice.dueDate'), 'invoice.dueDate is shared');
    assert.ok(!shared.includes('overdue.daysOverdue'), 'overdue.daysOverdue is shared');
    const withBillRun = sharedTokenNames(['invoice.posted', 'bill_run.started'], 'webhook');
    assert.deepEqual(withBillRun, [
      'event.id',
      'event.type',
      'event.occurredAt',
      'now.date',
      'now.time',
      'owner.name',
    ]);
    assert.deepEqual(sharedTokenNames([], 'webhook'), []);
  });

  test('is frozen so no caller can change it for others', () => {
    const def = getEventType('invoice.posted');
    assert.ok(def, 'the event type is in the catalogue');
    assert.ok(Object.isFrozen(def.schema), 'the schema is frozen');
    assert.ok(Object.isFrozen(def.tokens[0]), 'the tokens are frozen');
    assert.throws(() => {
      (def.tokens as unknown as unknown[]).push({});
    }, TypeError);
  });
});
