import crypto from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { ConsultationRequest, dueAtFor, type RequestCreate, type RequestSource, type RequestStatus, type RequestTransfer } from '../../shared/domain/requests.js';
import { findProfile, normaliseIcd10 } from '../../shared/reference/index.js';
import type { Database, RequestsTable } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import { audienceOf } from '../auth/actor.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { isVisible } from '../sync/change-log.js';
import type { WriteScope } from '../context.js';
import { assertDoctorFree, bookingWindow } from './consultations.js';
import { notifyScheduling } from './notifications.js';
import { refreshPatientStage } from './patient-stage.js';

export function toRequest(row: Selectable<RequestsTable>): ConsultationRequest {
  return ConsultationRequest.parse({
    id: row.id,
    patientId: row.patient_id,
    centre: row.centre,
    profile: row.profile,
    source: row.source,
    status: row.status,
    icd10: row.icd10,
    diagnosis: row.diagnosis,
    complaints: row.complaints,
    urgency: row.urgency,
    pregnancyWeeks: row.pregnancy_weeks === null ? null : Number(row.pregnancy_weeks),
    note: row.note,
    referredBy: row.referred_by,
    assignedDoctorId: row.assigned_doctor_id,
    dueAt: row.due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path, message }]);
}

/** Checks that tie fields to reference data: the profile belongs to the centre, and so on. */
export function checkRequestAgainstReference(input: Pick<RequestCreate, 'centre' | 'profile' | 'icd10' | 'pregnancyWeeks'>): {
  icd10: string | null;
} {
  const profile = findProfile(input.centre, input.profile);
  if (!profile) throw invalid('profile', 'Профиль не относится к выбранному центру: выберите профиль из списка центра.');
  if (profile.needsPregnancyWeeks && !input.pregnancyWeeks) {
    throw invalid('pregnancyWeeks', 'Для этого профиля укажите срок беременности в неделях.');
  }
  if (!profile.needsPregnancyWeeks && input.pregnancyWeeks) {
    throw invalid('pregnancyWeeks', 'Срок беременности указывается только для акушерских профилей и профилей плода.');
  }
  let icd10: string | null = null;
  if (input.icd10) {
    icd10 = normaliseIcd10(input.icd10);
    if (!icd10) throw invalid('icd10', 'Код МКБ-10 записан неверно: ожидается буква и две цифры, например I21 или I21.0.');
  }
  return { icd10 };
}

