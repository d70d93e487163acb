import type { PatientDocument } from '../../../shared/domain/documents.js';
import type { LocalStore } from '../store/local-store.js';

/** Requests still in the doctor's queue: their documents are worth having before they are opened. */
export const OPEN_REQUEST_STATUSES = ['new', 'under_review', 'scheduled'] as const;
export const UPCOMING_DAYS = 7;

export interface Candidate {
  id: string;
  patientId: string;
  sha256: string;
  size: number;
  createdAt: string;
  /** The patient's soonest upcoming consultation, if any. */
  consultationAt: string | null;
  /** The patient's most pressing open request's deadline, if any. */
  dueAt: string | null;
}

export interface Urgency {
  /** patient id → soonest scheduled consultation start within the window */
  consultations: ReadonlyMap<string, string>;
  /** patient id → earliest due date of an open request */
  requests: ReadonlyMap<string, string>;
}

/**
 * Most urgent first: patients with a consultation soonest, then by the request deadline, then
 * the newest document of a patient first (the latest results matter most to the consultant).
 */
export function prioritise(docs: readonly PatientDocument[], urgency: Urgency): Candidate[] {
  const out: Candidate[] = [];
  for (const d of docs) {
    const consultationAt = urgency.consultations.get(d.patientId) ?? null;
    const dueAt = urgency.requests.get(d.patientId) ?? null;
    if (consultationAt === null && dueAt === null) continue;
    out.push({ id: d.id, patientId: d.patientId, sha256: d.sha256, size: d.size, createdAt: d.createdAt, consultationAt, dueAt });
  }
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return out.sort(
    (a, b) => cmp(a.consultationAt, b.consultationAt) || cmp(a.dueAt, b.dueAt) || (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt > b.createdAt ? -1 : 1),
  );
}

/** Reads the queue, the upcoming consultations and their patients' documents from the local store. */
export function prefetchCandidates(store: LocalStore, now: Date): Candidate[] {
  const until = new Date(now.getTime() + UPCOMING_DAYS * 24 * 3600_000).toISOString();
  const consultations = new Map<string, string>();
  const cRows = store
    .sql("SELECT patient_id, MIN(starts_at) AS at FROM consultations WHERE status = 'scheduled' AND ends_at >= ? AND starts_at <= ? GROUP BY patient_id")
    .all(now.toISOString(), until) as { patient_id: string; at: string }[];
  for (const r of cRows) consultations.set(r.patient_id, r.at);
  const requests = new Map<string, string>();
  const marks = OPEN_REQUEST_STATUSES.map(() => '?').join(', ');
  const rRows = store.sql(`SELECT patient_id, MIN(due_at) AS at FROM requests WHERE status IN (${marks}) GROUP BY patient_id`).all(...OPEN_REQUEST_STATUSES) as {
    patient_id: string;
    at: string;
  }[];
  for (const r of rRows) requests.set(r.patient_id, r.at);
  const patients = [...new Set([...consultations.keys(), ...requests.keys()])];
  if (patients.length === 0) return [];
  const docs: PatientDocument[] = [];
  // In slices: SQLite limits the number of parameters of one statement.
  for (let i = 0; i < patients.length; i += 500) {
    const slice = patients.slice(i, i + 500);
    const rows = store.sql(`SELECT data FROM documents WHERE patient_id IN (${slice.map(() => '?').join(', ')})`).all(...slice) as { data: string }[];
    for (const r of rows) docs.push(JSON.parse(r.data) as PatientDocument);
  }
  return prioritise(docs, { consultations, requests });
}

/**
 * The downloads to make, in order: pinned documents first, then the prefetch candidates that
 * fit in what the limit leaves after the pinned ones (a document bigger than that is skipped).
 */
export function planDownloads(
  candidates: readonly Candidate[],
  pinned: readonly { id: string; size: number }[],
  limitBytes: number,
): { order: { id: string; size: number }[]; wantedRank: Map<string, number> } {
  const order: { id: string; size: number }[] = [...pinned];
  const wantedRank = new Map<string, number>();
  const pinnedIds = new Set(pinned.map((p) => p.id));
  let budget = limitBytes - pinned.reduce((n, p) => n + p.size, 0);
  for (const c of candidates) {
    if (pinnedIds.has(c.id) || wantedRank.has(c.id)) continue;
    if (c.size > budget) continue;
    budget -= c.size;
    wantedRank.set(c.id, wantedRank.size);
    order.push({ id: c.id, size: c.size });
  }
  return { order, wantedRank };
}
