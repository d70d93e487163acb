import type { Kysely } from 'kysely';
import type { SyncEntity } from '../../shared/sync/protocol.js';
import type { Database } from '../db/schema.js';

/**
 * Keeps the sync index true after a write: for each touched row it computes who may see the row
 * now (its audiences), stamps a fresh change number on each of those entries, and turns entries
 * for audiences that lost sight of it into tombstones. Call it in the same transaction as the
 * write. Returns the audiences whose view changed, to poke them after commit.
 */
const CHUNK = 400;

export const MANAGER_AUDIENCE = 'manager';

export async function recordChanges(
  tx: Kysely<Database>,
  entity: SyncEntity,
  ids: readonly string[],
): Promise<Set<string>> {
  const touched = await stamp(tx, entity, ids, false);
  if (entity === 'patient') {
    // A patient's documents are seen by whoever sees the patient: when that changes (a request at
    // another centre, a transfer), their documents follow. Only the difference is stamped, so a
    // patient's edit does not re-send every document's metadata.
    const docIds: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await tx.selectFrom('documents').select('id').where('patient_id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const r of rows) docIds.push(r.id);
    }
    if (docIds.length > 0) for (const a of await stamp(tx, 'document', docIds, true)) touched.add(a);
  }
  if (entity === 'request') {
    // A request's chat follows the request (a transfer to another centre): only the difference.
    const messageIds: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await tx.selectFrom('messages').select('id').where('request_id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const r of rows) messageIds.push(r.id);
    }
    if (messageIds.length > 0) for (const a of await stamp(tx, 'message', messageIds, true)) touched.add(a);
  }
  return touched;
}

/** `onlyDiff`: stamp only entries that appear or disappear, not the ones still visible. */
async function stamp(tx: Kysely<Database>, entity: SyncEntity, ids: readonly string[], onlyDiff: boolean): Promise<Set<string>> {
  const touched = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = [...new Set(ids.slice(i, i + CHUNK))];
    const current = await AUDIENCES[entity](tx, chunk);
    const existing = await tx
      .selectFrom('sync_index')
      .select(['audience', 'entity_id', 'deleted'])
      .where('entity', '=', entity)
      .where('entity_id', 'in', chunk)
      .execute();

    const entries: { audience: string; entity_id: string; deleted: number }[] = [];
    const live = new Set(existing.filter((e) => Number(e.deleted) === 0).map((e) => `${e.audience}\n${e.entity_id}`));
    for (const id of chunk) {
      for (const audience of current.get(id) ?? []) {
        if (onlyDiff && live.has(`${audience}\n${id}`)) continue;
        entries.push({ audience, entity_id: id, deleted: 0 });
      }
    }
    for (const row of existing) {
      const stillVisible = current.get(row.entity_id)?.has(row.audience) ?? false;
      // Tombstone once; an old tombstone needs no new change number.
      if (!stillVisible && Number(row.deleted) === 0) entries.push({ audience: row.audience, entity_id: row.entity_id, deleted: 1 });
    }
    if (entries.length === 0) continue;

    let next = (await allocateChangeNumbers(tx, entries.length)) - entries.length;
    const values = entries.map((e) => ({ ...e, entity, change_no: ++next }));
    for (let j = 0; j < values.length; j += CHUNK) {
      await tx
        .insertInto('sync_index')
        .values(values.slice(j, j + CHUNK))
        .onConflict((oc) =>
          oc.columns(['audience', 'entity', 'entity_id']).doUpdateSet((eb) => ({
            change_no: eb.ref('excluded.change_no'),
            deleted: eb.ref('excluded.deleted'),
          })),
        )
        .execute();
    }
    for (const e of entries) touched.add(e.audience);
  }
  return touched;
}

/**
 * Reserves `count` consecutive change numbers and returns the last. The UPDATE locks the counter
 * row until commit, so numbers become visible to readers in increasing order: a pull never passes
 * a number whose transaction commits later.
 */