export async function createRequest(
  w: WriteScope,
  actor: Actor,
  input: RequestCreate,
  source: RequestSource = 'referral',
): Promise<ConsultationRequest> {
  if (actor.role !== 'physician' && actor.role !== 'manager') throw forbidden();
  const { icd10 } = checkRequestAgainstReference(input);
  if (!(await isVisible(w.tx, audienceOf(actor), 'patient', input.patientId))) throw notFound('Пациент');
  const exists = await w.tx.selectFrom('consultation_requests').select('id').where('id', '=', input.id).executeTakeFirst();
  if (exists) throw new AppError('CONFLICT', 'Заявка с таким идентификатором уже существует. Обновите данные и повторите.');
  const patient = await w.tx.selectFrom('patients').select('referred_by').where('id', '=', input.patientId).executeTakeFirstOrThrow();
  const now = new Date();
  const row = {
    id: input.id,
    patient_id: input.patientId,
    centre: input.centre,
    profile: input.profile,
    source,
    status: 'new',
    icd10,
    diagnosis: input.diagnosis ?? null,
    complaints: input.complaints ?? null,
    urgency: input.urgency,
    pregnancy_weeks: input.pregnancyWeeks ?? null,
    note: input.note ?? null,
    referred_by: actor.role === 'physician' ? actor.userId : patient.referred_by,
    assigned_doctor_id: null,
    due_at: dueAtFor(source, now),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await w.tx.insertInto('consultation_requests').values(row).execute();
  await w.changed('request', [row.id]);
  // The patient becomes visible to the centre's doctors through this request.
  await w.changed('patient', [row.patient_id]);
  await refreshPatientStage(w, row.patient_id);
  return toRequest(row);
}

async function loadVisible(w: WriteScope, actor: Actor, id: string): Promise<Selectable<RequestsTable>> {
  if (!(await isVisible(w.tx, audienceOf(actor), 'request', id))) throw notFound('Заявка');
  return w.tx.selectFrom('consultation_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const CLOSED: readonly string[] = ['cancelled', 'conclusion_issued', 'invited'];

/** A centre doctor assigns a request to themselves; a request taken by a colleague stays theirs. */
export async function takeRequest(w: WriteScope, actor: Actor, id: string): Promise<ConsultationRequest> {
  if (actor.role !== 'doctor') throw forbidden();
  const row = await loadVisible(w, actor, id);
  if (row.assigned_doctor_id && row.assigned_doctor_id !== actor.userId) {
    throw new AppError('ALREADY_TAKEN', 'Заявку уже взял в работу другой врач. Обновите очередь.');
  }
  if (CLOSED.includes(row.status)) throw new AppError('INVALID_STATE', 'Заявка закрыта, взять её в работу нельзя.');
  const updated = {
    ...row,
    assigned_doctor_id: actor.userId,
    status: row.status === 'new' ? 'under_review' : row.status,
    updated_at: new Date().toISOString(),
  };
  await w.tx
    .updateTable('consultation_requests')
    .set({ assigned_doctor_id: updated.assigned_doctor_id, status: updated.status, updated_at: updated.updated_at })
    .where('id', '=', id)
    .execute();
  await w.changed('request', [id]);
  await refreshPatientStage(w, row.patient_id);
  return toRequest(updated);
}

export async function setRequestStatus(
  w: WriteScope,
  actor: Actor,
  input: { id: string; status: Extract<RequestStatus, 'under_review' | 'cancelled'>; reason?: string | undefined },
): Promise<ConsultationRequest> {
  if (actor.role !== 'doctor' && actor.role !== 'manager') throw forbidden();
  const row = await loadVisible(w, actor, input.id);
  if (CLOSED.includes(row.status)) throw new AppError('INVALID_STATE', 'Заявка уже закрыта: изменить её статус нельзя.');
  if (input.status === 'cancelled' && !input.reason) {
    throw invalid('reason', 'Укажите причину отмены: её увидят пациент и направивший врач.');
  }
  const updatedAt = new Date().toISOString();
  const note = input.status === 'cancelled' ? [row.note, `Отменено: ${input.reason}`].filter(Boolean).join('\n') : row.note;
  await w.tx
    .updateTable('consultation_requests')
    .set({ status: input.status, note, updated_at: updatedAt })
    .where('id', '=', input.id)
    .execute();
  await w.changed('request', [input.id]);
  await refreshPatientStage(w, row.patient_id);
  return toRequest({ ...row, status: input.status, note, updated_at: updatedAt });
}

export async function transferRequest(w: WriteScope, actor: Actor, input: RequestTransfer): Promise<ConsultationRequest> {
  if (actor.role !== 'manager') throw forbidden();
  const row = await loadVisible(w, actor, input.id);
  if (CLOSED.includes(row.status) || row.status === 'scheduled' || row.status === 'consulted') {
    throw new AppError('INVALID_STATE', 'Заявку на этом этапе нельзя передать в другой центр.');
  }
  checkRequestAgainstReference({ centre: input.centre, profile: input.profile, icd10: null, pregnancyWeeks: row.pregnancy_weeks });
  const updated = {
    ...row,
    centre: input.centre,
    profile: input.profile,
    status: 'new',
    assigned_doctor_id: null,
    note: [row.note, `Передано в другой центр: ${input.reason}`].filter(Boolean).join('\n'),
    updated_at: new Date().toISOString(),
  };
  await w.tx
    .updateTable('consultation_requests')
    .set({ centre: updated.centre, profile: updated.profile, status: updated.status, assigned_doctor_id: null, note: updated.note, updated_at: updated.updated_at })
    .where('id', '=', input.id)
    .execute();
  await w.changed('request', [input.id]);
  await w.changed('patient', [row.patient_id]);
  await refreshPatientStage(w, row.patient_id);
  return toRequest(updated);
}

export async function getVisibleRequest(db: Kysely<Database>, actor: Actor, id: string): Promise<ConsultationRequest> {
  if (!(await isVisible(db, audienceOf(actor), 'request', id))) throw notFound('Заявка');
  const row = await db.selectFrom('consultation_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Заявка');
  return toRequest(row);
}

export async function listVisibleRequests(
  db: Kysely<Database>,
  actor: Actor,
  opts: {
    limit: number;
    offset: number;
    centre?: string | undefined;
    status?: string | undefined;
    source?: string | undefined;
    patientId?: string | undefined;
  },
): Promise<{ items: ConsultationRequest[]; total: number }> {
  const audience = audienceOf(actor);
  if (!audience) return { items: [], total: 0 };
  const base = db
    .selectFrom('consultation_requests as r')
    .innerJoin('sync_index as s', (j) =>
      j.onRef('s.entity_id', '=', 'r.id').on('s.entity', '=', 'request').on('s.audience', '=', audience).on('s.deleted', '=', 0),
    )
    .$if(!!opts.centre, (q) => q.where('r.centre', '=', opts.centre ?? ''))
    .$if(!!opts.status, (q) => q.where('r.status', '=', opts.status ?? ''))
    .$if(!!opts.source, (q) => q.where('r.source', '=', opts.source ?? ''))
    .$if(!!opts.patientId, (q) => q.where('r.patient_id', '=', opts.patientId ?? ''));
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('r').orderBy('r.due_at').orderBy('r.id').limit(opts.limit).offset(opts.offset).execute();
  return { items: rows.map(toRequest), total: Number(total.n) };
}

/**
 * A centre doctor books a consultation for a request of their centre: one `consultations` row,
 * the request moves to `scheduled` and becomes the doctor's, the patient's stage follows. Two
 * consultations of one doctor may not overlap (consultations.ts `assertDoctorFree`). The patient and
 * the referring physician are notified.
 */
export async function scheduleRequest(
  w: WriteScope,
  actor: Actor,
  input: { id: string; consultationId?: string | undefined; startsAt: string; durationMinutes: number },
): Promise<{ request: ConsultationRequest; consultationId: string; startsAt: string; endsAt: string }> {
  if (actor.role !== 'doctor') throw forbidden();
  const row = await loadVisible(w, actor, input.id);
  if (row.assigned_doctor_id && row.assigned_doctor_id !== actor.userId) {
    throw new AppError('ALREADY_TAKEN', 'Заявку ведёт другой врач: консультацию назначает он. Обновите очередь.');
  }
  if (row.status !== 'new' && row.status !== 'under_review') {
    throw new AppError(
      'INVALID_STATE',
      row.status === 'scheduled'
        ? 'Консультация по заявке уже назначена. Чтобы перенести её, сначала отмените назначенную.'
        : 'Заявка на этом этапе: назначить консультацию нельзя.',
    );
  }
  const { startsAt, endsAt } = bookingWindow(input.startsAt, input.durationMinutes);
  await assertDoctorFree(w, actor.userId, startsAt, endsAt);
  const now = new Date().toISOString();
  const consultationId = input.consultationId ?? crypto.randomUUID();
  if (input.consultationId && (await w.tx.selectFrom('consultations').select('id').where('id', '=', input.consultationId).executeTakeFirst())) {
    throw new AppError('CONFLICT', 'Консультация с таким идентификатором уже есть. Обновите календарь.');
  }
  await w.tx
    .insertInto('consultations')
    .values({ id: consultationId, request_id: row.id, doctor_id: actor.userId, starts_at: startsAt, ends_at: endsAt, status: 'scheduled', cancel_reason: null, created_at: now, updated_at: now })
    .execute();
  const updated = { ...row, status: 'scheduled', assigned_doctor_id: actor.userId, updated_at: now };
  await w.tx
    .updateTable('consultation_requests')
    .set({ status: updated.status, assigned_doctor_id: updated.assigned_doctor_id, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  await w.changed('request', [row.id]);
  await w.changed('consultation', [consultationId]);
  await refreshPatientStage(w, row.patient_id);
  // The patient (portal + SMS) and the referring physician hear about it in the same transaction.
  await notifyScheduling(w, { kind: 'consultation.scheduled' }, { consultationId, requestId: row.id, patientId: row.patient_id, startsAt, doctorId: actor.userId });
  return { request: toRequest(updated), consultationId, startsAt, endsAt };
}
