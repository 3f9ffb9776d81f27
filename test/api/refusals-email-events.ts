/**
 * Refusals of the email and event routes: SMTP profiles, canned emails,
 * subscriptions and event intake. Each case is one request that bad-values.test.ts
 * sends and expects to be refused on `field`, with nothing written.
 */
import { sampleData } from '../../src/catalog/index.ts';
import { serviceEvent, type Seeded } from './api-fixtures.ts';
import { post, type RefusalCase } from './refusals-config.ts';

const PROFILE = {
  name: 'p',
  host: 'smtp.example.com',
  tls: 'starttls',
  fromAddress: 'a@example.com',
};
const TEMPLATE = {
  name: 't',
  eventType: 'service.state_changed',
  subject: 'Changed',
  text: 'Hello',
  to: [{ address: 'ops@example.com' }],
};
const event = (changes: object) => ({ ...serviceEvent('acc-1'), ...changes });

export const EMAIL_AND_EVENT_REFUSALS: RefusalCase[] = [
  // SMTP profiles
  ...[
    [{ fromAddress: 'noreply' }, 'fromAddress'],
    [{ fromAddress: 'Ann <ann@example.com>' }, 'fromAddress'],
    [{ bcc: ['ok@example.com', 'not an address'] }, 'bcc[1]'],
    [{ port: 465, tls: 'none' }, 'tls'],
    [{ port: 70000 }, 'port'],
    [{ host: 'smtp://mail.example.com' }, 'host'],
    [{ host: 'mail example com' }, 'host'],
    [{ fromName: 'Ann\r\nBcc: x@example.com' }, 'fromName'],
  ].map(([fields, field]) => ({
    name: `an SMTP profile with ${JSON.stringify(fields)}`,
    method: 'POST',
    path: post('/v1/smtp-profiles'),
    body: { ...PROFILE, ...(fields as object) },
    status: 422,
    field: field as string,
  })),
  // Canned emails
  ...[
    [{ subject: 'Hi {{nope.x}}' }, 'subject', 'nope.x'],
    [{ html: '<p>{{invoice.number}}</p>' }, 'html', 'invoice.number'],
    [{ text: 'Line one\n{{billRun.id}}' }, 'text', 'billRun.id'],
    [{ subject: '{{{service.name}}}' }, 'subject', 'service.name'],
    [{ html: '{{> header}}' }, 'html', 'partial'],
    [{ subject: '{{#if service.name}}open' }, 'subject', 'template'],
    [{ eventType: 'invoice.exploded' }, 'eventType', 'invoice.exploded'],
    [{ locale: 'not a locale' }, 'locale', 'BCP 47'],
    [{ to: [{ contactType: 'nope' }] }, 'to[0].contactType', 'billing'],
    [{ cc: [{ address: 'bad' }] }, 'cc[0].address', 'bad'],
    [{ bcc: [{ address: 'a@example.com', name: 'A\nB' }] }, 'bcc[0].name', 'line'],
    [{ fromAddress: 'nobody' }, 'fromAddress', 'nobody'],
    [{ smtpProfileId: 'smtp_missing' }, 'smtpProfileId', 'smtp_missing'],
    [{ text: undefined }, 'html', 'text'],
    [{ to: [] }, 'to', 'recipient'],
  ].map(([fields, field, word]) => ({
    name: `a canned email with ${JSON.stringify(fields)}`,
    method: 'POST',
    path: post('/v1/email-templates'),
    body: { ...TEMPLATE, ...(fields as object) },
    status: 422,
    field: field as string,
    mentions: [word as string],
  })),
  {
    name: 'a canned email PATCH to a token its type lacks',
    method: 'PATCH',
    path: (ids) => `/v1/email-templates/${ids.templateId}`,
    body: { subject: '{{invoice.dueDate}}' },
    status: 422,
    field: 'subject',
    code: 'unknown_token',
  },
  {
    name: 'a test-send to a bad address',
    method: 'POST',
    path: (ids) => `/v1/email-templates/${ids.templateId}/test-send`,
    body: { to: 'nobody' },
    status: 422,
    field: 'to',
  },
  // Subscriptions
  ...[
    [{ endpointId: 'ep_missing' }, 'endpointId'],
    [{ emailTemplateId: 'tpl_missing' }, 'emailTemplateId'],
    [{}, 'endpointId'],
  ].map(([fields, field]) => ({
    name: `a subscription with ${JSON.stringify(fields)}`,
    method: 'POST',
    path: post('/v1/subscriptions'),
    body: fields,
    status: 422,
    field: field as string,
  })),
  ...(
    [
      [
        (ids: Seeded) => ({ endpointId: ids.endpointId, emailTemplateId: ids.templateId }),
        'endpointId',
      ],
      [(ids: Seeded) => ({ endpointId: ids.endpointId, eventTypes: ['nope.x'] }), 'eventTypes[0]'],
      [
        (ids: Seeded) => ({ endpointId: ids.endpointId, eventTypes: ['invoice.posted'] }),
        'eventTypes[0]',
      ],
      [(ids: Seeded) => ({ endpointId: ids.endpointId, filter: { 'nope.x': 1 } }), 'filter.nope.x'],
    ] as [(ids: Seeded) => unknown, string][]
  ).map(([body, field]) => ({
    name: `a subscription refused on ${field}`,
    method: 'POST',
    path: post('/v1/subscriptions'),
    body,
    status: 422,
    field,
  })),
  // Events
  ...[
    [{ type: 'service.exploded' }, 'type', 'unknown_event_type'],
    [{ accountId: undefined }, 'accountId', undefined],
    [{ accountId: 'acc-missing' }, 'accountId', 'unknown_account'],
    [{ type: 'bill_run.started', data: sampleData('bill_run.started') }, 'accountId', undefined],
    [{ occurredAt: 'yesterday' }, 'occurredAt', undefined],
    [{ occurredAt: '2026-13-45T00:00:00Z' }, 'occurredAt', undefined],
    [{ orderingKey: '' }, 'orderingKey', undefined],
    [
      { data: { service: { id: 's', name: 'n', previousState: 'a' } } },
      'data.service.newState',
      undefined,
    ],
    [
      { data: { ...sampleData('service.state_changed'), account: { id: 'x' } } },
      'data.account',
      undefined,
    ],
  ].map(([fields, field, code]) => ({
    name: `an event refused on ${field}: ${JSON.stringify(fields).slice(0, 50)}`,
    method: 'POST',
    path: post('/v1/events'),
    body: event(fields as object),
    status: 422,
    field: field as string,
    code: code as string | undefined,
  })),
  {
    name: 'an empty batch',
    method: 'POST',
    path: post('/v1/events/batch'),
    body: { events: [] },
    status: 422,
    field: 'events',
  },
];
