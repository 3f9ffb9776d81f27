import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES, sampleData, validatePayload } from '../../src/catalog/index.ts';
import { ApiError } from '../../src/errors.ts';

/** Asserts that validation fails with a 422 on `field` whose message matches `pattern`. */
const refuses = (type: string, data: unknown, field: string, pattern: RegExp): void => {
  assert.throws(
    () => validatePayload(type, data),
    (error: unknown) => {
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.status, 422);
      assert.equal(error.field, field);
      assert.match(error.message, pattern);
      return true;
    },
  );
};

const invoice = () => sampleData('invoice.posted').invoice as Record<string, unknown>;

describe('payload validation', () => {
  test('accepts the sample payload of every type', () => {
    for (const def of EVENT_TYPES) validatePayload(def.type, sampleData(def.type));
  });

  test('accepts a payload without its optional groups and fields', () => {
    validatePayload('service.state_changed', {
      service: { id: 'svc-1', name: 'Fibre 100', previousState: 'Preactive', newState: 'Active' },
    });
    validatePayload('refund.processed', { refund: { amount: 12.5, currency: 'GBP' } });
  });

  test('refuses a field of the wrong type, quoting the value', () => {
    refuses(
      'invoice.posted',
      { invoice: { ...invoice(), total: 'abc' } },
      'data.invoice.total',
      /^data\.invoice\.total must be a number \(got "abc"\)$/,
    );
    refuses(
      'invoice.overdue',
      { invoice: invoice(), overdue: { daysOverdue: 2.5 } },
      'data.overdue.daysOverdue',
      /whole number \(got 2\.5\)/,
    );
  });

  test('refuses a missing required field', () => {
    refuses(
      'service.state_changed',
      { service: { id: 'svc-1', previousState: 'Preactive', newState: 'Active' } },
      'data.service.name',
      /^data\.service\.name is required$/,
    );
  });

  test('refuses a missing required group, listing its fields', () => {
    refuses(
      'invoice.overdue',
      { invoice: invoice() },
      'data.overdue',
      /data\.overdue is required.*daysOverdue/,
    );
  });

  test('refuses an unknown group, listing the allowed ones', () => {
    refuses(
      'invoice.posted',
      { invoice: invoice(), servcie: { id: 'x' } },
      'data.servcie',
      /not a token group of invoice\.posted; allowed groups: invoice/,
    );
  });

  test('refuses a common group in the payload, saying where its tokens come from', () => {
    refuses(
      'invoice.posted',
      { invoice: invoice(), account: { name: 'Mallory' } },
      'data.account',
      /Herald fills account tokens from the account named by accountId/,
    );
    refuses(
      'bill_run.started',
      { ...sampleData('bill_run.started'), service: { id: 'svc-1' } },
      'data.service',
      /not a token group of bill_run\.started/,
    );
  });

  test('refuses an unknown field inside a group, listing the allowed ones', () => {
    refuses(
      'invoice.posted',
      { invoice: { ...invoice(), dueDatee: '2025-03-31' } },
      'data.invoice.dueDatee',
      /not a field of invoice in invoice\.posted; allowed fields: id, number, date, dueDate/,
    );
  });

  test('refuses data that is not an object, and a group that is not one', () => {
    refuses('invoice.posted', ['x'], 'data', /object keyed by token group \(got \["x"\]\)/);
    refuses('invoice.posted', null, 'data', /\(got null\)/);
    refuses('invoice.posted', { invoice: 'INV-1' }, 'data.invoice', /object of invoice fields/);
  });

  test('refuses bad dates, times, currencies and negative amounts', () => {
    refuses(
      'invoice.posted',
      { invoice: { ...invoice(), dueDate: '2025-02-30' } },
      'data.invoice.dueDate',
      /YYYY-MM-DD \(got "2025-02-30"\)/,
    );
    refuses(
      'invoice.delivered',
      { invoice: invoice(), delivery: { method: 'email', deliveredAt: '2025-03-01 06:15' } },
      'data.delivery.deliveredAt',
      /ISO 8601 date-time with a time zone/,
    );
    refuses(
      'invoice.delivery_followup',
      {
        ...sampleData('invoice.delivery_followup'),
        followup: { offsetDays: 3, at: '9:00', scheduledAt: '2025-03-06T10:00:00Z' },
      },
      'data.followup.at',
      /HH:MM/,
    );
    refuses(
      'credit.processed',
      { credit: { amount: 5, currency: 'euro' } },
      'data.credit.currency',
      /ISO 4217.*\(got "euro"\)/,
    );
    refuses(
      'refund.processed',
      { refund: { amount: -5, currency: 'EUR' } },
      'data.refund.amount',
      /at least 0 \(got -5\)/,
    );
  });

  test('refuses an overlong string without quoting it whole', () => {
    const name = 'x'.repeat(5000);
    assert.throws(
      () =>
        validatePayload('package.added', {
          package: { id: 'p', name, effectiveDate: '2025-03-01' },
        }),
      (error: unknown) => {
        assert.ok(error instanceof ApiError, `not an ApiError: ${error}`);
        assert.equal(error.field, 'data.package.name');
        assert.ok(error.message.length < 200, error.message);
        return true;
      },
    );
  });

  test('refuses an uncatalogued type on the type field', () => {
    refuses('invoice.paid', {}, 'type', /catalogued event type \(got "invoice\.paid"\)/);
  });
});
