/**
 * PostgreSQL schema, as numbered migrations: the same tables and columns as the
 * SQLite schema (src/store/sqlite/migrations.ts), with jsonb documents, native
 * booleans and bigint epoch-millisecond times. Migration N is entry N - 1; each
 * runs once, in its own transaction (see migrator.ts).
 */
export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE owners (
    id text PRIMARY KEY,
    name text NOT NULL,
    default_locale text NOT NULL,
    platform boolean NOT NULL DEFAULT false,
    alert_email text,
    created_at bigint NOT NULL
  );

  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    owner_id text NOT NULL REFERENCES owners(id),
    name text NOT NULL,
    prefix text NOT NULL,
    secret_hash text NOT NULL UNIQUE,
    scopes jsonb NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX api_keys_owner ON api_keys(owner_id);

  -- Configuration records (accounts, endpoints, templates...) as JSON documents.
  CREATE TABLE records (
    owner_id text NOT NULL,
    kind text NOT NULL,
    id text NOT NULL,
    doc jsonb NOT NULL,
    unique_key text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (owner_id, kind, id)
  );
  CREATE UNIQUE INDEX records_unique ON records(owner_id, kind, unique_key)
    WHERE unique_key IS NOT NULL;

  CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    owner_id text NOT NULL,
    type text NOT NULL,
    account_id text,
    ordering_key text,
    occurred_at bigint NOT NULL,
    accepted_at bigint NOT NULL,
    data jsonb NOT NULL,
    account jsonb,
    status text NOT NULL DEFAULT 'accepted'
  );
  CREATE INDEX events_owner_seq ON events(owner_id, seq);

  CREATE TABLE idempotency_keys (
    owner_id text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    response jsonb NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (owner_id, key)
  );

  CREATE TABLE deliveries (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    owner_id text NOT NULL,
    event_id text NOT NULL,
    event_type text NOT NULL,
    account_id text,
    subscription_id text,
    channel text NOT NULL,
    target_id text NOT NULL,
    ordering_key text,
    ordered boolean NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    lease_until bigint,
    last_error text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    completed_at bigint
  );
  -- The claim query walks pending work by due time; the partial index keeps it
  -- small however many finished deliveries the table holds.
  CREATE INDEX deliveries_due ON deliveries(next_attempt_at, seq) WHERE status = 'pending';
  CREATE INDEX deliveries_lease ON deliveries(lease_until) WHERE status = 'in_flight';
  CREATE INDEX deliveries_due_unordered ON deliveries(next_attempt_at, seq)
    WHERE status = 'pending' AND NOT ordered;
  -- Ordered work by key, for the claim's walk over the keys' heads. A missing
  -- ordering key is a key of its own, as in SQLite; coalesce makes the lookup an
  -- index equality ('' is never a key: intake refuses empty keys).
  CREATE INDEX deliveries_order ON deliveries(target_id, (coalesce(ordering_key, '')), seq)
    WHERE status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_ordered_keys
    ON deliveries(target_id, (coalesce(ordering_key, '')), seq)
    WHERE ordered AND status IN ('pending', 'in_flight');
  CREATE INDEX deliveries_owner ON deliveries(owner_id, seq);
  CREATE INDEX deliveries_event ON deliveries(event_id);

  CREATE TABLE attempts (
    id text PRIMARY KEY,
    delivery_id text NOT NULL,
    owner_id text NOT NULL,
    number integer NOT NULL,
    started_at bigint NOT NULL,
    duration_ms bigint NOT NULL,
    ok boolean NOT NULL,
    status_code integer,
    error_code text,
    error text,
    response_body text,
    request jsonb NOT NULL
  );
  CREATE INDEX attempts_delivery ON attempts(delivery_id, number);

  -- JSON merge patch (RFC 7396), what SQLite's json_patch does: objects merge key
  -- by key, a null removes the key, anything else replaces the target.
  CREATE FUNCTION herald_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
      WHEN jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN patch
      ELSE (
        SELECT coalesce(jsonb_object_agg(merged.key, merged.value), '{}'::jsonb)
        FROM (
          SELECT t.key, t.value
          FROM jsonb_each(CASE WHEN jsonb_typeof(target) = 'object' THEN target END) t
          WHERE NOT patch ? t.key
          UNION ALL
          SELECT p.key, herald_merge_patch(
            CASE WHEN jsonb_typeof(target) = 'object' THEN target -> p.key END, p.value)
          FROM jsonb_each(patch) p
          WHERE jsonb_typeof(p.value) <> 'null'
        ) merged
      )
    END
  $$;
  `,
  // 2: triggers over time and usage, and the subscribers' queue (issue #5).
  `
  -- Per-owner counters, bumped inside the writing transaction. The row lock a bump
  -- takes orders the writers, so the numbers follow commit order: a reader's cursor
  -- over them never passes a number that a slower transaction commits later.
  CREATE TABLE owner_sequences (
    owner_id text NOT NULL,
    name text NOT NULL,
    value bigint NOT NULL,
    PRIMARY KEY (owner_id, name)
  );

  -- Set from the 'outcome' counter each time a delivery records an outcome.
  ALTER TABLE deliveries ADD COLUMN outcome_seq bigint;
  CREATE INDEX deliveries_outcome ON deliveries(owner_id, outcome_seq)
    WHERE outcome_seq IS NOT NULL;

  -- One row per occurrence of a derived or scheduled notification.
  CREATE TABLE scheduled (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    owner_id text NOT NULL,
    dedupe_key text NOT NULL,
    type text NOT NULL,
    account_id text,
    subscription_id text,
    subject text,
    due_at bigint NOT NULL,
    due_local text NOT NULL,
    timezone text NOT NULL,
    data jsonb NOT NULL,
    edited boolean NOT NULL DEFAULT false,
    status text NOT NULL,
    event_id text,
    note text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (owner_id, dedupe_key)
  );
  CREATE INDEX scheduled_due ON scheduled(due_at, seq) WHERE status = 'pending';
  CREATE INDEX scheduled_subject ON scheduled(owner_id, type, subject)
    WHERE status = 'pending';
  CREATE INDEX scheduled_owner ON scheduled(owner_id, seq);

  -- Fact events (invoices, credits, refunds) the triggers have yet to read.
  CREATE TABLE trigger_inbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id text NOT NULL UNIQUE
  );

  CREATE TABLE invoices (
    owner_id text NOT NULL,
    id text NOT NULL,
    account_id text NOT NULL,
    number text NOT NULL,
    date text NOT NULL,
    due_date text NOT NULL,
    total double precision NOT NULL,
    balance double precision NOT NULL,
    paid double precision NOT NULL DEFAULT 0,
    currency text NOT NULL,
    delivered_at bigint,
    delivery_method text,
    settled_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (owner_id, id)
  );
  CREATE INDEX invoices_account ON invoices(owner_id, account_id, due_date);

  -- Which credit or refund event paid what, so an event is applied once.
  CREATE TABLE invoice_payments (
    owner_id text NOT NULL,
    event_id text NOT NULL,
    invoice_id text NOT NULL,
    amount double precision NOT NULL,
    PRIMARY KEY (owner_id, event_id, invoice_id)
  );

  CREATE TABLE usage_records (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id text NOT NULL,
    record_id text,
    account_id text NOT NULL,
    identifier text,
    bucket_id text,
    quantity double precision NOT NULL,
    amount double precision,
    at bigint NOT NULL
  );
  CREATE UNIQUE INDEX usage_records_id ON usage_records(owner_id, record_id)
    WHERE record_id IS NOT NULL;
  CREATE INDEX usage_records_account ON usage_records(owner_id, account_id, at);

  CREATE TABLE usage_totals (
    owner_id text NOT NULL,
    account_id text NOT NULL,
    bucket_id text NOT NULL,
    period_start text NOT NULL,
    used double precision NOT NULL,
    PRIMARY KEY (owner_id, account_id, bucket_id, period_start)
  );

  CREATE TABLE sims (
    owner_id text NOT NULL,
    iccid text NOT NULL,
    account_id text NOT NULL,
    msisdn text,
    last_usage_at bigint NOT NULL,
    PRIMARY KEY (owner_id, iccid)
  );
  `,
  // 3: the queue's statistics kept fresh. The claim's plan walks the due index only
  // when the planner knows how many deliveries wait; with the statistics of an
  // emptier table (a burst into a new database, say) it sorts every due delivery
  // on each claim instead. Analyzing after 2% of the rows changed, not 10%, keeps
  // the estimate close to the queue as it grows.
  `
  ALTER TABLE deliveries SET (
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_analyze_threshold = 1000,
    autovacuum_vacuum_scale_factor = 0.05
  );
  `,
  // 4: a version per owner, a fresh random value on every change to its records,
  // set in the change's own transaction, so that intake may keep the records it
  // reads between requests (src/ingest/versioned-records.ts). Random, not counted:
  // a count can come round to a value again (a restored backup, a failover), and
  // the records kept under it would pass for current. Triggers rather than code,
  // so no write path can forget it; per statement, so a bulk import sets it once.
  `
  ALTER TABLE owners ADD COLUMN records_version text NOT NULL
    DEFAULT gen_random_uuid()::text;

  CREATE FUNCTION herald_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'TRUNCATE' THEN
      UPDATE owners SET records_version = gen_random_uuid()::text;
    ELSIF TG_OP = 'INSERT' THEN
      UPDATE owners SET records_version = gen_random_uuid()::text
       WHERE id IN (SELECT owner_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
      UPDATE owners SET records_version = gen_random_uuid()::text
       WHERE id IN (SELECT owner_id FROM old_rows);
    ELSE
      -- Both sides: a row moved to another owner changes the records of each.
      UPDATE owners SET records_version = gen_random_uuid()::text
       WHERE id IN (SELECT owner_id FROM old_rows UNION SELECT owner_id FROM new_rows);
    END IF;
    RETURN NULL;
  END $$;

  CREATE TRIGGER records_inserted AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION herald_records_changed();
  CREATE TRIGGER records_updated AFTER UPDATE ON records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION herald_records_changed();
  CREATE TRIGGER records_deleted AFTER DELETE ON records
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION herald_records_changed();
  CREATE TRIGGER records_truncated AFTER TRUNCATE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION herald_records_changed();
  `,
];
