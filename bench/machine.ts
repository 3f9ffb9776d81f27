import { cpus, totalmem, release, platform } from 'node:os';

import Database from 'better-sqlite3';

/** What the figures were measured on; printed above the table and kept in the JSON. */
export function machineFacts() {
  const cores = cpus();
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
  };
}

export type MachineFacts = ReturnType<typeof machineFacts>;
