/**
 * The demo's closing report: one table of events, webhooks and emails per event
 * type, a few lines on what was exercised on the way (retries, idempotent repeats,
 * ordering, language variants), and the verdict with the problems found, if any.
 */

export interface TypeRow {
  type: string;
  /** Events the demo posted. */
  posted: number;
  /** Events Herald's triggers raised from the month's facts. */
  derived: number;
  /** Webhooks and emails that arrived and matched their event in full. */
  webhooks: number;
  emails: number;
}

export interface DemoFacts {
  rows: TypeRow[];
  rejected: number;
  webhookRequests: number;
  webhooksVerified: number;
  webhooksRefusedOnPurpose: number;
  emailsReceived: number;
  emailsTranslated: number;
  emailsRefusedOnPurpose: number;
  retriedDeliveries: number;
  repeatsHonoured: number;
  repeats: number;
  outOfOrder: string[];
  heraldWarnings: number;
  heraldErrors: number;
  seconds: number;
  failures: string[];
}

/** Problems listed in full; past this many, only their number. */
const SHOWN_FAILURES = 30;
const WIDTHS = [28, 8, 9, 10, 8];

const note = (label: string, text: string) => `  ${label.padEnd(22)}${text}`;

function tableRow(cells: (string | number)[]): string {
  const padded = cells.map((cell, i) =>
    i === 0 ? String(cell).padEnd(WIDTHS[i]) : String(cell).padStart(WIDTHS[i]),
  );
  return '  ' + padded.join('');
}

export function summaryLines(facts: DemoFacts): string[] {
  const total = (key: Exclude<keyof TypeRow, 'type'>) =>
    facts.rows.reduce((sum, row) => sum + row[key], 0);
  const rule = '  ' + '-'.repeat(WIDTHS.reduce((a, b) => a + b, 0));
  const cells = (row: Omit<TypeRow, 'type'>) => [row.posted, row.derived, row.webhooks, row.emails];

  const lines = [
    tableRow(['event type', 'posted', 'derived', 'webhooks', 'emails']),
    rule,
    ...facts.rows.map((row) => tableRow([row.type, ...cells(row)])),
    rule,
    tableRow(['total', total('posted'), total('derived'), total('webhooks'), total('emails')]),
    '',
    "  derived: raised by Herald from the month's facts; webhooks and emails: arrived",
    '  and matched their event in full',
    '',
    note('events rejected', `${facts.rejected} at intake`),
    note(
      'webhook requests',
      `${facts.webhookRequests} received, ${facts.webhooksVerified} verified by standardwebhooks`,
    ),
    note(
      'emails',
      `${facts.emailsReceived} received and parsed, ` +
        `${facts.emailsTranslated} in the German variant`,
    ),
    note(
      'refused on purpose',
      `${facts.webhooksRefusedOnPurpose} webhooks (503) and ` +
        `${facts.emailsRefusedOnPurpose} emails (451), then retried:`,
    ),
    note('', `${facts.retriedDeliveries} deliveries took more than one attempt`),
    note(
      'idempotent repeats',
      `${facts.repeatsHonoured}/${facts.repeats} answered with their first event`,
    ),
    note(
      'ordering',
      facts.outOfOrder.length === 0
        ? 'each account in acceptance order'
        : `out of order for ${facts.outOfOrder.join(', ')}`,
    ),
    note(
      "Herald's own log",
      `${facts.heraldWarnings} warnings, ${facts.heraldErrors} errors (kept out of this report)`,
    ),
    note('time', `${facts.seconds.toFixed(1)} s`),
    '',
  ];

  if (facts.failures.length === 0) {
    lines.push(
      'Result: OK. Every event reached its webhook and its email, every webhook ' +
        'verified, every token filled.',
    );
    return lines;
  }
  lines.push(`Result: FAILED, ${facts.failures.length} problem(s):`);
  for (const failure of facts.failures.slice(0, SHOWN_FAILURES)) lines.push(`  - ${failure}`);
  if (facts.failures.length > SHOWN_FAILURES) {
    lines.push(`  ... and ${facts.failures.length - SHOWN_FAILURES} more`);
  }
  return lines;
}

/** Items joined by commas, broken into indented lines of at most `width` columns. */
export function wrapList(items: string[], width = 96): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [i, item] of items.entries()) {
    const piece = item + (i < items.length - 1 ? ',' : '');
    if (line && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${piece}` : `  ${piece}`;
  }
  if (line) lines.push(line);
  return lines;
}
