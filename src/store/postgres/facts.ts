import type pg from 'pg';
import type {
  InvoiceFact,
  InvoiceWrite,
  PaymentAllocation,
  SimRecord,
  UsagePlan,
  UsageResult,
  UsageState,
  UsageSumQuery,
  UsageTotal,
  UsageWrite,
} from '../trigger-store.ts';
import { inTransaction } from './connection.ts';
import { LOCKS } from './locks.ts';
import { deletePendingScheduled, insertScheduled } from './scheduled.ts';

/**
 * Invoice facts, usage and SIMs for PostgresStore, as the SQLite backend keeps
 * them (sqlite-facts.ts). Where SQLite's single writer made a read-then-write
 * safe, a transaction-level advisory lock does it here; each says what it guards.
 * Text sorts use the C collation: byte order, as SQLite sorts.
 */

export async function putInvoiceFacts(
  pool: pg.Pool,
  fact: InvoiceWrite,
  now: number,
): Promise<InvoiceFact> {
  // Right-hand sides of an UPDATE read the row as it was, so `paid` compares the
  // old balance with the new one before `balance` takes the new value.
  const { rows } = await pool.query(
    `INSERT INTO invoices (owner_id, id, account_id, number, date, due_date, total, balance,
       currency, delivered_at, delivery_method, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
     ON CONFLICT (owner_id, id) DO UPDATE SET
       account_id = excluded.account_id, number = excluded.number, date = excluded.date,
       due_date = excluded.due_date, total = excluded.total,
       paid = CASE WHEN invoices.balance = excluded.balance THEN invoices.paid ELSE 0 END,
       balance = excluded.balance, currency = excluded.currency,
       delivered_at = coalesce(excluded.delivered_at, invoices.delivered_at),
       delivery_method = coalesce(excluded.delivery_method, invoices.delivery_method),
       updated_at = excluded.updated_at
     RETURNING *`,
    [
      fact.ownerId,
      fact.id,
      fact.accountId,
      fact.number,
      fact.date,
      fact.dueDate,
      fact.total,
      fact.balance,
      fact.currency,
      fact.deliveredAt,
      fact.deliveryMethod,
      now,
    ],
  );
  return toInvoice(rows[0]);
}

export async function getInvoice(pool: pg.Pool, ownerId: string, id: string) {
  const { rows } = await pool.query('SELECT * FROM invoices WHERE owner_id = $1 AND id = $2', [
    ownerId,
    id,
  ]);
  return rows[0] ? toInvoice(rows[0]) : undefined;
}

export async function listInvoices(
  pool: pg.Pool,
  ownerId: string,
  filter: { accountId?: string; open?: boolean; limit: number },
): Promise<InvoiceFact[]> {
  const values: unknown[] = [ownerId];
  const where = ['owner_id = $1'];
  if (filter.accountId) {
    values.push(filter.accountId);
    where.push(`account_id = $${values.length}`);
  }
  if (filter.open) where.push('settled_at IS NULL');
  values.push(filter.limit);
  const { rows } = await pool.query(
    `SELECT * FROM invoices WHERE ${where.join(' AND ')}
     ORDER BY due_date COLLATE "C", id COLLATE "C" LIMIT $${values.length}`,
    values,
  );
  return rows.map(toInvoice);
}

/**
 * The lock per (owner, event) makes "applied before?" and the application one
 * step: two workers reading the same credit event cannot both apply it.
 */
export async function recordPayment(
  pool: pg.Pool,
  ownerId: string,
  eventId: string,
  allocations: PaymentAllocation[],
  now: number,
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      LOCKS.payments,
      `${ownerId}/${eventId}`,
    ]);
    const seen = await client.query(
      'SELECT 1 FROM invoice_payments WHERE owner_id = $1 AND event_id = $2',
      [ownerId, eventId],
    );
    if (seen.rowCount) return false;
    for (const a of allocations) {
      await client.query(
        `INSERT INTO invoice_payments (owner_id, event_id, invoice_id, amount)
         VALUES ($1, $2, $3, $4)`,
        [ownerId, eventId, a.invoiceId, a.amount],
      );
      await client.query(
        `UPDATE invoices SET paid = paid + $3, updated_at = $4,
           settled_at = CASE WHEN settled_at IS NULL AND paid + $3 >= balance
             THEN $4 ELSE settled_at END
         WHERE owner_id = $1 AND id = $2`,
        [ownerId, a.invoiceId, a.amount, now],
      );
    }
    return true;
  });
}

