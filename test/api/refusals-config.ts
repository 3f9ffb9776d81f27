/**
 * Refusals of the configuration routes: accounts, contact types, endpoints, owners
 * and keys. Each case is one request that bad-values.test.ts sends and expects to
 * be refused on `field`, with nothing written.
 */
import type { Seeded } from './api-fixtures.ts';

/** One request Herald must refuse, and how. */
export interface RefusalCase {
  name: string;
  method: string;
  path: (ids: Seeded) => string;
  body: unknown;
  status: number;
  field: string;
  code?: string;
  mentions?: string[];
  headers?: Record<string, string>;
  /** Set when the answer itself is wrong: the whole case is a known bug. */
  todo?: string;
}

export const post = (path: string) => () => path;
const ENDPOINT = { name: 'hook', eventTypes: ['service.state_changed'] };
export const endpointAt = (url: string) => ({ ...ENDPOINT, url });

/** Saved URLs refused whatever the development switch says. */
export const ALWAYS_REFUSED: [string, string][] = [
  ['http://hooks.example.com/herald', 'https://'],
  ['ftp://hooks.example.com/herald', 'https://'],
  ['hooks.example.com/herald', 'absolute'],
  ['https://user:pw@hooks.example.com/herald', 'user name'],
  [`https://hooks.example.com/${'a'.repeat(2048)}`, '2048'],
];

/** Saved URLs refused when allowPrivateTargets is off. */
export const PRIVATE_REFUSED: [string, string][] = [
  ['https://hooks.example.com:8443/herald', 'port'],
  ['https://127.0.0.1/herald', 'loopback'],
  ['https://10.1.2.3/herald', 'private'],
  ['https://192.168.0.10/herald', 'private'],
  ['https://169.254.169.254/latest/meta-data', 'link-local'],
  ['https://[::1]/herald', 'loopback'],
  ['https://[fd00:ec2::254]/herald', 'private'],
  ['https://2130706433/herald', '127.0.0.1'],
  ['https://localhost/herald', 'localhost'],
  ['https://api.localhost/herald', 'localhost'],
];

