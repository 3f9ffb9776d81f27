/**
 * Advisory lock spaces. PostgreSQL's two-key form pg_advisory_lock(class, object)
 * keeps Herald's locks apart from any other application sharing the database: the
 * class is one of these, the object a hash of what is locked (hashtext).
 * Two things hashing alike only wait for each other, never break.
 */
const BASE = 0x48524c00; // "HRL" and a zero byte

export const LOCKS = {
  /** The whole schema, while migrations run. */
  migrations: BASE + 1,
  /**
   * An owner's records of a kind, while makeDefault moves the default or a write
   * takes a flag from the others (RecordWrite.takesFlags).
   */
  defaults: BASE + 2,
  /** An owner's intake, so its events and deliveries commit in seq order. */
  intake: BASE + 3,
  /** A credit or refund event, while it is applied to invoices. */
  payments: BASE + 4,
  /** A SIM's last usage, while a usage record moves it. */
  sims: BASE + 5,
} as const;
