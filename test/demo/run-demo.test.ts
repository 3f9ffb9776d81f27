import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { getEventType, validatePayload } from '../../src/catalog/index.ts';
import { runDemo } from '../../src/demo/run-demo.ts';
import { loadSample, SAMPLE_FILE, type SampleMonth } from '../../src/demo/sample.ts';
import { generateSample, sampleJson } from '../../demo/generate-sample.ts';
import { DESIGN_TYPES } from '../helpers/design-types.ts';

function capture() {
  const chunks: string[] = [];
  return { out: { write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

test('the shipped sample holds twenty accounts and a month of every event type', async () => {
  const sample = await loadSample();
  assert.ok(sample.accounts.length >= 20, `${sample.accounts.length} accounts`);
  assert.ok(sample.events.length >= 300, `${sample.events.length} events`);
  assert.deepEqual([...new Set(sample.events.map((e) => e.type))].sort(), [...DESIGN_TYPES].sort());
  assert.ok((await stat(SAMPLE_FILE)).size < 1_000_000, 'the sample stays under 1 MB');

  const names = sample.accounts.map((a) => a.name).join(' ');
  for (const name of ['Zoë', 'Łukasz', 'Søren', 'José', '株式会社', 'Ñandú']) {
    assert.ok(names.includes(name), `an account named with ${name}`);
  }
  assert.ok(
    sample.accounts.some((a) => a.emailInvoicing),
    'some sample account takes invoices by email',
  );
  assert.ok(new Set(sample.accounts.map((a) => a.timezone)).size >= 10, 'many time zones');
});

test('every sample event validates and names a sample account where its type has one', async () => {
  const sample = await loadSample();
  const accounts = new Set(sample.accounts.map((a) => a.id));
  const refs = new Set<string>();
  let previous = '';
  for (const event of sample.events) {
    assert.doesNotThrow(() => validatePayload(event.type, event.data), event.ref);
    const hasAccount = getEventType(event.type)!.hasAccount;
    if (hasAccount) assert.ok(accounts.has(event.accountId!), `${event.ref} names its account`);
    else assert.equal(event.accountId, undefined, `${event.ref} names no account`);
    assert.ok(!refs.has(event.ref), `${event.ref} is unique`);
    refs.add(event.ref);
    assert.ok(event.occurredAt >= previous, `${event.ref} is in time order`);
    previous = event.occurredAt;
  }
});

test('the generator reproduces the shipped sample byte for byte', async () => {
  assert.equal(sampleJson(generateSample()), await readFile(SAMPLE_FILE, 'utf8'));
});

test('the demo replays the month and exits 0 once everything arrived intact', async () => {
  const { out, text } = capture();
  const code = await runDemo({ out });
  assert.equal(code, 0, text());
  const sample = await loadSample();
  const total = /\n {2}total +(\d+) +(\d+) +(\d+) +(\d+)\n/.exec(text());
  assert.ok(total, 'the summary has a total row');
  const [posted, derived, webhooks, emails] = total.slice(1).map(Number);
  assert.equal(posted, sample.events.length);
  assert.equal(webhooks, posted + derived, 'a verified webhook for every event');
  assert.equal(emails, posted + derived, 'a checked email for every event');
  assert.match(text(), /Result: OK\./);
  assert.doesNotMatch(text(), /"level"/, 'Herald log lines stay out of the report');
});

test('the demo exits 1 and names the event when one is rejected', async () => {
  const sample = await loadSample();
  const few: SampleMonth = {
    ...sample,
    events: [
      ...sample.events.filter((e) => e.accountId === 'acc-1001').slice(0, 8),
      {
        ref: 'e9999',
        type: 'invoice.posted',
        accountId: 'acc-1001',
        occurredAt: '2025-03-31T12:00:00.000Z',
        data: { invoice: { number: 'INV-BROKEN' } },
      },
    ],
  };
  const { out, text } = capture();
  const code = await runDemo({ out, sample: few });
  assert.equal(code, 1, text());
  assert.match(text(), /Result: FAILED, 1 problem\(s\):\n {2}- e9999 was rejected at intake: /);
});