export const CONFIG_REFUSALS: RefusalCase[] = [
  // Accounts
  ...[
    ['a time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['a locale', { locale: 'not a locale' }, 'locale'],
    [
      'a contact email',
      { contacts: { billing: { email: 'bea.example.com' } } },
      'contacts.billing.email',
    ],
    ['a currency', { currency: 'euro' }, 'currency'],
  ].flatMap(([what, fields, field]) => [
    {
      name: `POST /v1/accounts with a bad ${what}`,
      method: 'POST',
      path: post('/v1/accounts'),
      body: { id: 'acc-refused', ...(fields as object) },
      status: field === 'currency' ? 400 : 422,
      field: field as string,
    },
    {
      name: `PATCH /v1/accounts/:id with a bad ${what}`,
      method: 'PATCH',
      path: (ids: Seeded) => `/v1/accounts/${ids.accountId}`,
      body: fields,
      status: field === 'currency' ? 400 : 422,
      field: field as string,
    },
  ]),
  {
    name: 'an account contact of an unknown contact type',
    method: 'POST',
    path: post('/v1/accounts'),
    body: { id: 'acc-refused', contacts: { nope: { email: 'n@example.com' } } },
    status: 422,
    field: 'contacts.nope',
    code: 'unknown_contact_type',
    mentions: ['billing'],
  },
  {
    name: 'an account id that exists',
    method: 'POST',
    path: post('/v1/accounts'),
    body: { id: 'acc-1', name: 'Again' },
    status: 409,
    field: 'id',
    code: 'account_exists',
  },
  {
    name: 'a contact type name with capitals and spaces',
    method: 'POST',
    path: post('/v1/contact-types'),
    body: { name: 'Billing Team' },
    status: 400,
    field: 'name',
  },
  // Endpoints
  ...ALWAYS_REFUSED.map(([url, word]) => ({
    name: `an endpoint URL ${url.slice(0, 60)}`,
    method: 'POST',
    path: post('/v1/endpoints'),
    body: endpointAt(url),
    status: 422,
    field: 'url',
    mentions: [word],
  })),
  {
    name: 'an endpoint PATCH to an http:// URL',
    method: 'PATCH',
    path: (ids) => `/v1/endpoints/${ids.endpointId}`,
    body: { url: 'http://hooks.example.com/herald' },
    status: 422,
    field: 'url',
  },
  {
    name: 'an endpoint for an unknown event type',
    method: 'POST',
    path: post('/v1/endpoints'),
    body: { ...endpointAt('https://hooks.example.com/x'), eventTypes: ['service.exploded'] },
    status: 422,
    field: 'eventTypes[0]',
    code: 'unknown_event_type',
    mentions: ['service.exploded'],
  },
  ...[
    ['{{nope.token}}', 'nope.token'],
    ['Invoice {{invoice.number}}', 'invoice.number'],
    ['{{contact.email}}', 'contact.email'],
    ['{{#each service}}x{{/each}}', 'each'],
  ].map(([value, token]) => ({
    name: `an endpoint parameter holding ${value}`,
    method: 'POST',
    path: post('/v1/endpoints'),
    body: { ...endpointAt('https://hooks.example.com/x'), parameters: [{ name: 'p', value }] },
    status: 422,
    field: 'parameters[0].value',
    mentions: [token],
  })),
  {
    name: 'two endpoint parameters of one name',
    method: 'POST',
    path: post('/v1/endpoints'),
    body: {
      ...endpointAt('https://hooks.example.com/x'),
      parameters: [
        { name: 'p', value: 'a' },
        { name: 'p', value: 'b' },
      ],
    },
    status: 422,
    field: 'parameters[1].name',
  },
  {
    name: 'an endpoint parameter with an unknown field',
    method: 'POST',
    path: post('/v1/endpoints'),
    body: {
      ...endpointAt('https://hooks.example.com/x'),
      parameters: [{ name: 'p', value: 'a', x: 1 }],
    },
    status: 400,
    field: 'parameters[0].x',
    code: 'unknown_field',
  },
  ...[
    [{ Authorization: 'Bearer x' }, 'headers.Authorization'],
    [{ 'Webhook-Signature': 'v1,x' }, 'headers.Webhook-Signature'],
    [{ 'X-Tenant': 'a\r\nInjected: yes' }, 'headers.X-Tenant'],
  ].map(([headers, field]) => ({
    name: `an endpoint header ${field}`,
    method: 'POST',
    path: post('/v1/endpoints'),
    body: { ...endpointAt('https://hooks.example.com/x'), headers },
    status: 422,
    field: field as string,
  })),
  {
    name: 'basic auth without a password',
    method: 'POST',
    path: post('/v1/endpoints'),
    body: { ...endpointAt('https://hooks.example.com/x'), auth: { type: 'basic', username: 'u' } },
    status: 400,
    field: 'auth.password',
  },
  {
    name: 'resend-failed from a time that is not a date',
    method: 'POST',
    path: (ids) => `/v1/endpoints/${ids.endpointId}/resend-failed`,
    body: { since: 'yesterday' },
    status: 422,
    field: 'since',
  },
  {
    name: 'resend-failed until before since',
    method: 'POST',
    path: (ids) => `/v1/endpoints/${ids.endpointId}/resend-failed`,
    body: { since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
    status: 422,
    field: 'until',
  },
  {
    name: 'rotate-secret with a negative grace period',
    method: 'POST',
    path: (ids) => `/v1/endpoints/${ids.endpointId}/rotate-secret`,
    body: { graceSeconds: -1 },
    status: 400,
    field: 'graceSeconds',
  },
  // Owners and keys
  {
    name: 'an owner with a bad default locale',
    method: 'POST',
    path: post('/v1/owners'),
    body: { name: 'O', defaultLocale: 'not a locale' },
    status: 422,
    field: 'defaultLocale',
  },
  {
    name: 'a key with a scope that does not exist',
    method: 'POST',
    path: post('/v1/keys'),
    body: { name: 'k', scopes: ['events:read', 'superuser'] },
    status: 400,
    field: 'scopes[1]',
  },
];