export async function settleInvoice(pool: pg.Pool, ownerId: string, id: string, now: number) {
  const result = await pool.query(
    `UPDATE invoices SET settled_at = coalesce(settled_at, $1), updated_at = $1
     WHERE owner_id = $2 AND id = $3`,
    [now, ownerId, id],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * A repeated recordId waits on the first one's row and then does nothing; the
 * bucket total is one upsert, whose row lock orders concurrent records. The SIM's
 * previous last usage is read and moved under a lock per (owner, identifier), so
 * two records of one SIM never both see the same "before".
 */
export async function recordUsage(
  pool: pg.Pool,
  usage: UsageWrite,
  plan: (state: UsageState) => UsagePlan,
): Promise<UsageResult> {
  return inTransaction(pool, async (client): Promise<UsageResult> => {
    const inserted = await client.query(
      `INSERT INTO usage_records (owner_id, record_id, account_id, identifier, bucket_id,
         quantity, amount, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING`,
      [
        usage.ownerId,
        usage.recordId,
        usage.accountId,
        usage.identifier,
        usage.bucketId,
        usage.quantity,
        usage.amount,
        usage.at,
      ],
    );
    if (inserted.rowCount === 0) return { duplicate: true, scheduled: 0 };

    let used: number | null = null;
    if (usage.bucketId && usage.periodStart) {
      const { rows } = await client.query(
        `INSERT INTO usage_totals (owner_id, account_id, bucket_id, period_start, used)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (owner_id, account_id, bucket_id, period_start)
           DO UPDATE SET used = usage_totals.used + excluded.used
         RETURNING used`,
        [usage.ownerId, usage.accountId, usage.bucketId, usage.periodStart, usage.quantity],
      );
      used = rows[0].used;
    }
    let previousLastUsageAt: number | null = null;
    if (usage.identifier) {
      previousLastUsageAt = await touchSim(client, usage, usage.identifier);
    }

    const state = { used, previousLastUsageAt };
    const decided = plan(state);
    if (decided.supersede) {
      const { type, subject } = decided.supersede;
      await deletePendingScheduled(client, usage.ownerId, type, subject);
    }
    const scheduled = await insertScheduled(client, decided.schedule, false, Date.now());
    return { duplicate: false, state, scheduled };
  });
}

/** Moves a SIM's last usage forward; returns the one before, null when first seen. */
async function touchSim(client: pg.PoolClient, usage: UsageWrite, iccid: string) {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
    LOCKS.sims,
    `${usage.ownerId}/${iccid}`,
  ]);
  const { rows } = await client.query(
    'SELECT last_usage_at FROM sims WHERE owner_id = $1 AND iccid = $2',
    [usage.ownerId, iccid],
  );
  await client.query(
    `INSERT INTO sims (owner_id, iccid, account_id, msisdn, last_usage_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (owner_id, iccid) DO UPDATE SET
       account_id = excluded.account_id,
       msisdn = coalesce(excluded.msisdn, sims.msisdn),
       last_usage_at = greatest(excluded.last_usage_at, sims.last_usage_at)`,
    [usage.ownerId, iccid, usage.accountId, usage.msisdn, usage.at],
  );
  return (rows[0]?.last_usage_at as number | undefined) ?? null;
}

export async function sumUsage(pool: pg.Pool, ownerId: string, query: UsageSumQuery) {
  // The column comes from a closed set, never from the caller's text.
  const column = query.measure === 'amount' ? 'amount' : 'quantity';
  const values: unknown[] = [ownerId, query.accountId, query.from, query.to];
  if (query.bucketId) values.push(query.bucketId);
  const { rows } = await pool.query(
    `SELECT coalesce(sum(${column}), 0) AS total FROM usage_records
     WHERE owner_id = $1 AND account_id = $2 AND at >= $3 AND at < $4
     ${query.bucketId ? 'AND bucket_id = $5' : ''}`,
    values,
  );
  return rows[0].total as number;
}

export async function getSim(
  pool: pg.Pool,
  ownerId: string,
  iccid: string,
): Promise<SimRecord | undefined> {
  const { rows } = await pool.query('SELECT * FROM sims WHERE owner_id = $1 AND iccid = $2', [
    ownerId,
    iccid,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    ownerId: row.owner_id,
    iccid: row.iccid,
    accountId: row.account_id,
    msisdn: row.msisdn,
    lastUsageAt: row.last_usage_at,
  };
}

export async function listUsageTotals(
  pool: pg.Pool,
  ownerId: string,
  accountId: string,
): Promise<UsageTotal[]> {
  const { rows } = await pool.query(
    `SELECT * FROM usage_totals WHERE owner_id = $1 AND account_id = $2
     ORDER BY bucket_id COLLATE "C", period_start COLLATE "C"`,
    [ownerId, accountId],
  );
  return rows.map((row) => ({
    accountId: row.account_id,
    bucketId: row.bucket_id,
    periodStart: row.period_start,
    used: row.used,
  }));
}

function toInvoice(row: Record<string, any>): InvoiceFact {
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
