/**
 * The demo's canned emails, one per event type, written from the token list that
 * GET /v1/event-types serves: the subject names the values that matter most, and
 * the HTML and text bodies list every token the type carries, each labelled with
 * its description. Optional tokens sit in {{#if}} blocks, so a value an event
 * leaves out drops its whole line instead of printing an empty label.
 */

/** One entry of GET /v1/event-types, as far as the demo reads it. */
export interface CatalogueEntry {
  type: string;
  description: string;
  hasAccount: boolean;
  tokens: readonly { name: string; description: string; optional?: boolean }[];
}

export type Recipient = { contactType: string } | { address: string; name?: string };

/** The words of one language version of a canned email. */
export interface EmailVariant {
  locale: string;
  subject: string;
  html: string;
  text: string;
}

export interface CannedEmail {
  eventType: string;
  name: string;
  subject: string;
  html: string;
  text: string;
  to: Recipient[];
  /** The tokens the bodies list, in order, so the demo can check each line. */
  tokens: CatalogueEntry['tokens'];
  /** Versions for accounts in other languages, saved as templates of the same name. */
  variants: EmailVariant[];
}

/** Who each type's email goes to; bill runs concern no account, so a fixed mailbox. */
const RECIPIENT: Record<string, string> = {
  'service.state_changed': 'service',
  'account.status_changed': 'billing',
  'account.cancelled': 'billing',
  // Invoice news goes to the main contact; Herald adds the billing contact itself
  // for accounts that take their invoices by email.
  'invoice.posted': 'service',
  'invoice.delivered': 'service',
  'invoice.overdue': 'billing',
  'invoice.delivery_followup': 'billing',
  'refund.processed': 'billing',
  'credit.processed': 'billing',
  'contract.under_commit': 'billing',
  'package.added': 'service',
  'package.cancelled': 'service',
  'sim.dormant': 'technical',
  'usage.threshold_exceeded': 'technical',
};

export const BILLING_DESK = { address: 'billing-desk@aurora-fibre.example', name: 'Billing desk' };

const SUBJECTS: Record<string, string> = {
  'service.state_changed': '{{service.name}} is now {{service.newState}} ({{account.name}})',
  'account.status_changed': 'Account {{account.number}} is now {{statusChange.newStatus}}',
  'account.cancelled': 'Account {{account.number}} will close on {{cancellation.date}}',
  'bill_run.started':
    'Bill run {{billRun.id}} started for {{billRun.periodStart}}–{{billRun.periodEnd}}',
  'bill_run.completed':
    'Bill run {{billRun.id}} done: {{billRun.invoiceCount}} invoices, ' +
    '{{billRun.total}} {{billRun.currency}}',
  'invoice.posted':
    'Invoice {{invoice.number}}: {{invoice.total}} {{invoice.currency}} due {{invoice.dueDate}}',
  'invoice.overdue': 'Invoice {{invoice.number}} is {{overdue.daysOverdue}} days overdue',
  'invoice.delivered': 'Invoice {{invoice.number}} was sent by {{delivery.method}}',
  'invoice.delivery_followup': 'Reminder for {{account.name}}: invoice {{invoice.number}}',
  'refund.processed': 'Refund of {{refund.amount}} {{refund.currency}} for {{account.name}}',
  'credit.processed': 'Credit of {{credit.amount}} {{credit.currency}} for {{account.name}}',
  'contract.under_commit':
    'Contract {{contract.id}} is {{commitment.shortfall}} short of {{commitment.tier}}',
  'sim.dormant': 'SIM {{sim.iccid}} unused for {{sim.daysDormant}} days',
  'package.added': '{{package.name}} added from {{package.effectiveDate}}',
  'package.cancelled': '{{package.name}} cancelled for {{account.name}}',
  'usage.threshold_exceeded':
    '{{usage.bucket}}: {{usage.tier}}% of {{usage.allowance}} {{usage.unit}} used',
};

