/**
 * The raw limit of intake on SQLite: the rows Herald writes for an accepted event
 * (the event and its one delivery) inserted by better-sqlite3 straight into a fresh
 * file with Herald's own schema and pragmas (WAL, synchronous=FULL), with no HTTP,
 * no validation and no fan-out in between.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { newId } from '../../src/ids.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { ACCOUNT, benchEvent, EVENT_TYPE } from './bench-event.ts';

/** Opens a fresh database file the way Herald's SQLite store does. */
export function openLikeHerald(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  for (const migration of SQLITE_MIGRATIONS) db.exec(migration);
  return db;
}

/** Statements that insert one event and its pending delivery to `targetId`. */
export function eventInserter(db: Database.Database, ownerId: string, targetId: string) {
  const insertEvent = db.prepare(
    `INSERT INTO events (id, owner_id, type, account_id, ordering_key, occurred_at,
       accepted_at, data, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (id, owner_id, event_id, event_type, account_id, subscription_id,
       channel, target_id, ordering_key, ordered, status, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'webhook', ?, ?, 0, 'pending', ?, ?, ?)`,
  );
  const account = JSON.stringify(ACCOUNT);
  return (marker: string, now: number, subscriptionId: string | null = null) => {
    const eventId = newId('evt');
    const data = JSON.stringify(benchEvent(marker).data);
    insertEvent.run(eventId, ownerId, EVENT_TYPE, ACCOUNT.id, ACCOUNT.id, now, now, data, account);
    insertDelivery.run(
      newId('dlv'),
      ownerId,
      eventId,
      EVENT_TYPE,
      ACCOUNT.id,
      subscriptionId,
      targetId,
      ACCOUNT.id,
      now,
      now,
      now,
    );
  };
}

/**
 * Inserts events for `durationMs`, `batchSize` per transaction (1: one transaction
 * per event, as a single-event POST is). Resolves with the events per second.
 */
export async function rawSqliteIntake(batchSize: number, durationMs: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-raw-'));
  const db = openLikeHerald(join(dir, 'raw.db'));
  try {
    const insert = eventInserter(db, 'own_raw', 'ep_raw');
    const batch = db.transaction((first: number) => {
      const now = Date.now();
      for (let i = 0; i < batchSize; i++) insert(`m${first + i}`, now);
    });
    const started = performance.now();
    let events = 0;
    while (performance.now() - started < durationMs) {
      batch(events);
      events += batchSize;
    }
    return (events * 1000) / (performance.now() - started);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
