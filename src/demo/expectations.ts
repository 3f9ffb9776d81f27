/**
 * What the demo expects Herald to have sent for one event, worked out from the
 * sample and the design's rules rather than from Herald's code: the value of every
 * token, who receives the email, and which language variant it is in.
 */
import type { CannedEmail } from './canned-emails.ts';
import type { HeraldEvent } from './event-log.ts';
import type { SampleAccount, SampleContact } from './sample.ts';

/** The account fields that are tokens; contacts and settings stay out. */
export const ACCOUNT_TOKEN_FIELDS = ['id', 'number', 'name', 'status', 'balance', 'currency'];

/** Contact types with a role in recipient choice, as the demo configures them. */
export const EMAIL_DEFAULT_TYPE = 'service';
export const BILLING_TYPE = 'billing';

export interface ExpectedContact extends SampleContact {
  type: string;
}

/** Token values of an event; `contact` is the email's first recipient, if any. */
export function tokenValues(
  event: HeraldEvent,
  ownerName: string,
  account: SampleAccount | undefined,
  contact: ExpectedContact | undefined,
): Map<string, unknown> {
  const values = new Map<string, unknown>([
    ['event.id', event.id],
    ['event.type', event.type],
    ['event.occurredAt', event.occurredAt],
    ['owner.name', ownerName],
  ]);
  if (account) {
    const fields = account as unknown as Record<string, unknown>;
    for (const field of ACCOUNT_TOKEN_FIELDS) values.set(`account.${field}`, fields[field]);
  }
  if (contact) {
    values.set('contact.name', contact.name);
    values.set('contact.email', contact.email);
    values.set('contact.type', contact.type);
  }
  for (const [group, fields] of Object.entries(event.data)) {
    for (const [field, value] of Object.entries(fields)) values.set(`${group}.${field}`, value);
  }
  return values;
}

/**
 * The To list of an event's email: the template's contact type, or the email
 * default type when the account lacks it; plus, for invoice news of an account that
 * takes email invoicing, its billing contact. One address appears once.
 */
export function expectedRecipients(
  email: CannedEmail,
  account: SampleAccount | undefined,
  isInvoiceEvent: boolean,
): { to: SampleContact[]; primary?: ExpectedContact } {
  const to: SampleContact[] = [];
  let primary: ExpectedContact | undefined;
  const add = (contact: SampleContact) => {
    if (!to.some((c) => c.email.toLowerCase() === contact.email.toLowerCase())) to.push(contact);
  };

  for (const recipient of email.to) {
    if (!('contactType' in recipient)) {
      add({ name: recipient.name, email: recipient.address });
      continue;
    }
    if (!account) continue;
    const type = account.contacts[recipient.contactType]
      ? recipient.contactType
      : EMAIL_DEFAULT_TYPE;
    const contact = account.contacts[type];
    if (!contact) continue;
    add(contact);
    primary ??= { ...contact, type };
  }
  const billing = account?.contacts[BILLING_TYPE];
  if (isInvoiceEvent && account?.emailInvoicing && billing) {
    const already = to.some((c) => c.email.toLowerCase() === billing.email.toLowerCase());
    if (!already) {
      add(billing);
      primary ??= { ...billing, type: BILLING_TYPE };
    }
  }
  return { to, primary };
}

/** The variant the account's locale picks: same language, else the neutral one. */
export function expectedVariant(email: CannedEmail, account: SampleAccount | undefined) {
  const language = account?.locale.split('-')[0].toLowerCase();
  return email.variants.find((v) => v.locale.split('-')[0] === language) ?? email;
}

/** The subject with its tokens put in, as text: the demo's subjects have no blocks. */
export function expectedSubject(subject: string, values: Map<string, unknown>): string {
  return subject.replace(/\{\{([\w.]+)\}\}/g, (_, name: string) => {
    const value = values.get(name);
    return value === undefined || value === null ? '' : String(value);
  });
}
