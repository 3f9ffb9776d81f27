/**
 * What happens to one account of the sample operator in March 2025: its invoice and
 * what follows it (delivery, follow-up, overdue notices, suspension), new lines and
 * packages, mobile usage against its buckets, dormant SIMs, refunds and credits, its
 * commitment contract at month end, and for a few accounts their cancellation.
 */
import type { SampleEvent } from '../src/demo/sample.ts';
import type { AccountSeed } from './sample-accounts.ts';
import { addDays, later, utc, zonedToUtc, type Random } from './sample-clock.ts';

export type Draft = Omit<SampleEvent, 'ref'>;

/** The part of the story that the account record and the bill runs need back. */
export interface AccountOutcome {
  invoiceTotal: number;
  balance: number;
}

export interface StoryPlan {
  /** The bill run day, YYYY-MM-DD; the invoice is posted on it. */
  billDay: string;
  invoiceNumber: string;
  overdue: 'no' | 'week' | 'fortnight';
  cancels: boolean;
}

interface Service {
  id: string;
  name: string;
  iccid?: string;
  msisdn?: string;
  allowanceGb?: number;
  packages: { id: string; name: string }[];
}

const MONTH_END = '2025-03-31';
const ADD_ONS = ['Roaming Pass World 7 days', 'Data Boost 10 GB', 'Static IP', 'TV Sports'];

