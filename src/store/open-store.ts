import { join } from 'node:path';
import type { HeraldConfig } from '../config.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** Picks the backend from the settings: PostgreSQL for a postgres:// URL, else SQLite. */
export async function openStore(config: HeraldConfig): Promise<Store> {
  if (config.databaseUrl) {
    throw new Error(
      'HERALD_DATABASE_URL is set, but this build of Herald stores data in SQLite only; ' +
        'unset it to use the SQLite file under HERALD_DATA_DIR',
    );
  }
  return new SqliteStore(join(config.dataDir, 'herald.db'));
}
