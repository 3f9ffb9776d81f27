import type Database from 'better-sqlite3';

/** How long a writer waits for another connection's write lock before it gives up. */
export const BUSY_TIMEOUT_MS = 5000;
// How long it sleeps between two tries for the lock.
const RETRY_MS = 0.05;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function statement(db: Database.Database, text: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(text);
  if (!prepared) cache.set(text, (prepared = db.prepare(text)));
  return prepared;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Takes the write lock, however long another connection (the delivery thread,
 * another process) holds it, up to BUSY_TIMEOUT_MS. SQLite's own busy handler
 * sleeps a whole millisecond at its first retry and longer after; the write
 * transactions here last a fraction of that, and both of a process's threads
 * commit hundreds of times a second, so it retries every 50 µs instead.
 */
function beginImmediate(db: Database.Database): void {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    const busy = tryBegin(db);
    if (busy === undefined) return;
    if (performance.now() > deadline) throw busy;
    Atomics.wait(sleeper, 0, 0, RETRY_MS);
  }
}

/** BEGIN IMMEDIATE, once: undefined when it got the write lock, else SQLite's busy error. */
function tryBegin(db: Database.Database): unknown {
  statement(db, 'PRAGMA busy_timeout = 0').run();
  try {
    statement(db, 'BEGIN IMMEDIATE').run();
    return undefined;
  } catch (error) {
    if (isBusy(error)) return error;
    throw error;
  } finally {
    statement(db, `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`).run();
  }
}

function runAndCommit<T>(db: Database.Database, work: () => T): T {
  try {
    const result = work();
    statement(db, 'COMMIT').run();
    return result;
  } catch (error) {
    if (db.inTransaction) statement(db, 'ROLLBACK').run();
    throw error;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const aMillisecond = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/**
 * Runs `work` in a write transaction once the write lock is free, without blocking
 * the event loop while another connection holds it: the loop goes on with its
 * other work (the answers of webhooks in flight, other requests) and tries again,
 * at the next turn a few times, then every millisecond, for up to BUSY_TIMEOUT_MS.
 * `around` runs just before BEGIN and just after the end, in the same turn.
 */
export async function writeWhenFree<T>(
  db: Database.Database,
  work: () => T,
  around?: { before(): void; after(): void },
): Promise<T> {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  for (let tries = 0; ; tries++) {
    around?.before();
    try {
      // Begun, run and committed in one turn: nothing else of this connection's
      // may run inside the transaction.
      if (db.inTransaction) return (db.transaction(work) as () => T)();
      const busy = tryBegin(db);
      if (busy === undefined) return runAndCommit(db, work);
      if (performance.now() > deadline) throw busy;
    } finally {
      around?.after();
    }
    await (tries < 4 ? nextTurn() : aMillisecond());
  }
}

/**
 * A transaction that takes the write lock at BEGIN (IMMEDIATE). A deferred one
 * that reads first fails at once with SQLITE_BUSY_SNAPSHOT, busy timeout or not,
 * when another connection commits in between. Nested in another transaction, it
 * runs as a savepoint of that one.
 */
export function writeTransaction<F extends (...args: any[]) => any>(
  db: Database.Database,
  work: F,
): F {
  return ((...args: Parameters<F>): ReturnType<F> => {
    if (db.inTransaction) return (db.transaction(work) as unknown as F)(...args);
    beginImmediate(db);
    return runAndCommit(db, () => work(...args));
  }) as F;
}
