/**
 * Turns a canned email's recipient lists (contact types and literal addresses)
 * into the mailboxes of one account. Pure: the caller loads the account and the
 * owner's contact-type settings, and writes the returned notes to the delivery
 * log so an owner can see why a message went where it went.
 */
import type { Address } from './types.ts';

/** A template recipient: one of the account's contacts by type, or a fixed address. */
export type Recipient = { contactType: string } | { address: string; name?: string };

export interface Contact {
  name?: string;
  email: string;
}

export interface RecipientInput {
  template: { to: Recipient[]; cc: Recipient[]; bcc: Recipient[] };
  /** The event's account, or null for events without one (a bill run). */
  account: { contacts: Record<string, Contact>; emailInvoicing?: boolean } | null;
  /** The owner's designated email contact type, used when an account lacks a type. */
  emailDefaultContactType?: string;
  /** The contact type that receives invoices; "billing" when unset. */
  billingContactType?: string;
  isInvoiceEvent: boolean;
}

export interface ResolvedRecipients {
  to: Address[];
  cc: Address[];
  bcc: Address[];
  /** Plain sentences for the delivery log: fallbacks taken, recipients skipped or added. */
  notes: string[];
  /** The contact the contact tokens describe: the first To recipient chosen by contact type. */
  primaryContact: { name?: string; email: string; type: string } | null;
}

const DEFAULT_BILLING_TYPE = 'billing';

type ListName = 'to' | 'cc' | 'bcc';

/**
 * Resolves every list, then removes repeated addresses (compared without case),
 * keeping the first occurrence in the order to, cc, bcc, so nobody gets two
 * copies and a To recipient is never demoted to Bcc.
 */
export function resolveRecipients(input: RecipientInput): ResolvedRecipients {
  const notes: string[] = [];
  let primaryContact: ResolvedRecipients['primaryContact'] = null;
  const lists: Record<ListName, Address[]> = { to: [], cc: [], bcc: [] };

  for (const list of ['to', 'cc', 'bcc'] as const) {
    for (const recipient of input.template[list]) {
      if (!('contactType' in recipient)) {
        lists[list].push(literal(recipient));
        continue;
      }

      const found = findContact(input, recipient.contactType, notes);
      if (!found) continue;
      lists[list].push(toAddress(found.contact));
      if (list === 'to' && !primaryContact) primaryContact = primary(found.contact, found.type);
    }
  }

  const billing = addBillingContact(input, lists.to, notes);
  if (billing && !primaryContact) primaryContact = billing;

  const seen = new Set<string>();
  const unique = (addresses: Address[]) =>
    addresses.filter((a) => {
      const key = a.address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });

  return {
    to: unique(lists.to),
    cc: unique(lists.cc),
    bcc: unique(lists.bcc),
    notes,
    primaryContact,
  };
}

function findContact(
  input: RecipientInput,
  type: string,
  notes: string[],
): { contact: Contact; type: string } | null {
  if (!input.account) {
    notes.push(`event has no account, so the "${type}" contact recipient was skipped`);
    return null;
  }

  const contact = usable(input.account.contacts[type]);
  if (contact) return { contact, type };

  const fallbackType = input.emailDefaultContactType;
  const fallback = fallbackType ? usable(input.account.contacts[fallbackType]) : undefined;
  if (fallbackType && fallback && fallbackType !== type) {
    notes.push(
      `account has no "${type}" contact; used its "${fallbackType}" contact ` +
        `(the owner's email default)`,
    );
    return { contact: fallback, type: fallbackType };
  }

  if (!fallbackType) {
    notes.push(
      `account has no "${type}" contact and the owner has no email default contact type; ` +
        `skipped that recipient`,
    );
  } else if (fallbackType === type) {
    notes.push(
      `account has no "${type}" contact (the owner's email default); skipped that recipient`,
    );
  } else {
    notes.push(
      `account has no "${type}" contact and no "${fallbackType}" contact ` +
        `(the owner's email default); skipped that recipient`,
    );
  }
  return null;
}

/** Adds the billing contact to To for an invoice event of an email-invoicing account. */
function addBillingContact(
  input: RecipientInput,
  to: Address[],
  notes: string[],
): ResolvedRecipients['primaryContact'] {
  if (!input.isInvoiceEvent || !input.account?.emailInvoicing) return null;

  const type = input.billingContactType ?? DEFAULT_BILLING_TYPE;
  const contact = usable(input.account.contacts[type]);
  if (!contact) {
    notes.push(
      `account takes email invoicing but has no "${type}" contact; ` +
        `sent to the template's recipients only`,
    );
    return null;
  }

  const email = contact.email.trim().toLowerCase();
  if (to.some((a) => a.address.toLowerCase() === email)) return null;

  to.push(toAddress(contact));
  notes.push(`account takes email invoicing; added its "${type}" contact to To`);
  return primary(contact, type);
}

/** A contact with a blank email is treated as missing, so the fallback still applies. */
function usable(contact: Contact | undefined): Contact | undefined {
  return contact && typeof contact.email === 'string' && contact.email.trim() !== ''
    ? contact
    : undefined;
}

function literal(recipient: { address: string; name?: string }): Address {
  return withName(recipient.address.trim(), recipient.name);
}

function toAddress(contact: Contact): Address {
  return withName(contact.email.trim(), contact.name);
}

function primary(
  contact: Contact,
  type: string,
): NonNullable<ResolvedRecipients['primaryContact']> {
  const { name, address } = toAddress(contact);
  return name === undefined ? { email: address, type } : { name, email: address, type };
}

function withName(address: string, name: string | undefined): Address {
  // A display name is one header value: control characters (a CR/LF from an
  // account's contact name, say) fold to spaces rather than reach the receiver.
  const trimmed = name?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return trimmed ? { name: trimmed, address } : { address };
}
