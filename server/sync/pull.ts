import type { Kysely } from 'kysely';
import { SyncEntity, type Change, type PullRequest, type PullResponse } from '../../shared/sync/protocol.js';
import type { Database } from '../db/schema.js';
import { toPatient } from '../modules/patients.js';
import { toRequest } from '../modules/requests.js';
import { toBatch } from '../modules/referral-batches.js';
import { toDocument } from '../modules/documents.js';
import { loadConclusions } from '../modules/conclusions.js';
import { loadConsultations } from '../modules/consultations.js';
import { loadSyncMessages } from '../modules/chat.js';

/**
 * Returns the caller's changes after `since`, oldest first. Row data is read through the same
 * audience join as the index, so a row that lost visibility between the two reads is left out
 * here and arrives as a tombstone on the next pull.
 */
export async function pullChanges(
  db: Kysely<Database>,
  audience: string,
  req: PullRequest,
): Promise<PullResponse & { patientIds: string[]; batchIds: string[] }> {
  const entries = await db
    .selectFrom('sync_index')
    .select(['entity', 'entity_id', 'change_no', 'deleted'])
    .where('audience', '=', audience)
    .where('change_no', '>', req.since)
    .orderBy('change_no')
    .limit(req.limit + 1)
    .execute();
  const full = entries.length > req.limit ? entries.slice(0, req.limit) : entries;
  const page = await cutAtBatchRows(db, full);
  const hasMore = entries.length > req.limit || page.length < full.length;

  const live = (entity: string) => page.filter((e) => e.entity === entity && Number(e.deleted) === 0).map((e) => e.entity_id);
  const patients = new Map<string, Change>();
  const requests = new Map<string, Change>();
  for (const ids of chunks(live('patient'))) {
    const rows = await db
      .selectFrom('patients as p')
      .innerJoin('sync_index as s', (j) =>
        j.onRef('s.entity_id', '=', 'p.id').on('s.entity', '=', 'patient').on('s.audience', '=', audience).on('s.deleted', '=', 0),
      )
      .selectAll('p')
      .where('p.id', 'in', ids)
      .execute();
    for (const r of rows) patients.set(r.id, { op: 'put', entity: 'patient', id: r.id, data: toPatient(r) });
  }
  for (const ids of chunks(live('request'))) {
    const rows = await db
      .selectFrom('consultation_requests as r')
      .innerJoin('sync_index as s', (j) =>
        j.onRef('s.entity_id', '=', 'r.id').on('s.entity', '=', 'request').on('s.audience', '=', audience).on('s.deleted', '=', 0),
      )
      .selectAll('r')
      .where('r.id', 'in', ids)
      .execute();
    for (const r of rows) requests.set(r.id, { op: 'put', entity: 'request', id: r.id, data: toRequest(r) });
  }

  const batches = new Map<string, Change>();
  // Batches are large (up to thousands of rows each): fetch them in small chunks.
  for (const ids of chunks(live('batch'), 20)) {
    const rows = await db
      .selectFrom('referral_batches as b')
      .innerJoin('sync_index as s', (j) =>
        j.onRef('s.entity_id', '=', 'b.id').on('s.entity', '=', 'batch').on('s.audience', '=', audience).on('s.deleted', '=', 0),
      )
      .innerJoin('users as u', 'u.id', 'b.physician_id')
      .selectAll('b')
      .select('u.full_name as physician_name')
      .where('b.id', 'in', ids)
      .execute();
    for (const r of rows) batches.set(r.id, { op: 'put', entity: 'batch', id: r.id, data: toBatch(r, r.physician_name) });
  }

  const documents = new Map<string, Change>();
  for (const ids of chunks(live('document'))) {
    const rows = await db
      .selectFrom('documents as d')
      .innerJoin('sync_index as s', (j) =>
        j.onRef('s.entity_id', '=', 'd.id').on('s.entity', '=', 'document').on('s.audience', '=', audience).on('s.deleted', '=', 0),
      )
      .leftJoin('users as u', 'u.id', 'd.uploaded_by')
      .selectAll('d')
      .select('u.full_name as uploader_name')
      .where('d.id', 'in', ids)
      .execute();
    for (const r of rows) documents.set(r.id, { op: 'put', entity: 'document', id: r.id, data: toDocument(r, r.uploader_name) });
  }

  // Consultations and conclusions: the audience was checked by the index page above.
  const consultations = new Map<string, Change>();
  for (const ids of chunks(live('consultation'))) {
    for (const c of await loadConsultations(db, ids)) consultations.set(c.id, { op: 'put', entity: 'consultation', id: c.id, data: c });
  }
  const conclusions = new Map<string, Change>();
  for (const ids of chunks(live('conclusion'))) {
    for (const c of await loadConclusions(db, ids)) conclusions.set(c.id, { op: 'put', entity: 'conclusion', id: c.id, data: c });
  }

  const messages = new Map<string, Change>();
  for (const ids of chunks(live('message'))) {
    for (const m of await loadSyncMessages(db, ids)) messages.set(m.id, { op: 'put', entity: 'message', id: m.id, data: m });
  }

  const byEntity: Record<string, Map<string, Change>> = { patient: patients, request: requests, batch: batches, document: documents, consultation: consultations, conclusion: conclusions, message: messages };
  const changes: Change[] = [];
  const patientIds = new Set<string>();
  const batchIds: string[] = [];
  for (const e of page) {
    const entity = SyncEntity.safeParse(e.entity);
    if (!entity.success) continue;
    const put = Number(e.deleted) === 0 ? byEntity[entity.data]?.get(e.entity_id) : undefined;
    if (put) {
      changes.push(put);
      if (put.op === 'put' && put.entity === 'patient') patientIds.add(put.id);
      if (put.op === 'put' && put.entity === 'request') patientIds.add(put.data.patientId);
      if (put.op === 'put' && put.entity === 'batch') batchIds.push(put.id);
      if (put.op === 'put' && put.entity === 'document') patientIds.add(put.data.patientId);
      if (put.op === 'put' && (put.entity === 'consultation' || put.entity === 'conclusion' || put.entity === 'message')) patientIds.add(put.data.patientId);
    } else if (Number(e.deleted) === 1) {
      changes.push({ op: 'del', entity: entity.data, id: e.entity_id });
    }
  }
  const last = page.at(-1);
  return { changes, cursor: last ? Number(last.change_no) : req.since, hasMore, patientIds: [...patientIds], batchIds };
}

