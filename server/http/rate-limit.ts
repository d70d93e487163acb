/**
 * A fixed-window counter per key (client address, or user): enough to slow down password
 * guessing and SMS flooding from one place. It lives in the process (one central API instance;
 * a second instance would need a shared store — noted in the README's Security section).
 */
export interface RateRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  /** What is counted: the client's address, or the signed-in user (falls back to the address). */
  by: 'ip' | 'user';
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private sweeps = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request; the seconds to wait when over the limit, else 0. */
  hit(key: string, rule: RateRule): number {
    const t = this.now();
    const ms = rule.windowSeconds * 1000;
    const w = this.windows.get(key);
    if (!w || t - w.start >= ms) {
      this.windows.set(key, { start: t, count: 1 });
      this.sweep(t, ms);
      return 0;
    }
    w.count += 1;
    return w.count > rule.limit ? Math.max(1, Math.ceil((w.start + ms - t) / 1000)) : 0;
  }

  /** Drops expired windows now and then, so a stream of distinct addresses cannot grow the map. */
  private sweep(t: number, ms: number): void {
    if (++this.sweeps % 1000 !== 0) return;
    for (const [k, w] of this.windows) if (t - w.start >= ms) this.windows.delete(k);
  }
}
