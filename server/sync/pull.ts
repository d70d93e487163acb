import type { Kysely } from 'kysely';
import type { Change, PullRequest, PullResponse } from '../../shared/sync/protocol.js';
import type { Database } from '../db/schema.js';
import { toPatient } from '../modules/patients.js';
import { toRequest } from '../modules/requests.js';

/**
 * Returns the caller's changes after `since`, oldest first. Row data is read through the same
 * audience join as the index, so a row that lost visibility between the two reads is left out
 * here and arrives as a tombstone on the next pull.
 */
export async function pullChanges(
  db: Kysely<Database>,
  audience: string,
  req: PullRequest,
): Promise<PullResponse & { patientIds: string[] }> {
  const entries = await db
    .selectFrom('sync_index')
    .select(['entity', 'entity_id', 'change_no', 'deleted'])
    .where('audience', '=', audience)
    .where('change_no', '>', req.since)
    .orderBy('change_no')
    .limit(req.limit + 1)
    .execute();
  const hasMore = entries.length > req.limit;
  const page = hasMore ? entries.slice(0, req.limit) : entries;

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

  const changes: Change[] = [];
  const patientIds = new Set<string>();
  for (const e of page) {
    if (e.entity !== 'patient' && e.entity !== 'request') continue;
    const put = Number(e.deleted) === 0 ? (e.entity === 'patient' ? patients : requests).get(e.entity_id) : undefined;
    if (put) {
      changes.push(put);
      if (put.op === 'put') patientIds.add(put.entity === 'patient' ? put.id : put.data.patientId);
    } else if (Number(e.deleted) === 1) {
      changes.push({ op: 'del', entity: e.entity, id: e.entity_id });
    }
  }
  const last = page.at(-1);
  return { changes, cursor: last ? Number(last.change_no) : req.since, hasMore, patientIds: [...patientIds] };
}

function* chunks<T>(items: T[], size = 400): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
