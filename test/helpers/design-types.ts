/**
 * The billing platform's sixteen event types, in the order of DESIGN.md, written
 * out by hand so that tests catch a type the catalogue loses or renames.
 */
export const DESIGN_TYPES: readonly string[] = [
  'service.state_changed',
  'account.status_changed',
  'account.cancelled',
  'bill_run.started',
  'bill_run.completed',
  'invoice.posted',
  'invoice.overdue',
  'invoice.delivered',
  'invoice.delivery_followup',
  'refund.processed',
  'credit.processed',
  'contract.under_commit',
  'sim.dormant',
  'package.added',
  'package.cancelled',
  'usage.threshold_exceeded',
];
