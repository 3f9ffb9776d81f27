/**
 * Where the triggers read the time. Everything that decides whether something is
 * due takes a Clock, so tests move time by setting it rather than by sleeping.
 */
export interface Clock {
  /** Epoch milliseconds, UTC. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
