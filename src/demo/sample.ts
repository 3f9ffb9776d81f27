/**
 * The shape of the demo's shipped sample, demo/sample-month.json: a month of a small
 * telecom operator, its customer accounts and the billing events it reported.
 * demo/generate-sample.ts writes the file; the demo replays it.
 */
import { readFile } from 'node:fs/promises';

export interface SampleContact {
  name?: string;
  email: string;
}

/** An account as POST /v1/accounts takes it. */
export interface SampleAccount {
  id: string;
  number: string;
  name: string;
  status: string;
  timezone: string;
  locale: string;
  emailInvoicing: boolean;
  balance: number;
  currency: string;
  /** Keyed by contact type: billing, service, technical. */
  contacts: Record<string, SampleContact>;
}

/** An event as POST /v1/events takes it, plus `ref`, the sample's own name for it. */
export interface SampleEvent {
  /** Stable within the sample (e0001...); the demo uses it for idempotency keys. */
  ref: string;
  type: string;
  accountId?: string;
  occurredAt: string;
  data: Record<string, Record<string, unknown>>;
}

export interface SampleMonth {
  operator: { name: string; defaultLocale: string };
  /** The month replayed, as YYYY-MM. */
  month: string;
  /** The contact types the accounts' contacts are keyed by. */
  contactTypes: string[];
  accounts: SampleAccount[];
  /** In the order they happened. */
  events: SampleEvent[];
}

/** Where the sample lives in a checkout. */
export const SAMPLE_FILE = new URL('../../demo/sample-month.json', import.meta.url);

export async function loadSample(file: URL | string = SAMPLE_FILE): Promise<SampleMonth> {
  return JSON.parse(await readFile(file, 'utf8')) as SampleMonth;
}

/** The sample's event as the API takes it: `ref` is the sample's, not Herald's. */
export function eventBody(event: SampleEvent) {
  const { ref: _ref, ...body } = event;
  return body;
}
