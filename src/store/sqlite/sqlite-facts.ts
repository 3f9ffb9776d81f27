import type Database from 'better-sqlite3';
import { writeTransaction } from './write-transaction.ts';
import type {
  InvoiceFact,
  InvoiceWrite,
  NewScheduled,
  PaymentAllocation,
  SimRecord,
  UsagePlan,
  UsageResult,
  UsageState,
  UsageSumQuery,
  UsageTotal,
  UsageWrite,
} from '../trigger-store.ts';

type Sql = (text: string) => Database.Statement;
type Schedule = (rows: NewScheduled[], reschedule: boolean, now: number) => number;

/** Invoice facts, usage and SIMs, for SqliteStore: the facts the triggers read. */
export class SqliteFacts {
  constructor(
    private readonly db: Database.Database,
    private readonly sql: Sql,
    private readonly schedule: Schedule,
    private readonly deletePending: (ownerId: string, type: string, subject: string) => number,
  ) {}

  putInvoice(fact: InvoiceWrite, now: number): InvoiceFact {
    // Right-hand sides of an UPDATE read the row as it was, so `paid` compares the
    // old balance with the new one before `balance` takes the new value.
    const row = this.sql(
      `INSERT INTO invoices (owner_id, id, account_id, number, date, due_date, total, balance,
         currency, delivered_at, delivery_method, created_at, updated_at)
       VALUES (@ownerId, @id, @accountId, @number, @date, @dueDate, @total, @balance,
         @currency, @deliveredAt, @deliveryMethod, @now, @now)
       ON CONFLICT (owner_id, id) DO UPDATE SET
         account_id = excluded.account_id, number = excluded.number, date = excluded.date,
         due_date = excluded.due_date, total = excluded.total,
         paid = CASE WHEN invoices.balance = excluded.balance THEN invoices.paid ELSE 0 END,
         balance = excluded.balance, currency = excluded.currency,
         delivered_at = coalesce(excluded.delivered_at, invoices.delivered_at),
         delivery_method = coalesce(excluded.delivery_method, invoices.delivery_method),
         updated_at = excluded.updated_at
       RETURNING *`,
    ).get({ ...fact, now });
    return toInvoice(row);
  }

  getInvoice(ownerId: string, id: string): InvoiceFact | undefined {
    const row = this.sql('SELECT * FROM invoices WHERE owner_id = ? AND id = ?').get(ownerId, id);
    return row ? toInvoice(row) : undefined;
  }

  listInvoices(
    ownerId: string,
    filter: { accountId?: string; open?: boolean; limit: number },
  ): InvoiceFact[] {
    const where = ['owner_id = @ownerId'];
    if (filter.accountId) where.push('account_id = @accountId');
    if (filter.open) where.push('settled_at IS NULL');
    const rows = this.sql(
      `SELECT * FROM invoices WHERE ${where.join(' AND ')} ORDER BY due_date, id LIMIT @limit`,
    ).all({ ownerId, accountId: filter.accountId ?? null, limit: filter.limit });
    return rows.map(toInvoice);
  }

  recordPayment(
    ownerId: string,
    eventId: string,
    allocations: PaymentAllocation[],
    now: number,
  ): boolean {
    const seen = this.sql('SELECT 1 FROM invoice_payments WHERE owner_id = ? AND event_id = ?');
    const insert = this.sql(
      `INSERT INTO invoice_payments (owner_id, event_id, invoice_id, amount)
       VALUES (?, ?, ?, ?)`,
    );
    const apply = this.sql(
      `UPDATE invoices SET paid = paid + @amount, updated_at = @now,
         settled_at = CASE WHEN settled_at IS NULL AND paid + @amount >= balance
           THEN @now ELSE settled_at END
       WHERE owner_id = @ownerId AND id = @invoiceId`,
    );
    return writeTransaction(this.db, () => {
      if (seen.get(ownerId, eventId)) return false;
      for (const a of allocations) {
        insert.run(ownerId, eventId, a.invoiceId, a.amount);
        apply.run({ ownerId, invoiceId: a.invoiceId, amount: a.amount, now });
      }
      return true;
    })();
  }

  settleInvoice(ownerId: string, id: string, now: number): boolean {
    return (
      this.sql(
        `UPDATE invoices SET settled_at = coalesce(settled_at, ?), updated_at = ?
         WHERE owner_id = ? AND id = ?`,
      ).run(now, now, ownerId, id).changes > 0
    );
  }

