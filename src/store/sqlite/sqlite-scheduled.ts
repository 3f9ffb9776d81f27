import type Database from 'better-sqlite3';
import { writeTransaction } from './write-transaction.ts';
import type { EventRecord, NewEvent } from '../store.ts';
import type {
  NewScheduled,
  ScheduledFilter,
  ScheduledOutcome,
  ScheduledRecord,
} from '../trigger-store.ts';
import { toEvent } from './rows.ts';

type Sql = (text: string) => Database.Statement;

/**
 * The scheduled notifications and the trigger inbox, for SqliteStore. Methods are
 * synchronous so that other transactions (usage, firing) can call them inside their
 * own; SqliteStore wraps them in its async interface.
 */
export class SqliteScheduled {
  constructor(
    private readonly db: Database.Database,
    private readonly sql: Sql,
    private readonly insertEvents: (ownerId: string, events: NewEvent[]) => void,
  ) {}

  insert(rows: NewScheduled[], reschedule: boolean, now: number): number {
    const insert = this.sql(
      `INSERT INTO scheduled (id, owner_id, dedupe_key, type, account_id, subscription_id,
         subject, due_at, due_local, timezone, data, status, created_at, updated_at)
       VALUES (@id, @ownerId, @dedupeKey, @type, @accountId, @subscriptionId, @subject,
         @dueAt, @dueLocal, @timezone, @data, 'pending', @now, @now)
       ON CONFLICT (owner_id, dedupe_key) DO NOTHING`,
    );
    const move = this.sql(
      `UPDATE scheduled SET due_at = @dueAt, due_local = @dueLocal, timezone = @timezone,
         data = @data, updated_at = @now
       WHERE owner_id = @ownerId AND dedupe_key = @dedupeKey AND status = 'pending'
         AND edited = 0 AND (due_at <> @dueAt OR data <> @data OR timezone <> @timezone)`,
    );
    let changed = 0;
    for (const row of rows) {
      const params = { ...row, data: JSON.stringify(row.data), now };
      const inserted = insert.run(params).changes;
      changed += inserted;
      if (!inserted && reschedule) changed += move.run(params).changes;
    }
    return changed;
  }

  get(ownerId: string, id: string): ScheduledRecord | undefined {
    const row = this.sql('SELECT * FROM scheduled WHERE owner_id = ? AND id = ?').get(ownerId, id);
    return row ? toScheduled(row) : undefined;
  }

  list(ownerId: string, filter: ScheduledFilter): ScheduledRecord[] {
    const where = ['owner_id = @ownerId', 'seq > @afterSeq'];
    if (filter.status) where.push('status = @status');
    if (filter.type) where.push('type = @type');
    if (filter.accountId) where.push('account_id = @accountId');
    const rows = this.sql(
      `SELECT * FROM scheduled WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
    ).all({
      status: null,
      type: null,
      accountId: null,
      ...filter,
      ownerId,
      afterSeq: filter.afterSeq ?? 0,
    });
    return rows.map(toScheduled);
  }

  listDue(now: number, limit: number): ScheduledRecord[] {
    const rows = this.sql(
      `SELECT * FROM scheduled WHERE status = 'pending' AND due_at <= ?
       ORDER BY due_at, seq LIMIT ?`,
    ).all(now, limit);
    return rows.map(toScheduled);
  }

  nextDueAt(): number | undefined {
    const row = this.sql(
      "SELECT min(due_at) AS t FROM scheduled WHERE status = 'pending'",
    ).get() as {
      t: number | null;
    };
    return row.t ?? undefined;
  }

  update(
    ownerId: string,
    id: string,
    change: { dueAt?: number; dueLocal?: string; data?: Record<string, unknown> },
    now: number,
  ): boolean {
    const result = this.sql(
      `UPDATE scheduled SET
         due_at = coalesce(@dueAt, due_at),
         due_local = coalesce(@dueLocal, due_local),
         data = coalesce(@data, data),
         edited = CASE WHEN @data IS NULL THEN edited ELSE 1 END,
         updated_at = @now
       WHERE owner_id = @ownerId AND id = @id AND status = 'pending'`,
    ).run({
      ownerId,
      id,
      now,
      dueAt: change.dueAt ?? null,
      dueLocal: change.dueLocal ?? null,
      data: change.data ? JSON.stringify(change.data) : null,
    });
    return result.changes > 0;
  }

  cancel(
    ownerId: string,
    target: { id: string } | { type: string; subject: string },
    note: string,
    now: number,
  ): number {
    if ('id' in target) {
      return this.sql(
        `UPDATE scheduled SET status = 'cancelled', note = ?, updated_at = ?
         WHERE owner_id = ? AND id = ? AND status = 'pending'`,
      ).run(note, now, ownerId, target.id).changes;
    }
    return this.sql(
      `UPDATE scheduled SET status = 'cancelled', note = ?, updated_at = ?
       WHERE owner_id = ? AND type = ? AND subject = ? AND status = 'pending'`,
    ).run(note, now, ownerId, target.type, target.subject).changes;
  }

  deletePending(ownerId: string, type: string, subject: string): number {
    return this.sql(
      `DELETE FROM scheduled
       WHERE owner_id = ? AND type = ? AND subject = ? AND status = 'pending'`,
    ).run(ownerId, type, subject).changes;
  }

  fire(ownerId: string, id: string, outcome: ScheduledOutcome, now: number): boolean {
    return writeTransaction(this.db, () => {
      const event = 'event' in outcome ? outcome.event : undefined;
      // The status check in this UPDATE is the exactly-once guard: of two processes
      // firing one row, the second changes nothing and rolls nothing in.
      const marked = this.sql(
        `UPDATE scheduled SET status = @status, event_id = @eventId, note = @note,
           updated_at = @now
         WHERE owner_id = @ownerId AND id = @id AND status = 'pending'`,
      ).run({
        ownerId,
        id,
        now,
        status: event ? 'fired' : 'cancelled',
        eventId: event?.event.id ?? null,
        note: 'note' in outcome ? outcome.note : null,
      });
      if (marked.changes === 0) return false;
      if (event) this.insertEvents(ownerId, [event]);
      if (outcome.next?.length) this.insert(outcome.next, false, now);
      return true;
    })();
  }

  enqueueFacts(eventId: string): void {
    this.sql('INSERT INTO trigger_inbox (event_id) VALUES (?) ON CONFLICT DO NOTHING').run(eventId);
  }

  listInbox(limit: number): EventRecord[] {
    const rows = this.sql(
      `SELECT e.* FROM trigger_inbox i JOIN events e ON e.id = i.event_id
       ORDER BY i.seq LIMIT ?`,
    ).all(limit);
    return rows.map((row) => toEvent(row as any));
  }

  removeFromInbox(eventIds: string[]): void {
    const remove = this.sql('DELETE FROM trigger_inbox WHERE event_id = ?');
    writeTransaction(this.db, () => {
      for (const id of eventIds) remove.run(id);
    })();
  }
}

function toScheduled(row: any): ScheduledRecord {
  return {
    seq: row.seq,
    id: row.id,
    ownerId: row.owner_id,
    dedupeKey: row.dedupe_key,
    type: row.type,
    accountId: row.account_id,
    subscriptionId: row.subscription_id,
    subject: row.subject,
    dueAt: row.due_at,
    dueLocal: row.due_local,
    timezone: row.timezone,
    data: JSON.parse(row.data),
    edited: row.edited === 1,
    status: row.status,
    eventId: row.event_id,
    note: row.note,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
