import { sleep } from './measure.ts';

/**
 * Calls `fire(n)` at a steady `ratePerSecond` for `durationMs`, open loop: the
 * schedule does not wait for earlier calls to finish, so a slow answer shows up as
 * latency instead of quietly lowering the rate. Resolves when every call settled.
 */
export async function atSteadyRate(
  ratePerSecond: number,
  durationMs: number,
  fire: (n: number) => Promise<void>,
): Promise<{ sent: number; elapsedMs: number }> {
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  const started = performance.now();
  const calls: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * ratePerSecond) / 1000));
    while (sent < due) calls.push(fire(sent++));
    // Timers fire about once a millisecond at best: each tick sends what fell due.
    await sleep(1);
  }
  await Promise.all(calls);
  return { sent, elapsedMs: performance.now() - started };
}
