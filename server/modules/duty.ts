import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Consultation } from '../../shared/domain/consultations.js';
import type { DutySlot } from '../../shared/domain/portal.js';
import { dueAtFor, type CentreCode, type ConsultationRequest } from '../../shared/domain/requests.js';
import { findCentre } from '../../shared/reference/index.js';
import type { Actor } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { assertDoctorFree, bookingWindow, formatMoscow, loadConsultations } from './consultations.js';
import { requireConsent } from './consent.js';
import { notifyScheduling } from './notifications.js';
import { refreshPatientStage } from './patient-stage.js';
import { toRequest } from './requests.js';

/**
 * The duty doctor (the third way in): a doctor on duty publishes slots; a patient books a free
 * one with a general question. A booking is a request (source `duty_booking`, already scheduled
 * and the slot's doctor's) plus a consultation of kind `duty` at the slot's time; the slot points
 * at the consultation. Two patients booking one slot at once: exactly one gets it — the slot is
 * claimed by a conditional UPDATE (…WHERE consultation_id IS NULL, one row or a refusal), with
 * the unique index on duty_slots.consultation_id behind it.
 */

const LIST_LIMIT = 500;

/**
 * The reference data has no «general question» profile, so a duty booking files under the
 * centre's first profile that needs no pregnancy term; the question goes into the complaints.
 */
export function dutyProfile(centre: string): string {
  const c = findCentre(centre);
  const p = c?.profiles.find((x) => !x.needsPregnancyWeeks) ?? c?.profiles[0];
  if (!p) throw new Error(`no profile for centre ${centre}`);
  return p.code;
}

export async function createDutySlots(
  w: WriteScope,
  actor: Actor,
  input: { startsAt: string; durationMinutes: number; count: number },
): Promise<DutySlot[]> {
  if (actor.role !== 'doctor') throw forbidden();
  if (!actor.isDuty || !actor.centre) {
    throw new AppError('FORBIDDEN', 'Открывать приём в расписании дежурного врача могут только дежурные врачи. Обратитесь к администратору, если вы дежурите.');
  }
  const { startsAt } = bookingWindow(input.startsAt, input.durationMinutes);
  const start = Date.parse(startsAt);
  const step = input.durationMinutes * 60_000;
  const endsAt = new Date(start + step * input.count).toISOString();
  // Other consultations and the doctor's free slots (locks the doctor's row on PostgreSQL).
  await assertDoctorFree(w, actor.userId, startsAt, endsAt);
  const booked = await w.tx
    .selectFrom('duty_slots')
    .select(['starts_at', 'ends_at'])
    .where('doctor_id', '=', actor.userId)
    .where('starts_at', '<', endsAt)
    .where('ends_at', '>', startsAt)
    .orderBy('starts_at')
    .executeTakeFirst();
  if (booked) {
    throw new AppError('CONFLICT', `В это время у вас уже открыт дежурный приём (с ${formatMoscow(booked.starts_at)} до ${formatMoscow(booked.ends_at)}, МСК): выберите другое время.`);
  }
  const now = new Date().toISOString();
  const rows = Array.from({ length: input.count }, (_, i) => ({
    id: crypto.randomUUID(),
    doctor_id: actor.userId,
    centre: actor.centre ?? '',
    starts_at: new Date(start + step * i).toISOString(),
    ends_at: new Date(start + step * (i + 1)).toISOString(),
    consultation_id: null,
    created_at: now,
  }));
  await w.tx.insertInto('duty_slots').values(rows).execute();
  const doctor = await w.tx.selectFrom('users').select('full_name').where('id', '=', actor.userId).executeTakeFirstOrThrow();
  return rows.map((r) => ({ id: r.id, centre: r.centre as CentreCode, doctorId: r.doctor_id, doctorName: doctor.full_name, startsAt: r.starts_at, endsAt: r.ends_at, free: true }));
}

