import { join } from 'node:path';
import type { HeraldConfig } from '../config.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** Picks the backend from the settings: PostgreSQL for a postgres:// URL, else SQLite. */
export async function openStore(config: HeraldConfig): Promise<Store> {
  const url = config.databaseUrl;
  if (!url) return new SqliteStore(join(config.dataDir, 'herald.db'));
  if (/^postgres(ql)?:\/\//i.test(url)) return new PostgresStore(url);
  throw new Error(
    `HERALD_DATABASE_URL must be a postgres:// or postgresql:// URL (got ${redacted(url)}); ` +
      'unset it to use the SQLite file under HERALD_DATA_DIR',
  );
}

/** The URL without its password, fit for an error message. */
function redacted(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}
