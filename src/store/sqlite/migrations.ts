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
  // 2: triggers over time and usage, and the subscribers' queue (issue #5).
  `
  -- Per-owner counters, bumped inside the writing transaction. The row lock a bump
  -- takes orders the writers, so the numbers follow commit order: a reader's cursor
  -- over them never passes a number that a slower transaction commits later.
  CREATE TABLE owner_sequences (
    owner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (owner_id, name)
  );

  -- Set from the 'outcome' counter each time a delivery records an outcome.
  ALTER TABLE deliveries ADD COLUMN outcome_seq INTEGER;
  CREATE INDEX deliveries_outcome ON deliveries(owner_id, outcome_seq)
    WHERE outcome_seq IS NOT NULL;

  -- One row per occurrence of a derived or scheduled notification.
  CREATE TABLE scheduled (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    type TEXT NOT NULL,
    account_id TEXT,
    subscription_id TEXT,
    subject TEXT,
    due_at INTEGER NOT NULL,
    due_local TEXT NOT NULL,
    timezone TEXT NOT NULL,
    data TEXT NOT NULL,
    edited INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    event_id TEXT,
    note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (owner_id, dedupe_key)
  );
  CREATE INDEX scheduled_due ON scheduled(due_at, seq) WHERE status = 'pending';
  CREATE INDEX scheduled_subject ON scheduled(owner_id, type, subject)
    WHERE status = 'pending';
  CREATE INDEX scheduled_owner ON scheduled(owner_id, seq);

  -- Fact events (invoices, credits, refunds) the triggers have yet to read.
  CREATE TABLE trigger_inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE
  );

  CREATE TABLE invoices (
    owner_id TEXT NOT NULL,
    id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    number TEXT NOT NULL,
    date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total REAL NOT NULL,
    balance REAL NOT NULL,
    paid REAL NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    delivered_at INTEGER,
    delivery_method TEXT,
    settled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, id)
  );
  CREATE INDEX invoices_account ON invoices(owner_id, account_id, due_date);

  -- Which credit or refund event paid what, so an event is applied once.
  CREATE TABLE invoice_payments (
    owner_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    amount REAL NOT NULL,
    PRIMARY KEY (owner_id, event_id, invoice_id)
  );

  CREATE TABLE usage_records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id TEXT NOT NULL,
    record_id TEXT,
    account_id TEXT NOT NULL,
    identifier TEXT,
    bucket_id TEXT,
    quantity REAL NOT NULL,
    amount REAL,
    at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX usage_records_id ON usage_records(owner_id, record_id)
    WHERE record_id IS NOT NULL;
  CREATE INDEX usage_records_account ON usage_records(owner_id, account_id, at);

  CREATE TABLE usage_totals (
    owner_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    bucket_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (owner_id, account_id, bucket_id, period_start)
  );

  CREATE TABLE sims (
    owner_id TEXT NOT NULL,
    iccid TEXT NOT NULL,
    account_id TEXT NOT NULL,
    msisdn TEXT,
    last_usage_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, iccid)
  );
  `,
  // 3: a version per owner, a fresh random value on every change to its records,
  // set in the change's own transaction, so that intake may keep the records it
  // reads between requests (src/ingest/versioned-records.ts). Random, not counted:
  // a count can come round to a value again (a restored backup), and the records
  // kept under it would pass for current. Triggers rather than code, so no write
  // path can forget it.
  `
  ALTER TABLE owners ADD COLUMN records_version TEXT NOT NULL DEFAULT '';

  CREATE TRIGGER records_inserted AFTER INSERT ON records BEGIN
    UPDATE owners SET records_version = lower(hex(randomblob(16))) WHERE id = NEW.owner_id;
  END;
  CREATE TRIGGER records_updated AFTER UPDATE ON records BEGIN
    UPDATE owners SET records_version = lower(hex(randomblob(16)))
     WHERE id IN (OLD.owner_id, NEW.owner_id);
  END;
  CREATE TRIGGER records_deleted AFTER DELETE ON records BEGIN
    UPDATE owners SET records_version = lower(hex(randomblob(16))) WHERE id = OLD.owner_id;
  END;
  `,
];
