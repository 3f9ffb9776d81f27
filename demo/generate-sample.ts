/**
 * Writes demo/sample-month.json, the month `npm run demo` replays: March 2025 at
 * Aurora Fibre & Mobile, a small operator of fibre and mobile lines, with twenty
 * customer accounts and every billing event the month produced.
 *
 *   npx tsx demo/generate-sample.ts
 *
 * The output is deterministic (a seeded PRNG, no clock), so running it again gives
 * the same file byte for byte; commit the file, not a fresh run. Every payload is
 * checked against the catalogue before the file is written.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validatePayload } from '../src/catalog/index.ts';
import { SAMPLE_FILE, type SampleAccount, type SampleEvent } from '../src/demo/sample.ts';
import type { SampleMonth } from '../src/demo/sample.ts';
import { ACCOUNT_SEEDS } from './sample-accounts.ts';
import { later, seededRandom, utc } from './sample-clock.ts';
import { accountStory, type Draft, type StoryPlan } from './sample-story.ts';

const SEED = 20250301;
const MIN_EVENTS = 300;

export function generateSample(prngSeed = SEED): SampleMonth {
  const random = seededRandom(prngSeed);
  const drafts: Draft[] = [];
  const accounts: SampleAccount[] = [];

  // Euro accounts are billed on the 1st, sterling ones on the 16th: two bill runs.
  const cycles = { EUR: '2025-03-01', GBP: '2025-03-16' } as const;
  const invoices: Record<string, { count: number; total: number }> = {};
  let invoiceSeq = 0;
  let cancellations = 0;

  for (const seed of ACCOUNT_SEEDS) {
    const billDay = cycles[seed.currency];
    // Only the 1st's invoices fall due within the month, so only they go overdue.
    const late = seed.currency === 'EUR' && random.chance(0.35);
    const plan: StoryPlan = {
      billDay,
      invoiceNumber: `INV-2025-03-${String(++invoiceSeq).padStart(4, '0')}`,
      overdue: late ? random.pick(['week', 'fortnight'] as const) : 'no',
      cancels: !late && !seed.business && cancellations < 2 && random.chance(0.3),
    };
    if (plan.cancels) cancellations++;
    const outcome = accountStory(seed, plan, random, (d) => drafts.push(d));

    const run = (invoices[billDay] ??= { count: 0, total: 0 });
    run.count++;
    run.total = Math.round((run.total + outcome.invoiceTotal) * 100) / 100;
    accounts.push({
      id: seed.id,
      number: `A-${seed.id.slice(4)}`,
      name: seed.name,
      status: 'Active',
      timezone: seed.timezone,
      locale: seed.locale,
      emailInvoicing: seed.emailInvoicing,
      balance: outcome.balance,
      currency: seed.currency,
      contacts: { ...seed.contacts },
    });
  }

  for (const [currency, day] of Object.entries(cycles)) {
    const run = invoices[day];
    const startedAt = utc(day, 1);
    // Long enough to end after the last of its invoices was posted.
    const durationSeconds = 1800 + random.int(0, 1500);
    const billRun = {
      id: `br-2025-03-${currency}`,
      periodStart: day === cycles.EUR ? '2025-02-01' : '2025-02-16',
      periodEnd: day === cycles.EUR ? '2025-02-28' : '2025-03-15',
      startedAt,
    };
    drafts.push({ type: 'bill_run.started', occurredAt: startedAt, data: { billRun } });
    drafts.push({
      type: 'bill_run.completed',
      occurredAt: later(startedAt, durationSeconds / 60),
      data: {
        billRun: {
          ...billRun,
          completedAt: later(startedAt, durationSeconds / 60),
          invoiceCount: run.count,
          total: run.total,
          currency,
          durationSeconds,
        },
      },
    });
  }

  // Replayed in the order things happened; ties keep the order they were made in.
  const events: SampleEvent[] = drafts
    .map((draft, index) => ({ draft, index }))
    .sort((a, b) => a.draft.occurredAt.localeCompare(b.draft.occurredAt) || a.index - b.index)
    .map(({ draft }, i) => ({ ref: `e${String(i + 1).padStart(4, '0')}`, ...draft }));

  return {
    operator: { name: 'Aurora Fibre & Mobile', defaultLocale: 'en-IE' },
    month: '2025-03',
    contactTypes: ['billing', 'service', 'technical'],
    accounts,
    events,
  };
}

/** Throws unless every payload validates and the month has what the demo needs. */
export function checkSample(sample: SampleMonth): void {
  for (const event of sample.events) {
    try {
      validatePayload(event.type, event.data);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`sample event ${event.ref} (${event.type}) is not valid: ${reason}`);
    }
  }
  if (sample.events.length < MIN_EVENTS) {
    throw new Error(
      `the sample holds ${sample.events.length} events; the demo wants ${MIN_EVENTS}`,
    );
  }
}

/** The file's text: one account or event per line, so it reads well and diffs stay small. */
export function sampleJson(sample: SampleMonth): string {
  const list = (items: unknown[]) => items.map((item) => `    ${JSON.stringify(item)}`).join(',\n');
  return [
    '{',
    `  "operator": ${JSON.stringify(sample.operator)},`,
    `  "month": ${JSON.stringify(sample.month)},`,
    `  "contactTypes": ${JSON.stringify(sample.contactTypes)},`,
    `  "accounts": [\n${list(sample.accounts)}\n  ],`,
    `  "events": [\n${list(sample.events)}\n  ]`,
    '}',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sample = generateSample();
  checkSample(sample);
  writeFileSync(SAMPLE_FILE, sampleJson(sample));
  const types = new Set(sample.events.map((e) => e.type));
  process.stdout.write(
    `wrote ${fileURLToPath(SAMPLE_FILE)}: ${sample.accounts.length} accounts, ` +
      `${sample.events.length} events of ${types.size} types\n`,
  );
}