export function accountStory(
  seed: AccountSeed,
  plan: StoryPlan,
  random: Random,
  emit: (draft: Draft) => void,
): AccountOutcome {
  const n = seed.id.slice(4);
  const event = (type: string, occurredAt: string, data: Draft['data']) =>
    emit({ type, accountId: seed.id, occurredAt, data });
  const serviceRef = (s: Service) => ({ id: s.id, name: s.name });
  const stateChange = (s: Service, at: string, previousState: string, newState: string) =>
    event('service.state_changed', at, { service: { ...serviceRef(s), previousState, newState } });

  // Services: fibre for everyone, one or two mobile lines at home, more in business.
  const services: Service[] = [
    {
      id: `svc-${n}-01`,
      name: seed.business ? 'Business Fibre 1 Gbit/s' : random.pick(['Fibre 300', 'Fibre 500']),
      packages: [{ id: `pkg-${n}-01`, name: seed.business ? 'Business Voice' : 'Home Phone' }],
    },
  ];
  const lines = seed.business ? random.int(3, 5) : random.int(1, 2);
  for (let i = 0; i < lines; i++) services.push(mobileLine(n, services.length + 1, random));

  // The invoice of the month and its delivery.
  const total = random.money(seed.business ? 180 : 35, seed.business ? 2400 : 140);
  const terms = seed.business ? 30 : 14;
  const invoice = {
    id: `inv-${n}-2025-03`,
    number: plan.invoiceNumber,
    date: plan.billDay,
    dueDate: addDays(plan.billDay, terms),
    total,
    balance: total,
    currency: seed.currency,
  };
  const postedAt = utc(plan.billDay, 1, 5 + Number(n.slice(2)), random.int(0, 59));
  event('invoice.posted', postedAt, { invoice });
  const delivery = {
    method: seed.emailInvoicing ? 'email' : random.pick(['print', 'portal']),
    deliveredAt: later(postedAt, random.int(120, 300)),
  };
  event('invoice.delivered', delivery.deliveredAt, { invoice, delivery });
  const followup = (offsetDays: number, at: string) => {
    const scheduledAt = zonedToUtc(addDays(plan.billDay, offsetDays), at, seed.timezone);
    event('invoice.delivery_followup', scheduledAt, {
      invoice,
      followup: { offsetDays, at, scheduledAt },
      delivery,
    });
  };
  followup(5, '10:00');

  // Unpaid invoices: a notice a week after the due date, a second one and a
  // suspension a fortnight after, and the payment that lifts it.
  if (plan.overdue !== 'no') {
    const week = utc(addDays(invoice.dueDate, 7), 6);
    event('invoice.overdue', week, { invoice, overdue: { daysOverdue: 7 } });
    followup(30, '09:30');
  }
  if (plan.overdue === 'fortnight') {
    const fortnight = utc(addDays(invoice.dueDate, 14), 6);
    event('invoice.overdue', fortnight, { invoice, overdue: { daysOverdue: 14 } });
    const suspendAt = later(fortnight, 30);
    const reason = `Invoice ${invoice.number} is 14 days overdue`;
    event('account.status_changed', suspendAt, {
      statusChange: { previousStatus: 'Active', newStatus: 'Suspended', reason },
    });
    services.forEach((s, i) => stateChange(s, later(suspendAt, i + 1), 'Active', 'Suspended'));
    const paidAt = utc('2025-03-30', 14, random.int(0, 59));
    event('account.status_changed', paidAt, {
      statusChange: {
        previousStatus: 'Suspended',
        newStatus: 'Active',
        reason: 'Payment received',
      },
    });
    services.forEach((s, i) => stateChange(s, later(paidAt, i + 2), 'Suspended', 'Active'));
  }

  // A new mobile line for some, and add-on packages on random days.
  if (random.chance(0.4)) {
    const line = mobileLine(n, services.length + 1, random);
    const day = addDays('2025-03-01', random.int(2, 24));
    const at = utc(day, random.int(8, 16), random.int(0, 59));
    const pkg = line.packages[0];
    event('service.state_changed', at, {
      service: { ...serviceRef(line), previousState: 'Preactive', newState: 'Active' },
      package: pkg,
    });
    event('package.added', later(at, 1), {
      package: { ...pkg, effectiveDate: day },
      service: serviceRef(line),
    });
    services.push(line);
  }
  for (let i = random.int(0, 2); i > 0; i--) {
    const service = random.pick(services);
    const pkg = { id: `pkg-${n}-${10 + service.packages.length}`, name: random.pick(ADD_ONS) };
    const day = addDays('2025-03-01', random.int(1, 27));
    event('package.added', utc(day, random.int(7, 20), random.int(0, 59)), {
      package: { ...pkg, effectiveDate: day },
      service: serviceRef(service),
    });
    service.packages.push(pkg);
  }
  if (!plan.cancels && random.chance(0.45)) {
    const service = random.pick(services);
    const pkg = service.packages.at(-1)!;
    const day = addDays('2025-03-01', random.int(3, 29));
    const effective = random.chance(0.5) ? { effectiveDate: addDays(day, 1) } : {};
    event('package.cancelled', utc(day, random.int(9, 18), random.int(0, 59)), {
      package: { ...pkg, ...effective },
      ...(random.chance(0.5) ? { service: serviceRef(service) } : {}),
    });
  }

  // Mobile usage: each line's month of data (and business voice) against its tiers;
  // a line with no usage at all is a dormant SIM instead.
  for (const line of services.filter((s) => s.iccid)) {
    if (random.chance(0.12)) {
      // Dormant for 30 or 60 days on a day of March, counted from its last usage.
      const daysBefore = random.pick([30, 60]);
      const lastDay = addDays('2025-03-01', 30 - daysBefore - random.int(2, 20));
      const lastUsageAt = utc(lastDay, random.int(8, 22));
      event('sim.dormant', utc(addDays(lastDay, daysBefore), 3), {
        sim: { iccid: line.iccid, msisdn: line.msisdn, lastUsageAt, daysDormant: daysBefore },
        ...(random.chance(0.8) ? { service: serviceRef(line) } : {}),
      });
      continue;
    }
    usage(line, 'Mobile data', line.allowanceGb!, 'GB', [50, 80, 100], random.next() * 1.4);
    if (seed.business) usage(line, 'Voice minutes', 1000, 'min', [80, 100], random.next() * 1.2);
  }

  function usage(
    line: Service,
    bucket: string,
    allowance: number,
    unit: string,
    tiers: number[],
    share: number,
  ) {
    for (const tier of tiers) {
      const day = Math.ceil((31 * tier) / 100 / share);
      if (day > 31) break;
      const used = Math.round(((allowance * tier) / 100 + random.next() * 0.4) * 100) / 100;
      event('usage.threshold_exceeded', utc(addDays('2025-02-28', day), random.int(6, 23)), {
        usage: {
          bucket,
          tier,
          allowance,
          used,
          unit,
          identifier: line.iccid,
          periodStart: '2025-03-01',
          periodEnd: MONTH_END,
        },
      });
    }
  }

  // Money back: refunds for some, and a credit for the fibre outage of 12 March.
  if (random.chance(0.25)) {
    const reason = random.pick(['Duplicate payment', 'Overpayment', undefined]);
    const processedAt = utc(addDays('2025-03-01', random.int(4, 28)), 10, 30);
    event('refund.processed', later(processedAt, 5), {
      refund: {
        ...(random.chance(0.7) ? { id: `rf-${n}-${random.digits(4)}` } : {}),
        amount: random.money(5, 60),
        currency: seed.currency,
        ...(reason ? { reason } : {}),
        processedAt,
      },
    });
  }
  if (random.chance(0.45)) {
    const amount = random.money(5, 25);
    event('credit.processed', utc('2025-03-13', 9, random.int(0, 59)), {
      credit: {
        id: `cr-${n}-0312`,
        amount,
        currency: seed.currency,
        reason: 'Fibre outage on 12 March',
        ...(random.chance(0.7) ? { invoiceId: invoice.id } : {}),
      },
    });
  }

  // Business contracts are checked at month end, once per tier not met.
  if (seed.business) {
    const scale = total / 600;
    const actual = Math.round(total * (0.6 + random.next() * 1.1) * 100) / 100;
    for (const [tier, committed] of [
      ['Bronze', 500],
      ['Silver', 1500],
      ['Gold', 3000],
    ] as const) {
      const target = Math.round(committed * scale);
      if (actual >= target) continue;
      event('contract.under_commit', utc(MONTH_END, 22, 30), {
        contract: { id: `ct-${n}`, periodStart: '2025-03-01', periodEnd: MONTH_END },
        commitment: {
          tier,
          committed: target,
          actual,
          shortfall: Math.round((target - actual) * 100) / 100,
          ...(random.chance(0.7) ? { currency: seed.currency } : {}),
        },
      });
    }
  }

  // Cancellation: notice mid-month, everything switched off at month end.
  if (plan.cancels) {
    const reason = random.pick(['Moved to another provider', 'Moving abroad']);
    event('account.cancelled', utc(addDays('2025-03-01', random.int(9, 19)), 15), {
      cancellation: { date: MONTH_END, reason },
    });
    const end = utc(MONTH_END, 21);
    services.forEach((s, i) => {
      for (const pkg of s.packages) {
        event('package.cancelled', later(end, i), {
          package: { ...pkg, effectiveDate: MONTH_END },
          service: serviceRef(s),
        });
      }
      stateChange(s, later(end, i + 1), 'Active', 'Terminated');
    });
    event('account.status_changed', later(end, 30), {
      statusChange: { previousStatus: 'Active', newStatus: 'Cancelled', reason },
    });
  }
  // The balance the account record starts the replay with: what is still owed.
  return { invoiceTotal: total, balance: plan.overdue === 'no' ? 0 : total };
}

function mobileLine(n: string, index: number, random: Random): Service {
  const allowanceGb = random.pick([20, 50, 100]);
  const id = `svc-${n}-${String(index).padStart(2, '0')}`;
  return {
    id,
    name: allowanceGb === 100 ? 'Mobile Unlimited' : `Mobile ${allowanceGb} GB`,
    iccid: `8935301${random.digits(12)}`,
    msisdn: `+35387${random.digits(7)}`,
    allowanceGb,
    packages: [
      { id: `pkg-${n}-${String(index).padStart(2, '0')}`, name: `Data ${allowanceGb} GB` },
    ],
  };
}
