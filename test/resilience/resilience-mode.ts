/**
 * How hard the resilience suite pushes, in one place so that CI and a long run
 * differ only here.
 *
 * CI (the default) is bounded to a few minutes for the whole suite: 10 crash seeds
 * of 500 events with 3 kills each, about 50 generated inputs per route, and short
 * fault phases. The long mode is for a release or a change to intake, the queue
 * or the store; it takes tens of minutes:
 *
 *   HERALD_RESILIENCE=long node --import tsx --test test/resilience/*.test.ts
 *
 * runs 20 crash seeds of 5000 events with 5 kills each and about ten times the
 * generated inputs. HERALD_RESILIENCE_SEED=<n> runs the crash test with that one
 * seed, and fast-check with that seed, to replay a failure reported with its seed.
 */
export const LONG = process.env.HERALD_RESILIENCE === 'long';

const ONE_SEED = process.env.HERALD_RESILIENCE_SEED;

export const MODE = {
  name: LONG ? 'long' : 'ci',
  crash: {
    seeds: ONE_SEED
      ? [Number(ONE_SEED)]
      : Array.from({ length: LONG ? 20 : 10 }, (_, i) => 1000 + i),
    eventsPerSeed: LONG ? 5000 : 500,
    killsPerSeed: LONG ? 5 : 3,
    /** Seeds run side by side: each is its own Herald, receiver and sink. */
    parallelSeeds: 2,
  },
  /** Generated requests per route (fast-check numRuns). */
  runsPerRoute: LONG ? 500 : 50,
  /** Generated values per email-reaching field in the header-injection test. */
  runsPerField: LONG ? 100 : 12,
  fastCheckSeed: ONE_SEED ? Number(ONE_SEED) : undefined,
};

/**
 * The resilience tests spawn their own Herald on SQLite (a data folder, a tmpfs,
 * the file read back); the PostgreSQL pass of `npm test` skips them rather than
 * run the same processes a second time.
 */
export const SQLITE_ONLY = process.env.HERALD_TEST_DATABASE_URL
  ? 'the resilience suite runs its Herald processes in the SQLite pass'
  : false;
