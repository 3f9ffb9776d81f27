/**
 * The realistic work every figure measures: a service of one customer account is
 * suspended, and the owner's endpoint (or canned email) hears of it. Each event
 * carries a marker in `service.id`, which the webhook body repeats, so the latency
 * figure can match a webhook to the POST that caused it.
 */

export const EVENT_TYPE = 'service.state_changed';
export const CONTACT_TYPE = 'billing';

export const ACCOUNT = {
  id: 'acc-100234',
  number: 'A-100234',
  name: 'Zoë Müller GmbH',
  status: 'Active',
  timezone: 'Europe/Berlin',
  locale: 'de',
  emailInvoicing: true,
  balance: 42.5,
  currency: 'EUR',
  contacts: { [CONTACT_TYPE]: { name: 'Zoë Müller', email: 'zoe.mueller@example.com' } },
};

export function benchEvent(marker: string) {
  return {
    type: EVENT_TYPE,
    accountId: ACCOUNT.id,
    data: {
      service: {
        id: marker,
        name: 'Fibre 100/40',
        previousState: 'Active',
        newState: 'Suspended',
      },
      package: { id: 'pkg-home-fibre', name: 'Home Fibre Unlimited' },
    },
  };
}

/** The canned email of the email figure (the raw side sends what Herald rendered). */
export const EMAIL = {
  subject: '{{service.name}} is now {{service.newState}}',
  html:
    '<p>Hello {{contact.name}},</p><p>your service <b>{{service.name}}</b> moved from ' +
    '{{service.previousState}} to {{service.newState}}.</p><p>Account {{account.number}}</p>',
  text:
    'Hello {{contact.name}},\n\nyour service {{service.name}} moved from ' +
    '{{service.previousState}} to {{service.newState}}.\n\nAccount {{account.number}}',
  fromAddress: 'noreply@operator.example',
  fromName: 'Operator Billing',
};
