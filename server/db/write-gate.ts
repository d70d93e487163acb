import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './connection.js';

/**
 * Bounds how many write transactions run at once on PostgreSQL. Every write that changes synced
 * rows takes the single `sync_counter` row lock and holds it until commit (that is what keeps
 * change numbers visible in commit order), and every audited write then takes the `audit_head`
 * lock: writers are serial at those rows anyway. Without a bound, a burst of writers each takes
 * a pooled connection only to sit in the lock queue, the pool runs dry, and pulls (which need no
 * lock at all) wait behind them for a connection. With a small bound the waiting happens here, in
 * memory, first come first served, and the rest of the pool stays free for reads. Two in flight
 * lets one writer do its work up to the lock while the other holds it.
 *
 * SQLite has one connection and Kysely already runs its transactions one at a time: no gate.
 */
export const PG_CONCURRENT_WRITERS = 2;

export class WriteGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Set while inside a gated run, so a nested write does not wait for a slot its caller holds. */
  private readonly inside = new AsyncLocalStorage<true>();

  constructor(readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inside.getStore()) return fn();
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await this.inside.run(true, fn);
    } finally {
      // Hand the slot straight to the next waiter (active stays the same), so no newcomer can
      // overtake the queue between release and wake-up.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  /** Writers holding a slot now (for tests and diagnostics). */
  get running(): number {
    return this.active;
  }
}

const gates = new WeakMap<Db, WriteGate | null>();

/** The gate shared by every write on this database handle; null where none is needed (SQLite). */
export function writeGateFor(db: Db): WriteGate | null {
  let g = gates.get(db);
  if (g === undefined) {
    g = db.kind === 'postgres' ? new WriteGate(PG_CONCURRENT_WRITERS) : null;
    gates.set(db, g);
  }
  return g;
}
