import { REQUEST_STATUSES, type ConsultationRequest, type RequestSource, type RequestStatus } from '../../../shared/domain/requests.js';
import type { Patient, PatientStage } from '../../../shared/domain/patients.js';
import { CENTRES } from '../../../shared/reference/centres.js';
import type { PatientRow, QueueRow } from '../../../shared/rpc/contract.js';
import type { LocalStore } from './local-store.js';
import { searchPattern } from './search.js';

/** Read queries behind the home screens; all answered from the local store, so they work offline. */

const LATEST_REQUEST = `LEFT JOIN requests lr ON lr.id = (
  SELECT r.id FROM requests r WHERE r.patient_id = p.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1)`;

export interface PatientListOptions {
  limit: number;
  offset: number;
  q?: string | undefined;
  status?: RequestStatus | undefined;
}

export function listPatients(store: LocalStore, opts: PatientListOptions): { items: PatientRow[]; total: number } {
  const pattern = opts.q ? searchPattern(opts.q) : null;
  const where = `WHERE (@pattern IS NULL OR p.search LIKE @pattern ESCAPE '\\') AND (@status IS NULL OR lr.status = @status)`;
  const params = { pattern, status: opts.status ?? null };
  const total = (store.sql(`SELECT COUNT(*) AS n FROM patients p ${LATEST_REQUEST} ${where}`).get(params) as { n: number }).n;
  const rows = store
    .sql(
      `SELECT p.data AS pdata, lr.data AS rdata,
         (EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'patient' AND o.entity_id = p.id)
          OR EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'request' AND o.entity_id IN (SELECT r.id FROM requests r WHERE r.patient_id = p.id))) AS pending
       FROM patients p ${LATEST_REQUEST} ${where}
       ORDER BY p.last_name, p.first_name, p.middle_name, p.id
       LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit: opts.limit, offset: opts.offset }) as { pdata: string; rdata: string | null; pending: number }[];
  return {
    total,
    items: rows.map((r) => ({
      patient: JSON.parse(r.pdata) as Patient,
      latestRequest: r.rdata ? (JSON.parse(r.rdata) as ConsultationRequest) : null,
      pending: r.pending === 1,
    })),
  };
}

export function patientRow(store: LocalStore, patientId: string): PatientRow | null {
  const row = store
    .sql(
      `SELECT p.data AS pdata, lr.data AS rdata FROM patients p ${LATEST_REQUEST} WHERE p.id = ?`,
    )
    .get(patientId) as { pdata: string; rdata: string | null } | undefined;
  if (!row) return null;
  const latest = row.rdata ? (JSON.parse(row.rdata) as ConsultationRequest) : null;
  return {
    patient: JSON.parse(row.pdata) as Patient,
    latestRequest: latest,
    pending: store.isPending('patient', patientId) || (latest ? store.isPending('request', latest.id) : false),
  };
}

/** Patients by the status of their latest request; `none` counts patients without a request. */
export function statusCounts(store: LocalStore): Record<string, number> {
  const counts: Record<string, number> = { none: 0 };
  for (const s of REQUEST_STATUSES) counts[s] = 0;
  const rows = store.sql(`SELECT COALESCE(lr.status, 'none') AS status, COUNT(*) AS n FROM patients p ${LATEST_REQUEST} GROUP BY 1`).all() as {
    status: string;
    n: number;
  }[];
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

export interface QueueOptions {
  limit: number;
  offset: number;
  q?: string | undefined;
  status?: RequestStatus | undefined;
  profile?: string | undefined;
  source?: RequestSource | undefined;
  region?: string | undefined;
  stage?: PatientStage | undefined;
  documentsComplete?: boolean | undefined;
  overdue?: boolean | undefined;
  /** Only requests taken by this doctor (the signed-in user's id). */
  mineOf?: string | undefined;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The required documents of every (centre, profile), as an inline table: the reference data is
 * compiled in, so "documents complete" is one correlated NOT EXISTS instead of a per-row lookup
 * in JavaScript, and paging stays in SQL for thousands of requests.
 */
const REQUIRED_DOCS_SQL = (() => {
  const rows = CENTRES.flatMap((c) => c.profiles.flatMap((p) => p.documents.filter((d) => d.required).map((d) => `(${quote(c.code)}, ${quote(p.code)}, ${quote(d.type)})`)));
  return rows.length > 0 ? `VALUES ${rows.join(', ')}` : `SELECT NULL, NULL, NULL WHERE 0`;
})();

/** Open requests whose due date passed: the patient has not been told when yet (labels.ts isOverdue). */
const OVERDUE_SQL = `(r.status IN ('new', 'under_review') AND r.due_at < @now)`;

const DOCUMENTS_COMPLETE_SQL = `NOT EXISTS (
  SELECT 1 FROM required_docs rd
  WHERE rd.centre = r.centre AND rd.profile = json_extract(r.data, '$.profile')
    AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.patient_id = r.patient_id AND d.type = rd.type))`;

/** One SQL text for every combination of filters (a filter left NULL is off), so it is prepared once. */
const QUEUE_FROM = `FROM requests r LEFT JOIN patients p ON p.id = r.patient_id
  WHERE (@status IS NULL OR r.status = @status)
    AND (@pattern IS NULL OR p.search LIKE @pattern ESCAPE '\\')
    AND (@profile IS NULL OR json_extract(r.data, '$.profile') = @profile)
    AND (@source IS NULL OR json_extract(r.data, '$.source') = @source)
    AND (@region IS NULL OR json_extract(p.data, '$.region') = @region)
    AND (@stage IS NULL OR p.stage = @stage)
    AND (@mine IS NULL OR r.assigned_doctor_id = @mine)
    AND (@overdue IS NULL OR ${OVERDUE_SQL} = @overdue)
    AND (@complete IS NULL OR (${DOCUMENTS_COMPLETE_SQL}) = @complete)`;
const QUEUE_WITH = `WITH required_docs(centre, profile, type) AS (${REQUIRED_DOCS_SQL})`;

export function requestQueue(store: LocalStore, opts: QueueOptions, now = new Date()): { items: QueueRow[]; total: number } {
  const bool = (b: boolean | undefined) => (b === undefined ? null : b ? 1 : 0);
  const params = {
    pattern: opts.q ? searchPattern(opts.q) : null,
    status: opts.status ?? null,
    profile: opts.profile ?? null,
    source: opts.source ?? null,
    region: opts.region ?? null,
    stage: opts.stage ?? null,
    mine: opts.mineOf ?? null,
    overdue: bool(opts.overdue),
    complete: bool(opts.documentsComplete),
    now: now.toISOString(),
  };
  const total = (store.sql(`${QUEUE_WITH} SELECT COUNT(*) AS n ${QUEUE_FROM}`).get(params) as { n: number }).n;
  const rows = store
    .sql(
      `${QUEUE_WITH} SELECT r.data AS rdata, p.data AS pdata,
         EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'request' AND o.entity_id = r.id) AS pending
       ${QUEUE_FROM} ORDER BY r.due_at, r.id LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit: opts.limit, offset: opts.offset }) as { rdata: string; pdata: string | null; pending: number }[];
  return {
    total,
    items: rows.map((r) => ({
      request: JSON.parse(r.rdata) as ConsultationRequest,
      patient: r.pdata ? (JSON.parse(r.pdata) as Patient) : null,
      pending: r.pending === 1,
    })),
  };
}

export function queueRow(store: LocalStore, requestId: string): QueueRow | null {
  const request = store.getRequest(requestId);
  if (!request) return null;
  return { request, patient: store.getPatient(request.patientId), pending: store.isPending('request', requestId) };
}