/** German versions, which accounts with a German locale (de-DE, de-AT) receive. */
const GERMAN: Record<string, { subject: string; intro: string }> = {
  'invoice.posted': {
    subject:
      'Rechnung {{invoice.number}}: {{invoice.total}} {{invoice.currency}}, ' +
      'fällig am {{invoice.dueDate}}',
    intro: 'Ihre neue Rechnung liegt vor.',
  },
  'invoice.overdue': {
    subject: 'Rechnung {{invoice.number}} ist seit {{overdue.daysOverdue}} Tagen überfällig',
    intro: 'Ihre Rechnung ist noch offen.',
  },
};

/** The billing platform's event types: the demo subscribes to every one of them. */
export const DEMO_EVENT_TYPES: readonly string[] = Object.keys(SUBJECTS);

/** The recipient tokens emails add to a type with an account. */
const CONTACT_TOKENS: CatalogueEntry['tokens'] = [
  { name: 'contact.name', description: 'Your name', optional: true },
  { name: 'contact.email', description: 'Your email address' },
  { name: 'contact.type', description: 'You receive this as the contact for' },
];

/** The tokens a subject uses, in order. */
export function subjectTokens(subject: string): string[] {
  return [...subject.matchAll(/\{\{([\w.]+)\}\}/g)].map((m) => m[1]);
}

/** Handlebars' own HTML escaping, written out here so the demo can check its result. */
export function escapeHtml(value: string): string {
  const table: Record<string, string> = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#x27;',
    '`': '&#x60;',
    '=': '&#x3D;',
  };
  return value.replace(/[&<>"'`=]/g, (c) => table[c]);
}

export function cannedEmailFor(entry: CatalogueEntry): CannedEmail {
  const subject = SUBJECTS[entry.type];
  if (!subject) throw new Error(`the demo has no subject line for ${entry.type}`);
  const tokens = entry.hasAccount ? withContactTokens(entry.tokens) : entry.tokens;
  const hello = (word: string) =>
    entry.hasAccount ? `${word}{{#if contact.name}} {{contact.name}}{{/if}},` : `${word},`;

  const german = GERMAN[entry.type];
  const variants = german
    ? [
        {
          locale: 'de',
          subject: german.subject,
          ...bodies(hello('Guten Tag'), german.intro, tokens),
        },
      ]
    : [];
  const contactType = RECIPIENT[entry.type];
  return {
    eventType: entry.type,
    name: `${entry.type} notice`,
    subject,
    ...bodies(hello('Hello'), entry.description, tokens),
    to: contactType ? [{ contactType }] : [BILLING_DESK],
    tokens,
    variants,
  };
}

/** Text and HTML bodies: a greeting, an opening line, then one line per token. */
function bodies(greeting: string, intro: string, tokens: CatalogueEntry['tokens']) {
  const lines = tokens.map((t) => optionalLine(t, `${t.description}: {{${t.name}}}\n`));
  const text = `${greeting}\n\n${intro}\n\n${lines.join('')}\n-- \n{{owner.name}}\n`;

  const rows = tokens.map((t) =>
    optionalLine(t, `<tr><th>${escapeHtml(t.description)}</th><td>{{${t.name}}}</td></tr>\n`),
  );
  const html =
    '<!doctype html>\n<html><body style="font-family: sans-serif">\n' +
    `<p>${greeting}</p>\n<p>${escapeHtml(intro)}</p>\n` +
    `<table>\n${rows.join('')}</table>\n<p>{{owner.name}}</p>\n</body></html>\n`;
  return { text, html };
}

/** Contact tokens right after the account's, as an email's token list has them. */
function withContactTokens(tokens: CatalogueEntry['tokens']): CatalogueEntry['tokens'] {
  const after = tokens.map((t) => t.name.startsWith('account.')).lastIndexOf(true);
  return [...tokens.slice(0, after + 1), ...CONTACT_TOKENS, ...tokens.slice(after + 1)];
}

/** A line that disappears, newline and all, when its optional token is empty. */
function optionalLine(token: CatalogueEntry['tokens'][number], line: string): string {
  return token.optional ? `{{#if ${token.name}}}\n${line}{{/if}}\n` : line;
}
