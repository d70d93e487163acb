import { REQUEST_STATUSES, type ConsultationRequest, type RequestStatus } from '../../../shared/domain/requests.js';
import type { Patient } from '../../../shared/domain/patients.js';
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
}

export function requestQueue(store: LocalStore, opts: QueueOptions): { items: QueueRow[]; total: number } {
  const pattern = opts.q ? searchPattern(opts.q) : null;
  const from = `FROM requests r LEFT JOIN patients p ON p.id = r.patient_id
    WHERE (@status IS NULL OR r.status = @status) AND (@pattern IS NULL OR p.search LIKE @pattern ESCAPE '\\')`;
  const params = { pattern, status: opts.status ?? null };
  const total = (store.sql(`SELECT COUNT(*) AS n ${from}`).get(params) as { n: number }).n;
  const rows = store
    .sql(
      `SELECT r.data AS rdata, p.data AS pdata,
         EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'request' AND o.entity_id = r.id) AS pending
       ${from} ORDER BY r.due_at, r.id LIMIT @limit OFFSET @offset`,
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
