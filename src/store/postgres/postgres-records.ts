import type pg from 'pg';
import {
  checkedFlags,
  MissingReference,
  RecordGone,
  UniqueViolation,
  type ApiKey,
  type DeleteGuard,
  type GuardedDeleteResult,
  type Owner,
  type RecordKind,
  type RecordWrite,
} from '../store.ts';
import { inTransaction, pgCode, PG_UNIQUE_VIOLATION } from './connection.ts';
import { LOCKS } from './locks.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { toApiKey, toOwner, toRecord } from './rows.ts';

/** Owners, API keys and configuration records, for PostgresStore. */
export abstract class PostgresRecords extends PostgresDatabase {
  async createOwner(owner: Owner): Promise<void> {
    await this.pool.query(
      `INSERT INTO owners (id, name, default_locale, platform, alert_email, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        owner.id,
        owner.name,
        owner.defaultLocale,
        owner.platform,
        owner.alertEmail,
        owner.createdAt,
      ],
    );
  }

  async updateOwner(owner: Owner): Promise<void> {
    await this.pool.query(
      'UPDATE owners SET name = $1, default_locale = $2, alert_email = $3 WHERE id = $4',
      [owner.name, owner.defaultLocale, owner.alertEmail, owner.id],
    );
  }

  async getOwner(id: string): Promise<Owner | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM owners WHERE id = $1', [id]);
    return rows[0] ? toOwner(rows[0]) : undefined;
  }

  async countOwners(): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*) AS n FROM owners');
    return rows[0].n;
  }

  async listOwners(): Promise<Owner[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM owners ORDER BY created_at, id COLLATE "C"',
    );
    return rows.map(toOwner);
  }

  async createApiKey(key: ApiKey, secretHash: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_keys (id, owner_id, name, prefix, secret_hash, scopes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        key.id,
        key.ownerId,
        key.name,
        key.prefix,
        secretHash,
        JSON.stringify(key.scopes),
        key.createdAt,
      ],
    );
  }

  async findKeyWithRecordsVersion(secretHash: string) {
    const { rows } = await this.pool.query(
      `SELECT k.*, o.records_version FROM api_keys k JOIN owners o ON o.id = k.owner_id
       WHERE k.secret_hash = $1`,
      [secretHash],
    );
    if (!rows[0]) return undefined;
    return { key: toApiKey(rows[0]), recordsVersion: String(rows[0].records_version) };
  }

  async listApiKeys(ownerId: string): Promise<ApiKey[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM api_keys WHERE owner_id = $1 ORDER BY created_at, id COLLATE "C"',
      [ownerId],
    );
    return rows.map(toApiKey);
  }

  async deleteApiKey(ownerId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM api_keys WHERE owner_id = $1 AND id = $2', [
      ownerId,
      id,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async getRecord<T>(ownerId: string, kind: RecordKind, id: string) {
    const { rows } = await this.pool.query(
      'SELECT * FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3',
      [ownerId, kind, id],
    );
    return rows[0] ? toRecord<T>(rows[0]) : undefined;
  }

  async listRecords<T>(ownerId: string, kind: RecordKind) {
    const { rows } = await this.pool.query(
      'SELECT * FROM records WHERE owner_id = $1 AND kind = $2 ORDER BY created_at, id COLLATE "C"',
      [ownerId, kind],
    );
    return rows.map((row) => toRecord<T>(row));
  }

  async findRecordByUniqueKey<T>(ownerId: string, kind: RecordKind, uniqueKey: string) {
    const { rows } = await this.pool.query(
      'SELECT * FROM records WHERE owner_id = $1 AND kind = $2 AND unique_key = $3',
      [ownerId, kind, uniqueKey],
    );
    return rows[0] ? toRecord<T>(rows[0]) : undefined;
  }

  async putRecords(writes: RecordWrite<unknown>[]): Promise<void> {
    const now = Date.now();
    let current: RecordWrite<unknown> | undefined;
    try {
      await inTransaction(this.pool, async (client) => {
        await takeFlags(client, writes, now);
        await checkPresence(client, writes);
        // Clear every unique key first so that a swap (moving a contact type name
        // from one record to another in one call) does not trip the index halfway.
        for (const w of writes) {
          if (w.uniqueKey === undefined) continue;
          await client.query(
            'UPDATE records SET unique_key = NULL WHERE owner_id = $1 AND kind = $2 AND id = $3',
            [w.ownerId, w.kind, w.id],
          );
        }
        for (const w of writes) {
          current = w;
          await client.query(
            `INSERT INTO records (owner_id, kind, id, doc, unique_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)
             ON CONFLICT (owner_id, kind, id) DO UPDATE SET
               doc = excluded.doc, updated_at = excluded.updated_at,
               unique_key = CASE WHEN $7 THEN records.unique_key ELSE excluded.unique_key END`,
            [
              w.ownerId,
              w.kind,
              w.id,
              JSON.stringify(w.doc),
              w.uniqueKey ?? null,
              now,
              w.uniqueKey === undefined,
            ],
          );
        }
      });
    } catch (error) {
      if (pgCode(error) === PG_UNIQUE_VIOLATION) {
        throw new UniqueViolation(current?.uniqueKey ?? 'unknown');
      }
      throw error;
    }
  }

  async deleteRecord(ownerId: string, kind: RecordKind, id: string): Promise<boolean> {
    const result = await this.pool.query(
      'DELETE FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3',
      [ownerId, kind, id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * The record's row is locked FOR UPDATE before the guard is read: a makeDefault
   * or a write referring to it (checkPresence) that holds the row goes first, and
   * this delete then reads what it committed; one that comes later finds no row.
   */
  async deleteRecordGuarded(
    ownerId: string,
    kind: RecordKind,
    id: string,
    guard: DeleteGuard,
  ): Promise<GuardedDeleteResult> {
    return inTransaction(this.pool, async (client): Promise<GuardedDeleteResult> => {
      const { rows } = await client.query(
        `SELECT unique_key FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3
         FOR UPDATE`,
        [ownerId, kind, id],
      );
      if (rows.length === 0) return { outcome: 'missing' };
      if (guard.unlessUniqueKey !== undefined && rows[0].unique_key === guard.unlessUniqueKey)
        return { outcome: 'holds-unique-key' };
      if (guard.unlessReferencedBy) {
        const { kind: byKind, field } = guard.unlessReferencedBy;
        const users = await client.query(
          `SELECT * FROM records WHERE owner_id = $1 AND kind = $2 AND doc ->> $3 = $4
           ORDER BY created_at, id COLLATE "C" LIMIT 1`,
          [ownerId, byKind, field, id],
        );
        if (users.rows[0]) return { outcome: 'referenced', by: toRecord(users.rows[0]) };
      }
      await client.query('DELETE FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3', [
        ownerId,
        kind,
        id,
      ]);
      return { outcome: 'deleted' };
    });
  }

  /**
   * Under READ COMMITTED two concurrent calls would each clear the default they
   * saw and set their own, and the second would trip the unique index. A
   * transaction-level advisory lock per (owner, kind) makes them take turns; each
   * statement after the lock sees the previous call's committed default.
   */
  async makeDefault(ownerId: string, kind: RecordKind, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        LOCKS.defaults,
        `${ownerId}/${kind}`,
      ]);
      // Locked, so a guarded delete of this record waits for the move, or wins first.
      const found = await client.query(
        `SELECT 1 FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3
         FOR NO KEY UPDATE`,
        [ownerId, kind, id],
      );
      if (found.rowCount === 0) return false;
      const now = Date.now();
      await client.query(
        `UPDATE records SET unique_key = NULL, updated_at = $3,
           doc = jsonb_set(doc, '{isDefault}', 'false')
         WHERE owner_id = $1 AND kind = $2 AND unique_key = 'default'`,
        [ownerId, kind, now],
      );
      await client.query(
        `UPDATE records SET unique_key = 'default', updated_at = $4,
           doc = jsonb_set(doc, '{isDefault}', 'true')
         WHERE owner_id = $1 AND kind = $2 AND id = $3`,
        [ownerId, kind, id, now],
      );
      return true;
    });
  }

  async mergeRecord(ownerId: string, kind: RecordKind, id: string, patch: object) {
    const result = await this.pool.query(
      `UPDATE records SET doc = herald_merge_patch(doc, $4::jsonb), updated_at = $5
       WHERE owner_id = $1 AND kind = $2 AND id = $3`,
      [ownerId, kind, id, JSON.stringify(patch), Date.now()],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

/**
 * Fails the write unless the records it edits and names exist. Edited ones are
 * locked as the upsert would lock them, so a delete cannot slip in and the upsert
 * bring the record back. The named ones are
 * locked FOR KEY SHARE until commit: enough to make a guarded delete of them wait
 * and then see the reference, without holding up edits of those records.
 */
async function checkPresence(client: pg.PoolClient, writes: RecordWrite<unknown>[]) {
  const present = 'SELECT 1 FROM records WHERE owner_id = $1 AND kind = $2 AND id = $3';
  for (const w of writes) {
    if (w.existing) {
      const found = await client.query(`${present} FOR NO KEY UPDATE`, [w.ownerId, w.kind, w.id]);
      if (found.rowCount === 0) throw new RecordGone(w.kind, w.id);
    }
    for (const ref of w.refersTo ?? []) {
      const found = await client.query(`${present} FOR KEY SHARE`, [w.ownerId, ref.kind, ref.id]);
      if (found.rowCount === 0) throw new MissingReference(ref);
    }
  }
}

/**
 * Clears the flags each write takes from the other records of its kind, under the
 * owner's lock for that kind: a racing write waits, then sees this one's record.
 */
async function takeFlags(client: pg.PoolClient, writes: RecordWrite<unknown>[], now: number) {
  for (const w of writes) {
    const flags = checkedFlags(w);
    if (flags.length === 0) continue;
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      LOCKS.defaults,
      `${w.ownerId}/${w.kind}`,
    ]);
    for (const flag of flags) {
      await client.query(
        `UPDATE records SET doc = jsonb_set(doc, ARRAY[$4], 'false'::jsonb), updated_at = $5
         WHERE owner_id = $1 AND kind = $2 AND id <> $3 AND doc->>$4 = 'true'`,
        [w.ownerId, w.kind, w.id, flag, now],
      );
    }
  }
}
