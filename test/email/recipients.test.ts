import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveRecipients, type RecipientInput } from '../../src/email/recipients.ts';

const contacts = {
  billing: { name: 'Bea Billing', email: 'bea@customer.example' },
  technical: { name: 'Tom Tech', email: 'tom@customer.example' },
};

function input(overrides: Partial<RecipientInput> = {}): RecipientInput {
  return {
    template: { to: [], cc: [], bcc: [] },
    account: { contacts },
    emailDefaultContactType: 'billing',
    isInvoiceEvent: false,
    ...overrides,
  };
}

describe('resolveRecipients', () => {
  test('resolves contact types through the account and keeps literal addresses', () => {
    const result = resolveRecipients(
      input({
        template: {
          to: [{ contactType: 'technical' }],
          cc: [{ address: 'ops@owner.example', name: 'Owner Ops' }],
          bcc: [{ address: 'archive@owner.example' }],
        },
      }),
    );
    assert.deepEqual(result.to, [{ name: 'Tom Tech', address: 'tom@customer.example' }]);
    assert.deepEqual(result.cc, [{ name: 'Owner Ops', address: 'ops@owner.example' }]);
    assert.deepEqual(result.bcc, [{ address: 'archive@owner.example' }]);
    assert.deepEqual(result.notes, []);
    assert.deepEqual(result.primaryContact, {
      name: 'Tom Tech',
      email: 'tom@customer.example',
      type: 'technical',
    });
  });

  // Each row: the template's recipients, the account and settings, and what comes out.
  const table: Array<{
    name: string;
    given: Partial<RecipientInput>;
    to: string[];
    cc?: string[];
    bcc?: string[];
    notes: string[];
    primary: string | null;
  }> = [
    {
      name: "a missing type falls back to the owner's email default, with a note",
      given: { template: { to: [{ contactType: 'service' }], cc: [], bcc: [] } },
      to: ['bea@customer.example'],
      notes: [
        'account has no "service" contact; used its "billing" contact (the owner\'s email default)',
      ],
      primary: 'billing',
    },
    {
      name: 'a missing type with no usable default is skipped, with a note',
      given: {
        template: { to: [{ contactType: 'service' }], cc: [], bcc: [] },
        emailDefaultContactType: 'legal',
      },
      to: [],
      notes: [
        'account has no "service" contact and no "legal" contact (the owner\'s email default); ' +
          'skipped that recipient',
      ],
      primary: null,
    },
    {
      name: 'a missing type when the owner has no email default is skipped, with a note',
      given: {
        template: { to: [{ contactType: 'service' }], cc: [], bcc: [] },
        emailDefaultContactType: undefined,
      },
      to: [],
      notes: [
        'account has no "service" contact and the owner has no email default contact type; ' +
          'skipped that recipient',
      ],
      primary: null,
    },
    {
      name: 'an invoice event for an email-invoicing account adds the billing contact to To',
      given: {
        template: { to: [{ address: 'someone@else.example' }], cc: [], bcc: [] },
        account: { contacts, emailInvoicing: true },
        isInvoiceEvent: true,
      },
      to: ['someone@else.example', 'bea@customer.example'],
      notes: ['account takes email invoicing; added its "billing" contact to To'],
      primary: 'billing',
    },
    {
      name: 'the billing contact already in To is not added twice',
      given: {
        template: { to: [{ contactType: 'billing' }], cc: [], bcc: [] },
        account: { contacts, emailInvoicing: true },
        isInvoiceEvent: true,
      },
      to: ['bea@customer.example'],
      notes: [],
      primary: 'billing',
    },
    {
      name: 'the billing contact moves up from Bcc to To for an invoice event',
      given: {
        template: { to: [{ contactType: 'technical' }], cc: [], bcc: [{ contactType: 'billing' }] },
        account: { contacts, emailInvoicing: true },
        isInvoiceEvent: true,
      },
      to: ['tom@customer.example', 'bea@customer.example'],
      bcc: [],
      notes: ['account takes email invoicing; added its "billing" contact to To'],
      primary: 'technical',
    },
    {
      name: 'email invoicing does nothing for an event that is not about an invoice',
      given: {
        template: { to: [{ contactType: 'technical' }], cc: [], bcc: [] },
        account: { contacts, emailInvoicing: true },
        isInvoiceEvent: false,
      },
      to: ['tom@customer.example'],
      notes: [],
      primary: 'technical',
    },
    {
      name: 'email invoicing honours an owner-named billing contact type',
      given: {
        template: { to: [], cc: [], bcc: [] },
        account: { contacts: { accounts: { email: 'ap@customer.example' } }, emailInvoicing: true },
        billingContactType: 'accounts',
        isInvoiceEvent: true,
      },
      to: ['ap@customer.example'],
      notes: ['account takes email invoicing; added its "accounts" contact to To'],
      primary: 'accounts',
    },
    {
      name: 'email invoicing without a billing contact says so',
      given: {
        template: { to: [{ contactType: 'technical' }], cc: [], bcc: [] },
        account: { contacts: { technical: contacts.technical }, emailInvoicing: true },
        isInvoiceEvent: true,
      },
      to: ['tom@customer.example'],
      notes: [
        'account takes email invoicing but has no "billing" contact; ' +
          "sent to the template's recipients only",
      ],
      primary: 'technical',
    },
    {
      name: 'duplicates are dropped without regard to case, keeping to before cc before bcc',
      given: {
        template: {
          to: [{ contactType: 'billing' }, { address: 'BEA@customer.example' }],
          cc: [{ address: 'Tom@Customer.example' }, { contactType: 'billing' }],
          bcc: [{ contactType: 'technical' }, { address: 'audit@owner.example' }],
        },
      },
      to: ['bea@customer.example'],
      cc: ['Tom@Customer.example'],
      bcc: ['audit@owner.example'],
      notes: [],
      primary: 'billing',
    },
    {
      name: 'the primary contact is the first To recipient chosen by contact type',
      given: {
        template: {
          to: [{ address: 'fixed@owner.example' }, { contactType: 'technical' }],
          cc: [{ contactType: 'billing' }],
          bcc: [],
        },
      },
      to: ['fixed@owner.example', 'tom@customer.example'],
      cc: ['bea@customer.example'],
      notes: [],
      primary: 'technical',
    },
    {
      name: 'an event without an account keeps only literal addresses',
      given: {
        template: {
          to: [{ contactType: 'billing' }, { address: 'finance@owner.example' }],
          cc: [],
          bcc: [],
        },
        account: null,
        isInvoiceEvent: true,
      },
      to: ['finance@owner.example'],
      notes: ['event has no account, so the "billing" contact recipient was skipped'],
      primary: null,
    },
  ];

  for (const row of table) {
    test(row.name, () => {
      const result = resolveRecipients(input(row.given));
      assert.deepEqual(
        result.to.map((a) => a.address),
        row.to,
      );
      assert.deepEqual(
        result.cc.map((a) => a.address),
        row.cc ?? [],
      );
      assert.deepEqual(
        result.bcc.map((a) => a.address),
        row.bcc ?? [],
      );
      assert.deepEqual(result.notes, row.notes);
      assert.equal(result.primaryContact?.type ?? null, row.primary);
    });
  }

  test('a contact with a blank email counts as missing, so the fallback applies', () => {
    const result = resolveRecipients(
      input({
        template: { to: [{ contactType: 'service' }], cc: [], bcc: [] },
        account: { contacts: { ...contacts, service: { name: 'Nobody', email: '  ' } } },
      }),
    );
    assert.deepEqual(result.to, [{ name: 'Bea Billing', address: 'bea@customer.example' }]);
    assert.equal(result.notes.length, 1);
  });
});
