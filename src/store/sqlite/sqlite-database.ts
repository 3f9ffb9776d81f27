import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NewEvent, SchemaState } from '../store.ts';
import { Checkpointer } from './checkpointer.ts';
import { WalFlusher } from './wal-flusher.ts';
import { BUSY_TIMEOUT_MS, writeTransaction, writeWhenFree } from './write-transaction.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';

// SQLite's own default, for when this connection has to checkpoint after all.
const WAL_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The SQLite connection that SqliteStore's layers share: one file in WAL mode,
 * synchronous=FULL so that an acknowledged event survives power loss, not only a
 * crash of the process, and a cache of prepared statements.
 */
export abstract class SqliteDatabase {
  protected readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkpointer: Checkpointer | undefined;
  /** Syncs intake's commits off the event loop (see wal-flusher.ts); none in memory. */
  protected readonly walFlusher: WalFlusher | undefined;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.pragma('foreign_keys = ON');
    if (file !== ':memory:') {
      this.walFlusher = new WalFlusher(`${file}-wal`);
      // Checkpoints run on a thread of their own (see checkpointer.ts); should it
      // die, this connection takes them back at SQLite's usual size.
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(file, () => {
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      });
    }
  }

  /**
   * Runs a worker's bookkeeping (claims, leases, outcomes) without waiting for the
   * disk. It is safe: a later durable commit flushes the whole WAL, these frames
   * too, and if power fails first the delivery is merely attempted again, which
   * the at-least-once contract allows. Intake and configuration stay FULL.
   *
   * It runs as one write transaction once the write lock is free: the event loop
   * is not blocked while the other thread or process commits (see writeWhenFree).
   */
  protected relaxedWhenFree<T>(work: () => T): Promise<T> {
    return writeWhenFree(this.db, work, this.atLevel('NORMAL'));
  }

  /**
   * Runs `work` as one write transaction with synchronous=OFF, once the write lock
   * is free, and then waits, off the event loop, until its frames are on disk
   * (WalFlusher): durable when it resolves, as under FULL. `committed` runs after
   * the commit, before the wait for the disk.
   */
  protected async durablyWhenFree<T>(work: () => T, committed?: () => void): Promise<T> {
    if (!this.walFlusher) {
      const result = await writeWhenFree(this.db, work);
      committed?.();
      return result;
    }
    const result = await writeWhenFree(this.db, work, this.atLevel('OFF'));
    committed?.();
    await this.walFlusher.flush();
    return result;
  }

  private atLevel(level: 'OFF' | 'NORMAL') {
    return { before: () => this.sync(level), after: () => this.sync('FULL') };
  }

  /** Sets synchronous with a prepared statement: db.pragma() compiles it every call. */
  private sync(level: 'OFF' | 'NORMAL' | 'FULL'): void {
    this.sql(`PRAGMA synchronous = ${level}`).run();
  }

  protected writeTransaction<F extends (...args: any[]) => any>(work: F): F {
    return writeTransaction(this.db, work);
  }

  protected sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async migrate(): Promise<void> {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
      this.writeTransaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[version]);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  async schemaState(): Promise<SchemaState> {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    return { applied, latest: SQLITE_MIGRATIONS.length };
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    await this.walFlusher?.close();
    this.db.close();
  }

  /** The owner's next delivery outcome number; callers hold a transaction. */
  protected nextOutcomeSeq(ownerId: string): number {
    return this.reserveOutcomeSeqs(ownerId, 1);
  }

  /** Takes `count` numbers of the owner's outcome feed; returns the last of them. */
  protected reserveOutcomeSeqs(ownerId: string, count: number): number {
    const row = this.sql(
      `INSERT INTO owner_sequences (owner_id, name, value) VALUES (@ownerId, 'outcome', @count)
       ON CONFLICT (owner_id, name) DO UPDATE SET value = owner_sequences.value + @count
       RETURNING value`,
    ).get({ ownerId, count }) as { value: number };
    return row.value;
  }

  /** Inserts events, their deliveries and inbox entries; callers hold a transaction. */
  protected abstract insertEvents(ownerId: string, events: NewEvent[]): void;
}
