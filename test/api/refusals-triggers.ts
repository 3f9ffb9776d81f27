/**
 * Refusals of the trigger routes: usage records, buckets, contracts, scheduled
 * notifications, event changes and trigger settings. Each case is one request that
 * bad-values.test.ts sends and expects to be refused on `field`, with nothing written.
 */
import { post, type RefusalCase } from './refusals-config.ts';

const BUCKET = { name: 'sms', unit: 'SMS', allowance: 100, tiers: [50, 100], period: 'monthly' };
const CONTRACT = {
  accountId: 'acc-1',
  period: 'monthly',
  tiers: [{ name: 'base', commitAmount: 5 }],
};
const usage = (fields: object) => ({ accountId: 'acc-1', quantity: 1, ...fields });

export const TRIGGER_REFUSALS: RefusalCase[] = [
  ...(
    [
      [usage({ accountId: 'acc-missing' }), 422, 'accountId'],
      [usage({ bucket: 'no-such-bucket' }), 422, 'bucket'],
      [usage({ at: 'last tuesday' }), 422, 'at'],
      [usage({ quantity: -1 }), 400, 'quantity'],
      [{ records: [usage({}), usage({ accountId: 'acc-missing' })] }, 422, 'records[1].accountId'],
      [{ records: [usage({}), usage({ quantity: -5 })] }, 400, 'records[1].quantity'],
      [{ ...usage({}), records: [usage({})] }, 422, 'records'],
      [{ records: [] }, 400, 'records'],
    ] as [object, number, string][]
  ).map(([body, status, field]) => ({
    name: `usage refused on ${field}: ${JSON.stringify(body).slice(0, 60)}`,
    method: 'POST',
    path: post('/v1/usage'),
    body,
    status,
    field,
  })),
  ...(
    [
      [{ tiers: [0] }, 400, 'tiers[0]'],
      [{ tiers: [] }, 400, 'tiers'],
      [{ allowance: 0 }, 400, 'allowance'],
      [{ period: 'fortnightly' }, 400, 'period'],
      [{ name: 'data' }, 409, 'name'],
    ] as [object, number, string][]
  ).map(([fields, status, field]) => ({
    name: `a bucket refused on ${field}: ${JSON.stringify(fields)}`,
    method: 'POST',
    path: post('/v1/buckets'),
    body: { ...BUCKET, ...fields },
    status,
    field,
  })),
  ...(
    [
      [{ accountId: 'acc-missing' }, 422, 'accountId'],
      [{ bucket: 'no-such-bucket' }, 422, 'bucket'],
      [{ currency: 'euro' }, 400, 'currency'],
      [{ tiers: [{ name: 'base', commitAmount: -1 }] }, 400, 'tiers[0].commitAmount'],
    ] as [object, number, string][]
  ).map(([fields, status, field]) => ({
    name: `a contract refused on ${field}: ${JSON.stringify(fields)}`,
    method: 'POST',
    path: post('/v1/contracts'),
    body: { ...CONTRACT, ...fields },
    status,
    field,
  })),
  {
    name: 'a scheduled notification moved to a time that is not a date',
    method: 'PATCH',
    path: (ids) => `/v1/scheduled/${ids.scheduledId}`,
    body: { dueAt: 'soon' },
    status: 422,
    field: 'dueAt',
  },
  {
    name: 'a scheduled notification given data its type refuses',
    method: 'PATCH',
    path: (ids) => `/v1/scheduled/${ids.scheduledId}`,
    body: { data: { overdue: { daysOverdue: 1 } } },
    status: 422,
    field: 'data.invoice',
  },
  {
    name: 'a scheduled notification PATCH with nothing to change',
    method: 'PATCH',
    path: (ids) => `/v1/scheduled/${ids.scheduledId}`,
    body: {},
    status: 400,
    field: 'body',
  },
  {
    name: 'an event PATCH with data its type refuses',
    method: 'PATCH',
    path: (ids) => `/v1/events/${ids.eventId}`,
    body: { data: { service: { id: 's' } } },
    status: 422,
    field: 'data.service.name',
  },
  {
    name: 'trigger settings with a bad time zone',
    method: 'PATCH',
    path: post('/v1/trigger-settings'),
    body: { timezone: 'Atlantis/Capital' },
    status: 422,
    field: 'timezone',
  },
  {
    name: 'trigger settings with a dormancy of zero days',
    method: 'PATCH',
    path: post('/v1/trigger-settings'),
    body: { dormantDays: 0 },
    status: 400,
    field: 'dormantDays',
  },
  ...(
    [
      [
        (ids: { endpointId: string }) => ({
          endpointId: ids.endpointId,
          schedule: { offsetDays: 3, at: '09:00' },
        }),
        'schedule',
      ],
      [
        (ids: { endpointId: string }) => ({ endpointId: ids.endpointId, dormantDays: 10 }),
        'dormantDays',
      ],
    ] as [(ids: { endpointId: string }) => unknown, string][]
  ).map(([body, field]) => ({
    name: `a subscription with ${field} for an event type that has none`,
    method: 'POST',
    path: post('/v1/subscriptions'),
    body,
    status: 422,
    field,
  })),
];
