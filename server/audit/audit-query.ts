import type { Kysely } from 'kysely';
import type { AuditEvent } from '../../shared/api/contract.js';
import type { Database } from '../db/schema.js';

export interface AuditFilter {
  limit: number;
  offset: number;
  patientId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Newest first, filtered by patient, user, action and period. */
export async function listAuditEvents(db: Kysely<Database>, f: AuditFilter): Promise<{ items: AuditEvent[]; total: number }> {
  const base = db
    .selectFrom('audit_events')
    .$if(!!f.patientId, (q) => q.where('patient_id', '=', f.patientId ?? ''))
    .$if(!!f.actorId, (q) => q.where('actor_id', '=', f.actorId ?? ''))
    .$if(!!f.action, (q) => q.where('action', '=', f.action ?? ''))
    .$if(!!f.from, (q) => q.where('at', '>=', f.from ?? ''))
    .$if(!!f.to, (q) => q.where('at', '<', f.to ?? ''));
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('seq', 'desc').limit(f.limit).offset(f.offset).execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actorId: r.actor_id,
      actorRole: r.actor_role,
      action: r.action,
      patientId: r.patient_id,
      entity: r.entity,
      entityId: r.entity_id,
      result: r.result === 'ok' || r.result === 'denied' ? r.result : 'error',
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      hash: r.hash,
    })),
  };
}
