/**
 * SQLite schema, as numbered migrations. Each runs once, inside a transaction, and
 * its number is kept in user_version, so running migrations again does nothing.
 */
export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE owners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    default_locale TEXT NOT NULL,
    platform INTEGER NOT NULL DEFAULT 0,
    alert_email TEXT,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES owners(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX api_keys_owner ON api_keys(owner_id);

  -- Configuration records (accounts, endpoints, templates...) as JSON documents.
  CREATE TABLE records (
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    unique_key TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, kind, id)
  );
  CREATE UNIQUE INDEX records_unique ON records(owner_id, kind, unique_key)
    WHERE unique_key IS NOT NULL;

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner_id TEXT NOT NULL,
    type TEXT NOT NULL,
    account_id TEXT,
    ordering_key TEXT,
    occurred_at INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    account TEXT,
    status TEXT NOT NULL DEFAULT 'accepted'
  );
  CREATE INDEX events_owner_seq ON events(owner_id, seq);

  CREATE TABLE idempotency_keys (
    owner_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, key)
  );

  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    account_id TEXT,
    subscription_id TEXT,
    channel TEXT NOT NULL,
    target_id TEXT NOT NULL,
    ordering_key TEXT,
    ordered INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    completed_at INTEGER
  );
  -- The claim query walks pending work by due time; the partial index keeps it
  -- small however many finished deliveries the table holds.
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at, seq) WHERE status = 'pending';
  CREATE INDEX deliveries_lease ON deliveries(lease_until) WHERE status = 'in_flight';
  CREATE INDEX deliveries_order ON deliveries(target_id, ordering_key, seq)
    WHERE status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_owner ON deliveries(owner_id, seq);
  CREATE INDEX deliveries_event ON deliveries(event_id);

  CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    status_code INTEGER,
    error_code TEXT,
    error TEXT,
    response_body TEXT,
    request TEXT NOT NULL
  );
  CREATE INDEX attempts_delivery ON attempts(delivery_id, number);
  `,
];