/** Future slots (those not yet started), earliest first, each with whether it is free. */
export async function listDutySlots(
  db: Kysely<Database>,
  query: { centre?: string | undefined; from?: string | undefined; to?: string | undefined },
): Promise<DutySlot[]> {
  const now = new Date().toISOString();
  const from = query.from && query.from > now ? new Date(query.from).toISOString() : now;
  const rows = await db
    .selectFrom('duty_slots as s')
    .innerJoin('users as u', 'u.id', 's.doctor_id')
    .select(['s.id', 's.centre', 's.doctor_id', 'u.full_name', 's.starts_at', 's.ends_at', 's.consultation_id'])
    .where('s.starts_at', '>', from)
    .where('u.disabled', '=', 0)
    .$if(!!query.to, (q) => q.where('s.starts_at', '<', new Date(query.to ?? now).toISOString()))
    .$if(!!query.centre, (q) => q.where('s.centre', '=', query.centre ?? ''))
    .orderBy('s.starts_at')
    .orderBy('s.id')
    .limit(LIST_LIMIT)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    centre: r.centre as CentreCode,
    doctorId: r.doctor_id,
    doctorName: r.full_name,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    free: r.consultation_id === null,
  }));
}

const TAKEN = 'Это время уже заняли, пока вы выбирали. Выберите другое свободное время в расписании дежурного врача.';

export async function bookDutySlot(
  w: WriteScope,
  actor: Actor,
  slotId: string,
  question: string,
): Promise<{ request: ConsultationRequest; consultation: Consultation }> {
  if (actor.role !== 'patient' || !actor.patientId) throw forbidden();
  const patientId = actor.patientId;
  await requireConsent(w.tx, patientId);
  const slot = await w.tx
    .selectFrom('duty_slots')
    .selectAll()
    .where('id', '=', slotId)
    // PostgreSQL: the second of two concurrent bookings waits here, then sees the slot taken.
    .$if(w.kind === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
  if (!slot) throw notFound('Время приёма');
  if (slot.starts_at <= new Date().toISOString()) throw new AppError('INVALID_STATE', 'Это время уже прошло. Выберите другое время в расписании.');
  if (slot.consultation_id !== null) throw new AppError('CONFLICT', TAKEN);

  const now = new Date();
  const at = now.toISOString();
  const patient = await w.tx.selectFrom('patients').select('referred_by').where('id', '=', patientId).executeTakeFirstOrThrow();
  const request = {
    id: crypto.randomUUID(),
    patient_id: patientId,
    centre: slot.centre,
    profile: dutyProfile(slot.centre),
    source: 'duty_booking',
    status: 'scheduled',
    icd10: null,
    diagnosis: null,
    complaints: question,
    urgency: 'planned',
    pregnancy_weeks: null,
    note: 'Запись к дежурному врачу: общий вопрос.',
    referred_by: patient.referred_by,
    assigned_doctor_id: slot.doctor_id,
    due_at: dueAtFor('duty_booking', now),
    created_at: at,
    updated_at: at,
  };
  await w.tx.insertInto('consultation_requests').values(request).execute();
  const consultationId = crypto.randomUUID();
  await w.tx
    .insertInto('consultations')
    .values({ id: consultationId, request_id: request.id, doctor_id: slot.doctor_id, starts_at: slot.starts_at, ends_at: slot.ends_at, status: 'scheduled', cancel_reason: null, created_at: at, updated_at: at, kind: 'duty' })
    .execute();
  const claimed = await w.tx.updateTable('duty_slots').set({ consultation_id: consultationId }).where('id', '=', slot.id).where('consultation_id', 'is', null).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('CONFLICT', TAKEN);

  await w.changed('request', [request.id]);
  await w.changed('consultation', [consultationId]);
  await w.changed('patient', [patientId]);
  await refreshPatientStage(w, patientId);
  // The patient hears about it as about any booking (portal + SMS); the physician, if any, too.
  await notifyScheduling(w, { kind: 'consultation.scheduled' }, { consultationId, requestId: request.id, patientId, startsAt: slot.starts_at, doctorId: slot.doctor_id });
  const [consultation] = await loadConsultations(w.tx, [consultationId]);
  if (!consultation) throw new Error('booked consultation vanished');
  return { request: toRequest(request), consultation };
}

/** A unique-index violation from the slot's consultation_id (the backstop), told as «taken». */
export function isSlotTakenViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${(err as { code?: unknown }).code ?? ''}` : '';
  return /duty_slots_consultation_uq|duty_slots\.consultation_id|23505/.test(text);
}

export { TAKEN as SLOT_TAKEN_MESSAGE };