export async function allocateChangeNumbers(tx: Kysely<Database>, count: number): Promise<number> {
  const row = await tx
    .updateTable('sync_counter')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('id', '=', 1)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

async function patientAudiences(tx: Kysely<Database>, ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const patients = await tx.selectFrom('patients').select(['id', 'referred_by']).where('id', 'in', ids).execute();
  for (const p of patients) {
    const set = new Set<string>([MANAGER_AUDIENCE, `patient:${p.id}`]);
    if (p.referred_by) set.add(`physician:${p.referred_by}`);
    out.set(p.id, set);
  }
  const requests = await tx
    .selectFrom('consultation_requests')
    .select(['patient_id', 'centre', 'referred_by'])
    .where('patient_id', 'in', ids)
    .execute();
  for (const r of requests) {
    const set = out.get(r.patient_id);
    if (!set) continue;
    // A centre's doctors see the patients who have a request in their centre's queue, and a
    // physician sees the patients they referred, even if someone else created the record.
    set.add(`centre:${r.centre}`);
    if (r.referred_by) set.add(`physician:${r.referred_by}`);
  }
  return out;
}

async function requestAudiences(tx: Kysely<Database>, ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const requests = await tx
    .selectFrom('consultation_requests')
    .select(['id', 'patient_id', 'centre', 'referred_by'])
    .where('id', 'in', ids)
    .execute();
  for (const r of requests) {
    const set = new Set<string>([MANAGER_AUDIENCE, `patient:${r.patient_id}`, `centre:${r.centre}`]);
    if (r.referred_by) set.add(`physician:${r.referred_by}`);
    out.set(r.id, set);
  }
  return out;
}

/** A referral batch: the physician who sent it and the manager; never doctors or patients. */
async function batchAudiences(tx: Kysely<Database>, ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const batches = await tx.selectFrom('referral_batches').select(['id', 'physician_id']).where('id', 'in', ids).execute();
  for (const b of batches) out.set(b.id, new Set([MANAGER_AUDIENCE, `physician:${b.physician_id}`]));
  return out;
}

/** A document: exactly the audiences of its patient (the same rule as patients); a deleted one, none. */
async function documentAudiences(tx: Kysely<Database>, ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const docs = await tx.selectFrom('documents').select(['id', 'patient_id']).where('id', 'in', ids).where('deleted_at', 'is', null).execute();
  if (docs.length === 0) return out;
  const patients = await patientAudiences(tx, [...new Set(docs.map((d) => d.patient_id))]);
  for (const d of docs) out.set(d.id, new Set(patients.get(d.patient_id) ?? []));
  return out;
}

/** Rows that belong to a request (consultations, conclusions): exactly the request's audiences. */
function viaRequest(tableName: 'consultations' | 'conclusions') {
  return async (tx: Kysely<Database>, ids: string[]): Promise<Map<string, Set<string>>> => {
    const out = new Map<string, Set<string>>();
    const rows = await tx.selectFrom(tableName).select(['id', 'request_id']).where('id', 'in', ids).execute();
    if (rows.length === 0) return out;
    const requests = await requestAudiences(tx, [...new Set(rows.map((r) => r.request_id))]);
    for (const r of rows) out.set(r.id, new Set(requests.get(r.request_id) ?? []));
    return out;
  };
}

/**
 * A chat message: the request's patient and the request's centre only. Neither the manager nor
 * the referring physician: the chat is the conversation between the patient and the doctors.
 */
async function messageAudiences(tx: Kysely<Database>, ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const rows = await tx
    .selectFrom('messages as m')
    .innerJoin('consultation_requests as r', 'r.id', 'm.request_id')
    .select(['m.id', 'r.patient_id', 'r.centre'])
    .where('m.id', 'in', ids)
    .execute();
  for (const r of rows) out.set(r.id, new Set([`patient:${r.patient_id}`, `centre:${r.centre}`]));
  return out;
}

const AUDIENCES: Record<SyncEntity, (tx: Kysely<Database>, ids: string[]) => Promise<Map<string, Set<string>>>> = {
  patient: patientAudiences,
  request: requestAudiences,
  batch: batchAudiences,
  document: documentAudiences,
  consultation: viaRequest('consultations'),
  conclusion: viaRequest('conclusions'),
  message: messageAudiences,
};

/** Is the row visible to this audience right now? The one visibility rule for REST and sync. */
export async function isVisible(
  db: Kysely<Database>,
  audience: string | null,
  entity: SyncEntity,
  id: string,
): Promise<boolean> {
  if (!audience) return false;
  const row = await db
    .selectFrom('sync_index')
    .select('deleted')
    .where('audience', '=', audience)
    .where('entity', '=', entity)
    .where('entity_id', '=', id)
    .executeTakeFirst();
  return row !== undefined && Number(row.deleted) === 0;
}
