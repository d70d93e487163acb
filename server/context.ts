import type { Kysely } from 'kysely';
import type { DatabaseKind, ServerConfig } from './config.js';
import type { Db } from './db/connection.js';
import type { Database } from './db/schema.js';
import type { SmsRuntime } from './sms/index.js';
import type { CallService } from './calls/service.js';
import type { SyncEntity } from '../shared/sync/protocol.js';
import { createLogger } from './logger.js';
import { recordChanges } from './sync/change-log.js';
import { writeGateFor } from './db/write-gate.js';

const log = createLogger('context');

/** Pokes connected clients whose view changed (implemented by the WebSocket hub). */
export interface Poker {
  poke(audiences: Iterable<string>): void;
}

export interface AppContext {
  config: ServerConfig;
  db: Db;
  pokes: Poker;
  /** The SMS gateway and, with a provider configured, its dispatcher. Absent: the outbox. */
  sms?: SmsRuntime;
  /** Video-call rooms and tickets (server/calls); absent in tools that serve no calls (CLI). */
  calls?: CallService;
}

/** What a write needs inside its transaction: the transaction, and a way to mark rows changed. */
export interface WriteScope {
  tx: Kysely<Database>;
  /** The engine, for the few statements that differ (row locks on PostgreSQL). */
  kind: DatabaseKind;
  changed(entity: SyncEntity, ids: readonly string[]): Promise<void>;
  /** The service around the transaction (configuration, blob store location, SMS gateway). */
  ctx: AppContext;
  /**
   * Runs `fn` once the transaction has committed (never if it rolls back): hand-offs that must
   * not happen for a write that did not (an SMS gateway's afterCommit, a log line).
   */
  afterCommit(fn: () => Promise<void> | void): void;
}

/**
 * Runs a write in one transaction, keeps the sync index in step with it, and pokes the affected
 * clients only after the commit (a poke before commit could make them pull too early). On
 * PostgreSQL it waits for a slot of the write gate first (see `db/write-gate.ts`), and gives the
 * slot back at commit, before the after-commit steps.
 */
export async function writeTransaction<T>(ctx: AppContext, fn: (w: WriteScope) => Promise<T>): Promise<T> {
  const audiences = new Set<string>();
  const after: (() => Promise<void> | void)[] = [];
  const run = () =>
    ctx.db.kysely.transaction().execute((tx) =>
      fn({
        tx,
        kind: ctx.db.kind,
        ctx,
        changed: async (entity, ids) => {
          for (const a of await recordChanges(tx, entity, ids)) audiences.add(a);
        },
        afterCommit: (f) => void after.push(f),
      }),
    );
  const gate = writeGateFor(ctx.db);
  const result = gate ? await gate.run(run) : await run();
  if (audiences.size > 0) ctx.pokes.poke(audiences);
  for (const f of after) {
    try {
      await f();
    } catch (err) {
      // The write is committed; a failed follow-up must not turn it into an error for the caller.
      log.warn({ err }, 'after-commit step failed');
    }
  }
  return result;
}
