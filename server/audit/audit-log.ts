import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';

/**
 * Append-only, hash-chained audit log (152-ФЗ, order 947н: every access to patient data is
 * recorded with who, what, which patient, when and the result). Each event's hash covers the
 * previous hash and the event's own fields, so editing or deleting any event breaks the chain
 * from there on; `verifyAuditChain` finds the first broken link.
 */
export type AuditResult = 'ok' | 'denied' | 'error';

export interface AuditInput {
  actor: Pick<Actor, 'userId' | 'role'> | null;
  action: string;
  patientId?: string | null;
  entity?: string | null;
  entityId?: string | null;
  result: AuditResult;
  details?: Record<string, unknown> | null;
}

interface ChainedFields {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  patient_id: string | null;
  entity: string | null;
  entity_id: string | null;
  result: string;
  details: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

export function eventHash(prevHash: string, e: ChainedFields): string {
  // A fixed-order array, so the hash does not depend on object key order.
  const canonical = JSON.stringify([
    e.seq, e.at, e.actor_id, e.actor_role, e.action, e.patient_id, e.entity, e.entity_id, e.result, e.details,
  ]);
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/**
 * Appends events inside the caller's transaction, so an audited write and its audit event commit
 * or roll back together. Call it last in the transaction: it locks the chain head until commit.
 */
export async function appendAudit(tx: Kysely<Database>, events: readonly AuditInput[]): Promise<void> {
  if (events.length === 0) return;
  const head = await tx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', events.length) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  let seq = Number(head.seq) - events.length;
  let prev = head.hash;
  const at = new Date().toISOString();
  const rows = events.map((e) => {
    seq += 1;
    const fields: ChainedFields = {
      seq,
      at,
      actor_id: e.actor?.userId ?? null,
      actor_role: e.actor?.role ?? null,
      action: e.action,
      patient_id: e.patientId ?? null,
      entity: e.entity ?? null,
      entity_id: e.entityId ?? null,
      result: e.result,
      details: e.details ? JSON.stringify(e.details) : null,
    };
    const hash = eventHash(prev, fields);
    const row = { ...fields, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
  // Chunked: SQLite limits bound parameters per statement.
  for (let i = 0; i < rows.length; i += 500) {
    await tx.insertInto('audit_events').values(rows.slice(i, i + 500)).execute();
  }
  await tx.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  reason: string | null;
}

export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const pageSize = 2000;
  for (;;) {
    const page = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return bad(checked, expectedSeq, `событие №${expectedSeq} отсутствует`);
      if (row.prev_hash !== prev) return bad(checked, seq, `событие №${seq} ссылается не на предыдущее событие`);
      if (eventHash(prev, { ...row, seq }) !== row.hash) return bad(checked, seq, `содержимое события №${seq} изменено`);
      prev = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (page.length < pageSize) break;
  }
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  if (Number(head.seq) !== checked || head.hash !== prev) {
    return bad(checked, checked + 1, 'последние события журнала удалены или заголовок цепочки изменён');
  }
  return { ok: true, checked, firstBadSeq: null, reason: null };
}

function bad(checked: number, seq: number, reason: string): AuditVerification {
  return { ok: false, checked, firstBadSeq: seq, reason };
}
