import type { Consultation } from '../../../shared/domain/consultations.js';
import type { ConsultationRequest } from '../../../shared/domain/requests.js';
import type { Patient } from '../../../shared/domain/patients.js';
import type { LocalStore } from './local-store.js';

/**
 * The doctor's calendar over the local store: consultations in a time range, which of them have
 * changes not yet accepted by the server, overlaps, and the few local writes a scheduling change
 * makes beside its own optimistic row (the request's status, the replaced consultation). Those
 * side writes are undone by `revertToServer` when the server refuses the change.
 */

export type CalendarConsultation = Consultation & { pending: boolean };

/** Mutations that touch consultations, and which rows each one touches. */
const CALENDAR_MUTATIONS = ['request.schedule', 'consultation.reschedule', 'consultation.cancel', 'consultation.complete'] as const;

export interface Touched {
  consultations: string[];
  requests: string[];
}

/** Which rows a queued scheduling mutation changes locally (from its arguments). */
export function touchedBy(name: string, args: unknown, entityId: string): Touched {
  const a = (args ?? {}) as { id?: string; consultationId?: string; newId?: string };
  const ids = (...xs: (string | undefined)[]) => xs.filter((x): x is string => typeof x === 'string');
  switch (name) {
    case 'request.schedule':
      return { consultations: ids(a.consultationId, entityId), requests: ids(a.id) };
    case 'consultation.reschedule':
      return { consultations: ids(a.id, a.newId, entityId), requests: [] };
    case 'consultation.cancel':
    case 'consultation.complete':
      return { consultations: ids(a.id, entityId), requests: [] };
    default:
      return { consultations: [], requests: [] };
  }
}

/** Outbox entries of scheduling mutations, by mutation id, with the rows they touch. */
export function pendingScheduling(store: LocalStore): Map<number, Touched> {
  const rows = store
    .sql(`SELECT id, name, args, entity_id FROM outbox WHERE name IN (${CALENDAR_MUTATIONS.map(() => '?').join(', ')}) ORDER BY id`)
    .all(...CALENDAR_MUTATIONS) as { id: number; name: string; args: string; entity_id: string }[];
  const out = new Map<number, Touched>();
  for (const r of rows) {
    let args: unknown = null;
    try {
      args = JSON.parse(r.args);
    } catch {
      // A malformed row touches only its own entity.
    }
    out.set(r.id, touchedBy(r.name, args, r.entity_id));
  }
  return out;
}

/** Consultations with a local change the server has not answered yet. */
export function pendingConsultationIds(store: LocalStore): Set<string> {
  const ids = new Set<string>();
  for (const t of pendingScheduling(store).values()) for (const id of t.consultations) ids.add(id);
  const direct = store.sql("SELECT entity_id FROM outbox WHERE entity = 'consultation'").all() as { entity_id: string }[];
  for (const r of direct) ids.add(r.entity_id);
  return ids;
}

export function getConsultation(store: LocalStore, id: string): Consultation | null {
  const row = store.sql('SELECT data FROM consultations WHERE id = ?').get(id) as { data: string } | undefined;
  return row ? (JSON.parse(row.data) as Consultation) : null;
}

/** The doctor's consultations overlapping [from, to), by start (local data, pending changes included). */
export function listCalendar(store: LocalStore, doctorId: string, from: string, to: string): CalendarConsultation[] {
  const rows = store
    .sql('SELECT data FROM consultations WHERE doctor_id = ? AND starts_at < ? AND ends_at > ? ORDER BY starts_at, id')
    .all(doctorId, to, from) as { data: string }[];
  const pending = pendingConsultationIds(store);
  return rows.map((r) => {
    const c = JSON.parse(r.data) as Consultation;
    return { ...c, pending: pending.has(c.id) };
  });
}

/** The doctor's scheduled consultation overlapping [startsAt, endsAt), other than `exceptId`. */
export function findClash(store: LocalStore, doctorId: string, startsAt: string, endsAt: string, exceptId?: string): Consultation | null {
  const row = store
    .sql(
      `SELECT data FROM consultations WHERE doctor_id = ? AND status = 'scheduled' AND starts_at < ? AND ends_at > ? AND id != ?
       ORDER BY starts_at LIMIT 1`,
    )
    .get(doctorId, endsAt, startsAt, exceptId ?? '') as { data: string } | undefined;
  return row ? (JSON.parse(row.data) as Consultation) : null;
}

