/**
 * When to try a delivery again. The schedule lists the delay before each retry;
 * attempt n (1-based) that failed waits schedule[n - 1], give or take the jitter,
 * and after the last entry the delivery is dead-lettered.
 */
export interface RetryPolicy {
  schedule: readonly number[];
  /** Share of each delay added or removed at random, so retries do not stampede. */
  jitter: number;
  /** The longest wait a receiver's Retry-After can ask of us. */
  maxRetryAfterMs?: number;
}

const DAY = 24 * 3600_000;

/** Milliseconds to wait after failed attempt `attempt`, or undefined when none is left. */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number | undefined {
  const base = policy.schedule[attempt - 1];
  if (base === undefined) return undefined;
  const spread = base * policy.jitter;
  const jittered = Math.round(base - spread + 2 * spread * random());
  if (retryAfterSeconds === undefined) return jittered;
  // Honour the receiver's own request, but never wait less than our schedule says.
  const asked = Math.min(retryAfterSeconds * 1000, policy.maxRetryAfterMs ?? DAY);
  return Math.max(jittered, asked);
}