  recordUsage(usage: UsageWrite, plan: (state: UsageState) => UsagePlan): UsageResult {
    const insertRecord = this.sql(
      `INSERT INTO usage_records (owner_id, record_id, account_id, identifier, bucket_id,
         quantity, amount, at)
       VALUES (@ownerId, @recordId, @accountId, @identifier, @bucketId, @quantity, @amount, @at)
       ON CONFLICT DO NOTHING`,
    );
    const addToTotal = this.sql(
      `INSERT INTO usage_totals (owner_id, account_id, bucket_id, period_start, used)
       VALUES (@ownerId, @accountId, @bucketId, @periodStart, @quantity)
       ON CONFLICT (owner_id, account_id, bucket_id, period_start)
         DO UPDATE SET used = usage_totals.used + excluded.used
       RETURNING used`,
    );
    const lastUsage = this.sql('SELECT last_usage_at FROM sims WHERE owner_id = ? AND iccid = ?');
    const touchSim = this.sql(
      `INSERT INTO sims (owner_id, iccid, account_id, msisdn, last_usage_at)
       VALUES (@ownerId, @identifier, @accountId, @msisdn, @at)
       ON CONFLICT (owner_id, iccid) DO UPDATE SET
         account_id = excluded.account_id,
         msisdn = coalesce(excluded.msisdn, sims.msisdn),
         last_usage_at = CASE WHEN excluded.last_usage_at > sims.last_usage_at
           THEN excluded.last_usage_at ELSE sims.last_usage_at END`,
    );

    return writeTransaction(this.db, (): UsageResult => {
      if (insertRecord.run(usage).changes === 0) return { duplicate: true, scheduled: 0 };

      let used: number | null = null;
      if (usage.bucketId && usage.periodStart) {
        used = (addToTotal.get(usage) as { used: number }).used;
      }
      let previousLastUsageAt: number | null = null;
      if (usage.identifier) {
        const row = lastUsage.get(usage.ownerId, usage.identifier) as
          { last_usage_at: number } | undefined;
        previousLastUsageAt = row?.last_usage_at ?? null;
        touchSim.run(usage);
      }

      const state = { used, previousLastUsageAt };
      const decided = plan(state);
      if (decided.supersede) {
        this.deletePending(usage.ownerId, decided.supersede.type, decided.supersede.subject);
      }
      const scheduled = this.schedule(decided.schedule, false, Date.now());
      return { duplicate: false, state, scheduled };
    })();
  }

  sumUsage(ownerId: string, query: UsageSumQuery): number {
    const column = query.measure === 'amount' ? 'amount' : 'quantity';
    const bucket = query.bucketId ? 'AND bucket_id = @bucketId' : '';
    const row = this.sql(
      `SELECT coalesce(sum(${column}), 0) AS total FROM usage_records
       WHERE owner_id = @ownerId AND account_id = @accountId AND at >= @from AND at < @to
       ${bucket}`,
    ).get({ bucketId: null, ...query, ownerId }) as { total: number };
    return row.total;
  }

  getSim(ownerId: string, iccid: string): SimRecord | undefined {
    const row = this.sql('SELECT * FROM sims WHERE owner_id = ? AND iccid = ?').get(
      ownerId,
      iccid,
    ) as any;
    if (!row) return undefined;
    return {
      ownerId: row.owner_id,
      iccid: row.iccid,
      accountId: row.account_id,
      msisdn: row.msisdn,
      lastUsageAt: row.last_usage_at,
    };
  }

  listUsageTotals(ownerId: string, accountId: string): UsageTotal[] {
    const rows = this.sql(
      `SELECT * FROM usage_totals WHERE owner_id = ? AND account_id = ?
       ORDER BY bucket_id, period_start`,
    ).all(ownerId, accountId) as any[];
    return rows.map((row) => ({
      accountId: row.account_id,
      bucketId: row.bucket_id,
      periodStart: row.period_start,
      used: row.used,
    }));
  }
}

function toInvoice(row: any): InvoiceFact {
  return {
    ownerId: row.owner_id,
    id: row.id,
    accountId: row.account_id,
    number: row.number,
    date: row.date,
    dueDate: row.due_date,
    total: row.total,
    balance: row.balance,
    paid: row.paid,
    currency: row.currency,
    deliveredAt: row.delivered_at,
    deliveryMethod: row.delivery_method,
    settledAt: row.settled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
