import type { Conclusion } from '../../../shared/domain/conclusions.js';
import type { Consultation } from '../../../shared/domain/consultations.js';
import type { PatientDocument } from '../../../shared/domain/documents.js';
import type { ConsultationRequest } from '../../../shared/domain/requests.js';
import { DOCUMENT_TYPES, profileChecklist } from '../../../shared/reference/centres.js';
import type { CachedDocument, DocumentCacheState, PatientCard } from '../../../shared/rpc/contract.js';
import type { LocalStore } from './local-store.js';

/** The centre doctor's patient card, read from the local store (so it opens offline). */

type Checklist = PatientCard['checklists'][number];

/** A request's checklist (its centre and profile) against the types of the patient's documents. */
export function requestChecklist(request: Pick<ConsultationRequest, 'id' | 'centre' | 'profile'>, presentTypes: ReadonlySet<string>): Checklist {
  const items = profileChecklist(request.centre, request.profile).map((d) => ({
    type: d.type,
    label: DOCUMENT_TYPES[d.type],
    required: d.required,
    present: presentTypes.has(d.type),
  }));
  return { requestId: request.id, items, complete: items.every((i) => !i.required || i.present) };
}

interface CacheRow {
  document_id: string;
  state: string;
  size: number;
  bytes_done: number;
  pinned: number;
  error: string | null;
  last_access: string | null;
}

const CACHE_STATES: readonly string[] = ['absent', 'queued', 'downloading', 'cached', 'failed'];

function cacheEntry(r: CacheRow): CachedDocument {
  return {
    documentId: r.document_id,
    state: (CACHE_STATES.includes(r.state) ? r.state : 'absent') as DocumentCacheState,
    size: r.size,
    bytesDone: r.bytes_done,
    pinned: r.pinned === 1,
    error: r.error,
    lastAccess: r.last_access,
  };
}

function pendingIds(store: LocalStore, entity: 'consultation' | 'conclusion' | 'document'): Set<string> {
  const rows = store.sql('SELECT entity_id FROM outbox WHERE entity = ?').all(entity) as { entity_id: string }[];
  return new Set(rows.map((r) => r.entity_id));
}

/** Null when the patient is not in this user's store (not visible, or not synced yet). */
export function patientCard(store: LocalStore, patientId: string): PatientCard | null {
  const patient = store.getPatient(patientId);
  if (!patient) return null;
  const requests = (store.sql('SELECT data FROM requests WHERE patient_id = ? ORDER BY created_at DESC, id').all(patientId) as { data: string }[]).map(
    (r) => JSON.parse(r.data) as ConsultationRequest,
  );
  const docs: PatientDocument[] = store.listDocuments(patientId);
  const cache = new Map(
    (
      store
        .sql(
          `SELECT c.document_id, c.state, c.size, c.bytes_done, c.pinned, c.error, c.last_access
           FROM doc_cache c JOIN documents d ON d.id = c.document_id WHERE d.patient_id = ?`,
        )
        .all(patientId) as CacheRow[]
    ).map((r) => [r.document_id, cacheEntry(r)]),
  );
  const pendingDocs = pendingIds(store, 'document');
  const documents = docs.map((d) => ({ ...d, pending: pendingDocs.has(d.id), cache: cache.get(d.id) ?? null }));
  const types = new Set(docs.map((d) => d.type));

  const pendingConsultations = pendingIds(store, 'consultation');
  const consultations = (store.sql('SELECT data FROM consultations WHERE patient_id = ? ORDER BY starts_at DESC, id').all(patientId) as { data: string }[]).map((r) => {
    const c = JSON.parse(r.data) as Consultation;
    return { ...c, pending: pendingConsultations.has(c.id) };
  });

  const pendingConclusions = pendingIds(store, 'conclusion');
  const conclusions = (store.sql('SELECT data FROM conclusions WHERE patient_id = ? ORDER BY request_id, version DESC, id').all(patientId) as { data: string }[]).map((r) => {
    const c = JSON.parse(r.data) as Conclusion;
    return { ...c, pending: pendingConclusions.has(c.id) };
  });

  return {
    patient,
    requests,
    documents,
    checklists: requests.map((r) => requestChecklist(r, types)),
    consultations,
    conclusions,
  };
}

/** A request's conclusions (every version), newest first, with their pending state. */
export function requestConclusions(store: LocalStore, requestId: string): (Conclusion & { pending: boolean })[] {
  const pending = pendingIds(store, 'conclusion');
  return (store.sql('SELECT data FROM conclusions WHERE request_id = ? ORDER BY version DESC, id').all(requestId) as { data: string }[]).map((r) => {
    const c = JSON.parse(r.data) as Conclusion;
    return { ...c, pending: pending.has(c.id) };
  });
}
