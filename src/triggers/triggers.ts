import type { Intake } from '../ingest/intake.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { ContractPlanner } from './contract-plan.ts';
import { Firing } from './firing.ts';
import { InvoiceFacts } from './invoice-facts.ts';
import { TriggerScheduler } from './trigger-scheduler.ts';
import { UsageRecorder } from './usage-recorder.ts';

export interface TriggerOptions {
  store: Store;
  intake: Intake;
  clock: Clock;
  logger: Logger;
  pollIntervalMs: number;
}

/**
 * The derived events, wired together: invoice facts (overdue, follow-ups), usage
 * (thresholds, dormant SIMs), contracts (under commit), and the scheduler that
 * fires them. The API routes and the app share one instance.
 */
export class Triggers {
  readonly clock: Clock;
  readonly invoices: InvoiceFacts;
  readonly usage: UsageRecorder;
  readonly contracts: ContractPlanner;
  readonly scheduler: TriggerScheduler;

  constructor(options: TriggerOptions) {
    const { store, intake, clock, logger } = options;
    this.clock = clock;
    this.invoices = new InvoiceFacts(store, clock, logger);
    this.contracts = new ContractPlanner(store, clock);
    this.usage = new UsageRecorder(store, clock, () => this.scheduler.wake());
    this.scheduler = new TriggerScheduler({
      store,
      intake,
      facts: this.invoices,
      firing: new Firing(store, this.contracts),
      clock,
      logger,
      pollIntervalMs: options.pollIntervalMs,
    });
  }
}
