/**
 * Holds back calls to one target (a webhook endpoint): at most `concurrency` at
 * once, and at most `ratePerSecond` started per second when the endpoint sets a
 * rate limit. The rate is a token bucket with a small burst (see burstOf).
 *
 * The gate lives in one process. With several worker processes each holds its own,
 * so an endpoint's limit applies per worker.
 */
export interface GateLimits {
  concurrency: number;
  ratePerSecond: number | null;
}

interface TargetState {
  active: number;
  tokens: number;
  refilledAt: number;
}

export type GateAnswer = { kind: 'enter'; leave: () => void } | { kind: 'wait'; ms: number };

export class TargetGate {
  private readonly targets = new Map<string, TargetState>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Takes a slot for one call when there is one; otherwise says how long to wait.
   * A caller that gets `enter` must call `leave` once the call is over.
   */
  tryEnter(targetId: string, limits: GateLimits): GateAnswer {
    const state = this.stateOf(targetId, limits);
    if (state.active >= limits.concurrency) return { kind: 'wait', ms: 5 };
    if (limits.ratePerSecond !== null) {
      this.refill(state, limits.ratePerSecond);
      if (state.tokens < 1) {
        const ms = Math.ceil(((1 - state.tokens) / limits.ratePerSecond) * 1000);
        return { kind: 'wait', ms };
      }
      state.tokens -= 1;
    }
    state.active += 1;
    let left = false;
    return {
      kind: 'enter',
      leave: () => {
        if (left) return;
        left = true;
        state.active -= 1;
        if (state.active === 0 && limits.ratePerSecond === null) this.targets.delete(targetId);
      },
    };
  }

  /** Waits up to `maxWaitMs` for a slot; undefined when it would take longer. */
  async enter(
    targetId: string,
    limits: GateLimits,
    maxWaitMs: number,
  ): Promise<{ leave: () => void } | { retryInMs: number }> {
    const deadline = this.now() + maxWaitMs;
    for (;;) {
      const answer = this.tryEnter(targetId, limits);
      if (answer.kind === 'enter') return answer;
      if (this.now() + answer.ms > deadline) return { retryInMs: answer.ms };
      await new Promise((resolve) => setTimeout(resolve, answer.ms));
    }
  }

  private stateOf(targetId: string, limits: GateLimits): TargetState {
    let state = this.targets.get(targetId);
    if (!state) {
      state = { active: 0, tokens: burstOf(limits), refilledAt: this.now() };
      this.targets.set(targetId, state);
    }
    return state;
  }

  private refill(state: TargetState, rate: number): void {
    const now = this.now();
    state.tokens = Math.min(
      burstOf({ ratePerSecond: rate }),
      state.tokens + ((now - state.refilledAt) / 1000) * rate,
    );
    state.refilledAt = now;
  }
}

/**
 * The bucket holds a twentieth of a second's worth (at least one call), so even a
 * one-second window sees the rate held to within five per cent, leaving room for
 * jitter on the way to the receiver within the promised ten.
 */
function burstOf(limits: { ratePerSecond: number | null }): number {
  return limits.ratePerSecond === null ? 0 : Math.max(1, Math.floor(limits.ratePerSecond / 20));
}