/** A scheduled consultation of the request, if any (a request is booked once at a time). */
export function scheduledForRequest(store: LocalStore, requestId: string): Consultation | null {
  const row = store.sql("SELECT data FROM consultations WHERE request_id = ? AND status = 'scheduled' LIMIT 1").get(requestId) as { data: string } | undefined;
  return row ? (JSON.parse(row.data) as Consultation) : null;
}

export function shortPatientName(p: Pick<Patient, 'lastName' | 'firstName' | 'middleName'>): string {
  const initial = (s: string | null) => (s ? `${s.trim().charAt(0).toLocaleUpperCase('ru-RU')}.` : '');
  return [p.lastName, [initial(p.firstName), initial(p.middleName)].filter(Boolean).join(' ')].filter(Boolean).join(' ');
}

/** Short names of the given patients that are in the store. */
export function patientNames(store: LocalStore, ids: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of new Set(ids)) {
    const p = store.getPatient(id);
    if (p) out[id] = shortPatientName(p);
  }
  return out;
}

/** A consultation written locally (not the server's copy): the side row of a reschedule. */
export function writeLocalConsultation(store: LocalStore, c: Consultation): void {
  store
    .sql(
      `INSERT INTO consultations (id, request_id, patient_id, doctor_id, status, starts_at, ends_at, data)
       VALUES (@id, @requestId, @patientId, @doctorId, @status, @startsAt, @endsAt, @data)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, starts_at = excluded.starts_at, ends_at = excluded.ends_at, data = excluded.data`,
    )
    .run({ id: c.id, requestId: c.requestId, patientId: c.patientId, doctorId: c.doctorId, status: c.status, startsAt: c.startsAt, endsAt: c.endsAt, data: JSON.stringify(c) });
}

/** The request's local status (what the server will do to it), keeping its server copy. */
export function writeLocalRequestStatus(store: LocalStore, r: ConsultationRequest): void {
  store.sql('UPDATE requests SET status = ?, assigned_doctor_id = ?, updated_at = ?, data = ? WHERE id = ?').run(r.status, r.assignedDoctorId, r.updatedAt, JSON.stringify(r), r.id);
}

/**
 * After the server refused a scheduling change: the side rows it touched go back to the server's
 * copy (or away, if the server never had them), unless another queued change still covers them.
 */
export function revertToServer(store: LocalStore, touched: Touched): void {
  store.db.transaction(() => {
    const still = pendingScheduling(store);
    const busyC = new Set([...still.values()].flatMap((t) => t.consultations));
    const busyR = new Set([...still.values()].flatMap((t) => t.requests));
    for (const id of touched.consultations) {
      if (busyC.has(id) || store.isPending('consultation', id)) continue;
      const row = store.sql('SELECT server_data, server_deleted FROM consultations WHERE id = ?').get(id) as { server_data: string | null; server_deleted: number } | undefined;
      if (!row) continue;
      if (row.server_data && row.server_deleted === 0) writeServerConsultation(store, JSON.parse(row.server_data) as Consultation, row.server_data);
      else store.sql('DELETE FROM consultations WHERE id = ?').run(id);
    }
    for (const id of touched.requests) {
      if (busyR.has(id) || store.isPending('request', id)) continue;
      const row = store.sql('SELECT server_data FROM requests WHERE id = ?').get(id) as { server_data: string | null } | undefined;
      if (!row?.server_data) continue;
      const r = JSON.parse(row.server_data) as ConsultationRequest;
      store.sql('UPDATE requests SET status = ?, assigned_doctor_id = ?, updated_at = ?, data = server_data WHERE id = ?').run(r.status, r.assignedDoctorId, r.updatedAt, id);
    }
  })();
}

function writeServerConsultation(store: LocalStore, c: Consultation, json: string): void {
  store.sql('UPDATE consultations SET status = ?, starts_at = ?, ends_at = ?, data = ? WHERE id = ?').run(c.status, c.startsAt, c.endsAt, json, c.id);
}
