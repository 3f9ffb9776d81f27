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
import { toApiKey, toOwner, toRecord } from './rows.ts';
import { SqliteTriggerStore } from './sqlite-trigger-store.ts';

/**
 * Owners, API keys and configuration records, for SqliteStore. Checks and writes
 * that must not be split run inside one better-sqlite3 transaction, which no other
 * request can interleave with: the driver is synchronous.
 */
export abstract class SqliteRecords extends SqliteTriggerStore {
  async createOwner(owner: Owner): Promise<void> {
    this.sql(
      `INSERT INTO owners (id, name, default_locale, platform, alert_email, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      owner.id,
      owner.name,
      owner.defaultLocale,
      owner.platform ? 1 : 0,
      owner.alertEmail,
      owner.createdAt,
    );
  }

  async updateOwner(owner: Owner): Promise<void> {
    this.sql('UPDATE owners SET name = ?, default_locale = ?, alert_email = ? WHERE id = ?').run(
      owner.name,
      owner.defaultLocale,
      owner.alertEmail,
      owner.id,
    );
  }

  async getOwner(id: string): Promise<Owner | undefined> {
    const row = this.sql('SELECT * FROM owners WHERE id = ?').get(id) as any;
    return row ? toOwner(row) : undefined;
  }

  async countOwners(): Promise<number> {
    return (this.sql('SELECT count(*) AS n FROM owners').get() as { n: number }).n;
  }

  async listOwners(): Promise<Owner[]> {
    return this.sql('SELECT * FROM owners ORDER BY created_at, id').all().map(toOwner);
  }

  async createApiKey(key: ApiKey, secretHash: string): Promise<void> {
    this.sql(
      `INSERT INTO api_keys (id, owner_id, name, prefix, secret_hash, scopes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      key.id,
      key.ownerId,
      key.name,
      key.prefix,
      secretHash,
      JSON.stringify(key.scopes),
      key.createdAt,
    );
  }

  async findKeyWithRecordsVersion(secretHash: string) {
    const row = this.sql(
      `SELECT k.*, o.records_version FROM api_keys k JOIN owners o ON o.id = k.owner_id
       WHERE k.secret_hash = ?`,
    ).get(secretHash) as any;
    return row ? { key: toApiKey(row), recordsVersion: String(row.records_version) } : undefined;
  }

  async listApiKeys(ownerId: string): Promise<ApiKey[]> {
    const rows = this.sql('SELECT * FROM api_keys WHERE owner_id = ? ORDER BY created_at').all(
      ownerId,
    );
    return rows.map(toApiKey);
  }

  async deleteApiKey(ownerId: string, id: string): Promise<boolean> {
    return (
      this.sql('DELETE FROM api_keys WHERE owner_id = ? AND id = ?').run(ownerId, id).changes > 0
    );
  }

  async getRecord<T>(ownerId: string, kind: RecordKind, id: string) {
    const row = this.sql('SELECT * FROM records WHERE owner_id = ? AND kind = ? AND id = ?').get(
      ownerId,
      kind,
      id,
    );
    return row ? toRecord<T>(row) : undefined;
  }

  async listRecords<T>(ownerId: string, kind: RecordKind) {
    const rows = this.sql(
      'SELECT * FROM records WHERE owner_id = ? AND kind = ? ORDER BY created_at, id',
    ).all(ownerId, kind);
    return rows.map((row) => toRecord<T>(row));
  }

  async findRecordByUniqueKey<T>(ownerId: string, kind: RecordKind, uniqueKey: string) {
    const row = this.sql(
      'SELECT * FROM records WHERE owner_id = ? AND kind = ? AND unique_key = ?',
    ).get(ownerId, kind, uniqueKey);
    return row ? toRecord<T>(row) : undefined;
  }

  async putRecords(writes: RecordWrite<unknown>[]): Promise<void> {
    const now = Date.now();
    // Clear every unique key first so that a swap (moving "default" from one SMTP
    // profile to another in one call) does not trip the index halfway.
    const clear = this.sql(
      'UPDATE records SET unique_key = NULL WHERE owner_id = ? AND kind = ? AND id = ?',
    );
    const upsert = this.sql(
      `INSERT INTO records (owner_id, kind, id, doc, unique_key, created_at, updated_at)
       VALUES (@ownerId, @kind, @id, @doc, @uniqueKey, @now, @now)
       ON CONFLICT (owner_id, kind, id) DO UPDATE SET
         doc = excluded.doc, updated_at = excluded.updated_at,
         unique_key = CASE WHEN @keep = 1 THEN records.unique_key ELSE excluded.unique_key END`,
    );
    const exists = this.sql('SELECT 1 FROM records WHERE owner_id = ? AND kind = ? AND id = ?');
    // Writes are serialized already: the transaction alone keeps a flag on one record.
    const takeFlag = this.sql(
      `UPDATE records SET doc = json_set(doc, '$.' || @flag, json('false')), updated_at = @now
       WHERE owner_id = @ownerId AND kind = @kind AND id <> @id
         AND json_extract(doc, '$.' || @flag) = 1`,
    );
    try {
      this.writeTransaction(() => {
        for (const w of writes) {
          for (const flag of checkedFlags(w)) {
            takeFlag.run({ flag, now, ownerId: w.ownerId, kind: w.kind, id: w.id });
          }
        }
        for (const w of writes) {
          if (w.existing && !exists.get(w.ownerId, w.kind, w.id))
            throw new RecordGone(w.kind, w.id);
          for (const ref of w.refersTo ?? []) {
            if (!exists.get(w.ownerId, ref.kind, ref.id)) throw new MissingReference(ref);
          }
        }
        for (const w of writes) if (w.uniqueKey !== undefined) clear.run(w.ownerId, w.kind, w.id);
        for (const w of writes) {
          upsert.run({
            keep: w.uniqueKey === undefined ? 1 : 0,
            ownerId: w.ownerId,
            kind: w.kind,
            id: w.id,
            doc: JSON.stringify(w.doc),
            uniqueKey: w.uniqueKey ?? null,
            now,
          });
        }
      })();
    } catch (error: any) {
      if (error?.code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const clash = writes.find((w) => w.uniqueKey)?.uniqueKey ?? 'unknown';
        throw new UniqueViolation(clash);
      }
      throw error;
    }
  }

  async deleteRecord(ownerId: string, kind: RecordKind, id: string): Promise<boolean> {
    const result = this.sql('DELETE FROM records WHERE owner_id = ? AND kind = ? AND id = ?').run(
      ownerId,
      kind,
      id,
    );
    return result.changes > 0;
  }

  async deleteRecordGuarded(
    ownerId: string,
    kind: RecordKind,
    id: string,
    guard: DeleteGuard,
  ): Promise<GuardedDeleteResult> {
    return this.writeTransaction((): GuardedDeleteResult => {
      const row = this.sql(
        'SELECT unique_key FROM records WHERE owner_id = ? AND kind = ? AND id = ?',
      ).get(ownerId, kind, id) as { unique_key: string | null } | undefined;
      if (!row) return { outcome: 'missing' };
      if (guard.unlessUniqueKey !== undefined && row.unique_key === guard.unlessUniqueKey)
        return { outcome: 'holds-unique-key' };
      if (guard.unlessReferencedBy) {
        const { kind: byKind, field } = guard.unlessReferencedBy;
        const user = this.sql(
          `SELECT * FROM records WHERE owner_id = ? AND kind = ? AND json_extract(doc, ?) = ?
           ORDER BY created_at, id LIMIT 1`,
        ).get(ownerId, byKind, `$.${field}`, id);
        if (user) return { outcome: 'referenced', by: toRecord(user) };
      }
      this.sql('DELETE FROM records WHERE owner_id = ? AND kind = ? AND id = ?').run(
        ownerId,
        kind,
        id,
      );
      return { outcome: 'deleted' };
    })();
  }

  async makeDefault(ownerId: string, kind: RecordKind, id: string): Promise<boolean> {
    return this.writeTransaction(() => {
      const exists = this.sql('SELECT 1 FROM records WHERE owner_id = ? AND kind = ? AND id = ?');
      if (!exists.get(ownerId, kind, id)) return false;
      const now = Date.now();
      this.sql(
        `UPDATE records SET unique_key = NULL, updated_at = @now,
           doc = json_set(doc, '$.isDefault', json('false'))
         WHERE owner_id = @ownerId AND kind = @kind AND unique_key = 'default'`,
      ).run({ ownerId, kind, now });
      this.sql(
        `UPDATE records SET unique_key = 'default', updated_at = @now,
           doc = json_set(doc, '$.isDefault', json('true'))
         WHERE owner_id = @ownerId AND kind = @kind AND id = @id`,
      ).run({ ownerId, kind, id, now });
      return true;
    })();
  }

  async mergeRecord(ownerId: string, kind: RecordKind, id: string, patch: object) {
    const result = this.sql(
      `UPDATE records SET doc = json_patch(doc, @patch), updated_at = @now
       WHERE owner_id = @ownerId AND kind = @kind AND id = @id`,
    ).run({ ownerId, kind, id, patch: JSON.stringify(patch), now: Date.now() });
    return result.changes > 0;
  }
}