/** Batch rows one pull page may carry: a few full batches, so a page stays a few MiB. */
export const PULL_MAX_BATCH_ROWS = 10_000;

/**
 * Ends the page before the batch that would take it over PULL_MAX_BATCH_ROWS (always keeping the
 * first one). The cursor is the last kept entry, so the rest comes on the next pull.
 */
async function cutAtBatchRows<E extends { entity: string; entity_id: string; deleted: number }>(db: Kysely<Database>, page: E[]): Promise<E[]> {
  const ids = page.filter((e) => e.entity === 'batch' && Number(e.deleted) === 0).map((e) => e.entity_id);
  if (ids.length <= 1) return page;
  const counts = new Map<string, number>();
  for (const chunk of chunks(ids)) {
    const rows = await db.selectFrom('referral_batches').select(['id', 'row_count']).where('id', 'in', chunk).execute();
    for (const r of rows) counts.set(r.id, Number(r.row_count));
  }
  let rows = 0;
  let kept = 0;
  for (let i = 0; i < page.length; i++) {
    const e = page[i];
    if (!e || e.entity !== 'batch' || Number(e.deleted) !== 0) continue;
    rows += counts.get(e.entity_id) ?? 0;
    if (rows > PULL_MAX_BATCH_ROWS && kept > 0) return page.slice(0, i);
    kept += 1;
  }
  return page;
}

function* chunks<T>(items: T[], size = 400): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
