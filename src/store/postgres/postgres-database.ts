import type pg from 'pg';
import type { SchemaState } from '../store.ts';
import { createPool, inTransaction } from './connection.ts';
import { runMigrations, schemaState } from './migrator.ts';
import { CHANNELS, listenOn, NOTIFY_WORK, type WorkChannel } from './work-notifier.ts';

export interface PostgresStoreOptions {
  /** Connections this process keeps open at most (default 10). */
  poolSize?: number;
}

/**
 * What PostgresStore's layers share, as SqliteDatabase is for SQLite: the pool,
 * the schema's migrations, and LISTEN for work announcements.
 */
export abstract class PostgresDatabase {
  protected readonly pool: pg.Pool;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    this.pool = createPool(url, options.poolSize ?? 10);
  }

  async migrate(): Promise<void> {
    await runMigrations(this.pool);
    // Fresh statistics for the queue before the first claim: a process starting on
    // a backlog that built up since the last autovacuum would otherwise sort it all
    // on every claim (see migration 3). ANALYZE reads a sample, quick on any size.
    await this.pool.query('ANALYZE deliveries');
  }

  async schemaState(): Promise<SchemaState> {
    return schemaState(this.pool);
  }

  async close(): Promise<void> {
    for (const stop of this.listeners) stop();
    this.listeners.clear();
    await this.pool.end();
  }

  /**
   * Calls `listener` whenever any process announces deliveries new or newly due,
   * and after a lost listening connection comes back. Resolves, once listening,
   * with the function that stops it; close() stops every listener too.
   */
  async onWork(listener: () => void): Promise<() => void> {
    return this.listen(CHANNELS.work, listener);
  }

  /**
   * The same for the trigger schedulers: facts for the trigger inbox, and
   * scheduled notifications planned or moved.
   */
  async onTriggerWork(listener: () => void): Promise<() => void> {
    return this.listen(CHANNELS.triggers, listener);
  }

  private async listen(channel: WorkChannel, listener: () => void): Promise<() => void> {
    const stopListening = await listenOn(this.url, channel, listener);
    const stop = () => {
      this.listeners.delete(stop);
      stopListening();
    };
    this.listeners.add(stop);
    return stop;
  }

  /**
   * Runs one UPDATE that makes deliveries due and announces them in the same
   * transaction, so listeners hear of the work only once it is committed.
   */
  protected async changeAndNotify(sql: string, values: unknown[]): Promise<number> {
    return (await this.changeRowsAndNotify(sql, values)).rowCount;
  }

  /** As changeAndNotify, with the rows the statement returns (RETURNING). */
  protected async changeRowsAndNotify(sql: string, values: unknown[]) {
    return inTransaction(this.pool, async (client) => {
      const { rows, rowCount } = await client.query(sql, values);
      if ((rowCount ?? 0) > 0) await client.query(NOTIFY_WORK);
      return { rows, rowCount: rowCount ?? 0 };
    });
  }
}
