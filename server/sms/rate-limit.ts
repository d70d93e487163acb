/** The passage of time, injectable so tests run on a fake clock without real waits. */
export interface Timing {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (on a fake clock: once the test has advanced it), or early on `signal`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realTiming: Timing = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // Cleared on abort, so a stopped dispatcher leaves no timer holding the process open.
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `capacity` saved up. The default
 * capacity of one token spaces sends evenly (1/rate apart), so no one-second window ever holds more
 * than `rate` requests — a bigger bucket would allow a burst of `capacity` right after a quiet
 * spell and then `rate` more within the same second, which is what providers' "N per second"
 * limits refuse.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  // Callers queue in order: each waits for the one before it, so concurrent callers cannot both
  // see the same token.
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly timing: Timing = realTiming,
    capacity = 1,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`rate must be positive, got ${ratePerSecond}`);
    this.capacity = Math.max(1, capacity);
    this.tokens = this.capacity;
    this.last = timing.now();
  }

  /** Waits until a token is available and takes it. */
  acquire(): Promise<void> {
    const turn = this.chain.then(() => this.take());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.timing.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
    }
  }

  private refill(): void {
    const now = this.timing.now();
    // A clock that steps back (NTP) must not mint tokens or go negative.
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }
}
