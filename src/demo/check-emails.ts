/**
 * Checks the mail the SMTP server parsed against what each event should have
 * produced: one message per accepted event, with HTML and text parts, the subject
 * exactly as its tokens spell it (in the account's language where a variant
 * exists), every token line of the body filled with the event's own value
 * (HTML-escaped in the HTML part), the expected recipients with their display names,
 * and no "{{" or "undefined" anywhere.
 */
import type { AddressObject } from 'mailparser';
import { escapeHtml, type CannedEmail } from './canned-emails.ts';
import type { ListedDelivery } from './check-webhooks.ts';
import {
  expectedRecipients,
  expectedSubject,
  expectedVariant,
  tokenValues,
} from './expectations.ts';
import type { HeraldEvent } from './event-log.ts';
import type { SampleAccount } from './sample.ts';
import type { ReceivedEmail } from './smtp-catcher.ts';

export interface EmailCheckInput {
  /** Every event Herald holds, in acceptance order. */
  events: HeraldEvent[];
  deliveriesOf: (eventId: string, channel: ListedDelivery['channel']) => ListedDelivery[];
  received: ReceivedEmail[];
  ownerName: string;
  accounts: Map<string, SampleAccount>;
  emails: Map<string, CannedEmail>;
  /** Event types that carry an invoice, which email invoicing applies to. */
  invoiceTypes: Set<string>;
}

export interface EmailReport {
  /** Ids of the events whose email arrived complete and correct. */
  ok: Set<string>;
  /** Emails that arrived in a language variant. */
  translated: number;
}

export function checkEmails(input: EmailCheckInput, fail: (message: string) => void): EmailReport {
  const report: EmailReport = { ok: new Set(), translated: 0 };
  const byDelivery = new Map<string, ReceivedEmail>();
  for (const mail of input.received) {
    const id = String(mail.parsed.headers.get('x-herald-delivery-id') ?? '');
    if (!byDelivery.has(id)) byDelivery.set(id, mail);
  }

  for (const event of input.events) {
    const where = `${event.ref} (${event.type})`;
    const deliveries = input.deliveriesOf(event.id, 'email');
    if (deliveries.length !== 1) {
      fail(`${where}: ${deliveries.length} email deliveries, expected 1`);
      continue;
    }
    const [delivery] = deliveries;
    if (delivery.status !== 'succeeded') {
      fail(
        `${where}: email delivery is ${delivery.status} (${JSON.stringify(delivery.lastError)})`,
      );
    }
    const mail = byDelivery.get(delivery.id);
    if (!mail) {
      fail(`${where}: no email of delivery ${delivery.id} reached the SMTP server`);
      continue;
    }
    const email = input.emails.get(event.type)!;
    const account = event.accountId ? input.accounts.get(event.accountId) : undefined;
    const variant = expectedVariant(email, account);
    if (variant !== email) report.translated++;

    const problems = mailProblems(mail, event, email, variant, account, input);
    for (const problem of problems) fail(`${where}: email ${problem}`);
    if (problems.length === 0) report.ok.add(event.id);
  }
  return report;
}

function mailProblems(
  mail: ReceivedEmail,
  event: HeraldEvent,
  email: CannedEmail,
  variant: { subject: string },
  account: SampleAccount | undefined,
  input: EmailCheckInput,
): string[] {
  const problems: string[] = [];
  const { parsed } = mail;
  const text = (parsed.text ?? '').replace(/\r\n/g, '\n');
  const html = parsed.html || '';
  if (!text) problems.push('has no text part');
  if (!html) problems.push('has no HTML part');
  for (const [part, content] of [
    ['subject', parsed.subject ?? ''],
    ['text', text],
    ['HTML', html],
  ]) {
    if (/\{\{|undefined/.test(content)) problems.push(`${part} holds "{{" or "undefined"`);
  }

  const isInvoice = input.invoiceTypes.has(event.type);
  const recipients = expectedRecipients(email, account, isInvoice);
  const values = tokenValues(event, input.ownerName, account, recipients.primary);

  const subject = expectedSubject(variant.subject, values);
  if (parsed.subject !== subject) {
    problems.push(
      `subject is ${JSON.stringify(parsed.subject)}, expected ${JSON.stringify(subject)}`,
    );
  }

  for (const token of email.tokens) {
    // The rendering clock is Herald's own; its lines are checked for "{{" only.
    if (token.name.startsWith('now.')) continue;
    const value = values.get(token.name);
    const label = `${token.description}: `;
    if (token.optional && !value) {
      if (text.includes(`\n${label}`)) problems.push(`text prints ${token.name}, which is empty`);
      continue;
    }
    if (!text.includes(`\n${label}${String(value)}\n`)) {
      problems.push(`text lacks the line "${label}${String(value)}" (${token.name})`);
    }
    if (!html.includes(`<td>${escapeHtml(String(value))}</td>`)) {
      problems.push(`HTML lacks ${token.name} = ${JSON.stringify(value)}, escaped`);
    }
  }

  const to = addresses(parsed.to);
  const wanted = recipients.to.map((c) => ({ address: c.email.toLowerCase(), name: c.name ?? '' }));
  const got = to.map((a) => ({ address: (a.address ?? '').toLowerCase(), name: a.name }));
  const sort = (list: { address: string }[]) =>
    JSON.stringify([...list].sort((a, b) => a.address.localeCompare(b.address)));
  if (sort(got) !== sort(wanted)) {
    problems.push(`went to ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
  }
  const from = addresses(parsed.from)[0];
  if (from?.name !== input.ownerName) {
    problems.push(`is from ${JSON.stringify(from?.name)}, expected ${input.ownerName}`);
  }
  return problems;
}

function addresses(field: AddressObject | AddressObject[] | undefined) {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value);
}
