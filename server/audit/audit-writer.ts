import type { Db } from '../db/connection.js';
import { createLogger } from '../logger.js';
import { appendAudit, type AuditInput } from './audit-log.js';

const log = createLogger('audit.writer');

/**
 * Group commit for the audit events of reads (a pull, a list): a read has nothing of its own to
 * commit, so its event need not share a transaction with it. Events that arrive while a batch is
 * being written wait and go together in the next one: one chain-head lock and one commit (one
 * fsync) for many requests, instead of each request queueing for the `audit_head` row lock
 * behind every writer. `append` resolves only once the caller's event is committed, so a route
 * still answers after its access is on record. Writes keep appending inside their own
 * transaction (`appendAudit`): their event must commit or roll back with the change.
 */
const MAX_EVENTS_PER_BATCH = 500;

interface Pending {
  events: readonly AuditInput[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class AuditWriter {
  private queue: Pending[] = [];
  private draining = false;

  constructor(private readonly db: Db) {}

  /** Resolves when `events` are committed to the chain; rejects if they could not be. */
  append(events: readonly AuditInput[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.write(batch.flatMap((p) => p.events));
          for (const p of batch) p.resolve();
        } catch (err) {
          if (batch.length === 1) {
            batch[0]?.reject(err);
            continue;
          }
          // One bad event must not fail every request that happened to share its batch.
          log.warn({ err, requests: batch.length }, 'audit batch failed; appending its requests one by one');
          for (const p of batch) {
            try {
              await this.write(p.events);
              p.resolve();
            } catch (e) {
              p.reject(e);
            }
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Whole requests only (a request's events stay together), up to about MAX_EVENTS_PER_BATCH. */
  private takeBatch(): Pending[] {
    let events = 0;
    let n = 0;
    while (n < this.queue.length) {
      const size = this.queue[n]?.events.length ?? 0;
      if (n > 0 && events + size > MAX_EVENTS_PER_BATCH) break;
      events += size;
      n += 1;
    }
    return this.queue.splice(0, n);
  }

  private write(events: readonly AuditInput[]): Promise<void> {
    return this.db.kysely.transaction().execute((tx) => appendAudit(tx, events));
  }
}

const writers = new WeakMap<Db, AuditWriter>();

/** The one writer per database handle, so every read of the server shares its batches. */
export function auditWriterFor(db: Db): AuditWriter {
  let w = writers.get(db);
  if (!w) {
    w = new AuditWriter(db);
    writers.set(db, w);
  }
  return w;
}
