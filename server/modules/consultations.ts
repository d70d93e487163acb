import type { Kysely, Selectable } from 'kysely';
import type { Consultation, ConsultationCancel, ConsultationReschedule } from '../../shared/domain/consultations.js';
import type { ConsultationsTable, Database } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import { audienceOf } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { isVisible } from '../sync/change-log.js';
import { notifyScheduling } from './notifications.js';
import { refreshPatientStage } from './patient-stage.js';

/**
 * Consultations: loading them for sync and the API, the one conflict rule for a doctor's time,
 * rescheduling (the old one cancelled, a new one pointing back at it), cancelling (by the doctor
 * or the patient: the request goes back to review so it can be booked again), completing. Every
 * change tells the patient and the referring physician (notifications.ts).
 */

/** Consultations by id with what the domain shape needs from the request and the doctor. */
export async function loadConsultations(db: Kysely<Database>, ids: readonly string[]): Promise<Consultation[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('consultations as c')
    .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
    .innerJoin('users as u', 'u.id', 'c.doctor_id')
    .selectAll('c')
    .select(['r.patient_id', 'r.centre', 'u.full_name as doctor_name'])
    .where('c.id', 'in', [...ids])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    patientId: r.patient_id,
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    centre: r.centre as Consultation['centre'],
    kind: r.kind as Consultation['kind'],
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status as Consultation['status'],
    cancelReason: r.cancel_reason,
    cancelledBy: r.cancelled_by as Consultation['cancelledBy'],
    rescheduledFrom: r.rescheduled_from,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/** «25.11 14:00» in Moscow time, for messages that name a clash. */
export function formatMoscow(iso: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** The future start and the end of a booking, or a Russian refusal. */
export function bookingWindow(startsAtInput: string, durationMinutes: number, now = Date.now()): { startsAt: string; endsAt: string } {
  const start = new Date(startsAtInput);
  if (!(start.getTime() > now)) {
    throw new AppError('VALIDATION_FAILED', 'Время консультации должно быть в будущем.', [{ path: 'startsAt', message: 'Время консультации должно быть в будущем.' }]);
  }
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + durationMinutes * 60_000).toISOString() };
}

/**
 * Two bookings of one doctor may not overlap, and a booking may not fall into the doctor's own
 * free duty slot (that time is promised to the portal). On PostgreSQL the doctor's user row is
 * locked first so two concurrent bookings of one doctor are checked one after the other; SQLite
 * runs one write transaction at a time.
 */
export async function assertDoctorFree(w: WriteScope, doctorId: string, startsAt: string, endsAt: string, exceptId?: string): Promise<void> {
  if (w.kind === 'postgres') await w.tx.selectFrom('users').select('id').where('id', '=', doctorId).forUpdate().execute();
  const clash = await w.tx
    .selectFrom('consultations')
    .select(['starts_at', 'ends_at'])
    .where('doctor_id', '=', doctorId)
    .where('status', '=', 'scheduled')
    .where('starts_at', '<', endsAt)
    .where('ends_at', '>', startsAt)
    .$if(!!exceptId, (q) => q.where('id', '!=', exceptId ?? ''))
    .orderBy('starts_at')
    .executeTakeFirst();
  if (clash) {
    throw new AppError('CONFLICT', `У вас уже назначена консультация с ${formatMoscow(clash.starts_at)} до ${formatMoscow(clash.ends_at)} (МСК): выберите другое время.`);
  }
  const slot = await w.tx
    .selectFrom('duty_slots')
    .select(['starts_at', 'ends_at'])
    .where('doctor_id', '=', doctorId)
    .where('consultation_id', 'is', null)
    .where('starts_at', '<', endsAt)
    .where('ends_at', '>', startsAt)
    .orderBy('starts_at')
    .executeTakeFirst();
  if (slot) {
    throw new AppError('CONFLICT', `В это время у вас дежурный приём (с ${formatMoscow(slot.starts_at)} до ${formatMoscow(slot.ends_at)}, МСК): выберите другое время.`);
  }
}

type Row = Selectable<ConsultationsTable> & { patient_id: string; request_status: string };

async function loadRow(w: WriteScope, id: string): Promise<Row | undefined> {
  return w.tx
    .selectFrom('consultations as c')
    .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
    .selectAll('c')
    .select(['r.patient_id', 'r.status as request_status'])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** A consultation the actor may see, or 404 (someone else's looks exactly like a missing one). */
async function loadVisibleRow(w: WriteScope, actor: Actor, id: string): Promise<Row> {
  if (!(await isVisible(w.tx, audienceOf(actor), 'consultation', id))) throw notFound('Консультация');
  const row = await loadRow(w, id);
  if (!row) throw notFound('Консультация');
  return row;
}

function ownDoctor(actor: Actor, row: Row): void {
  if (actor.role !== 'doctor') throw forbidden();
  if (row.doctor_id !== actor.userId) throw new AppError('FORBIDDEN', 'Консультацию ведёт другой врач: изменить её может только он.');
}

function mustBeScheduled(row: Row): void {
  if (row.status !== 'scheduled') {
    throw new AppError('INVALID_STATE', row.status === 'cancelled' ? 'Консультация уже отменена.' : 'Консультация уже проведена: изменить её нельзя.');
  }
}

async function loaded(w: WriteScope, id: string): Promise<Consultation> {
  const [c] = await loadConsultations(w.tx, [id]);
  if (!c) throw notFound('Консультация');
  return c;
}

/**
 * A new time for a scheduled consultation: the old one is cancelled with the reason, a new one
 * (the client's `newId`) points back at it. Replaying the same `newId` returns what it made.
 */
export async function rescheduleConsultation(w: WriteScope, actor: Actor, args: ConsultationReschedule): Promise<Consultation> {
  if (actor.role !== 'doctor') throw forbidden();
  const existing = await w.tx.selectFrom('consultations').select(['id', 'rescheduled_from', 'doctor_id']).where('id', '=', args.newId).executeTakeFirst();
  if (existing) {
    if (existing.rescheduled_from === args.id && existing.doctor_id === actor.userId) return loaded(w, args.newId);
    throw new AppError('CONFLICT', 'Консультация с таким идентификатором уже есть. Обновите календарь.');
  }
  const old = await loadVisibleRow(w, actor, args.id);
  ownDoctor(actor, old);
  mustBeScheduled(old);
  const { startsAt, endsAt } = bookingWindow(args.startsAt, args.durationMinutes);
  await assertDoctorFree(w, actor.userId, startsAt, endsAt, old.id);
  const now = new Date().toISOString();
  await w.tx
    .updateTable('consultations')
    .set({ status: 'cancelled', cancel_reason: args.reason, cancelled_by: 'doctor', updated_at: now })
    .where('id', '=', old.id)
    .execute();
  await w.tx
    .insertInto('consultations')
    .values({
      id: args.newId,
      request_id: old.request_id,
      doctor_id: old.doctor_id,
      kind: old.kind,
      starts_at: startsAt,
      ends_at: endsAt,
      status: 'scheduled',
      cancel_reason: null,
      cancelled_by: null,
      rescheduled_from: old.id,
      reminder_sent_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await w.changed('consultation', [old.id, args.newId]);
  await notifyScheduling(
    w,
    { kind: 'consultation.rescheduled', previousStartsAt: old.starts_at, reason: args.reason },
    { consultationId: args.newId, requestId: old.request_id, patientId: old.patient_id, startsAt, doctorId: old.doctor_id },
  );
  return loaded(w, args.newId);
}

/**
 * Cancels a scheduled consultation: the doctor their own (desktop or API), the patient only
 * their own (portal). The request goes back to review so the doctor can book it again.
 */
export async function cancelConsultation(w: WriteScope, actor: Actor, args: ConsultationCancel): Promise<Consultation> {
  if (actor.role !== 'doctor' && actor.role !== 'patient') throw forbidden();
  const row = await loadVisibleRow(w, actor, args.id);
  if (actor.role === 'doctor') ownDoctor(actor, row);
  else if (row.patient_id !== actor.patientId) throw notFound('Консультация');
  mustBeScheduled(row);
  const by = actor.role === 'patient' ? 'patient' : 'doctor';
  const now = new Date().toISOString();
  await w.tx
    .updateTable('consultations')
    .set({ status: 'cancelled', cancel_reason: args.reason, cancelled_by: by, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  await w.changed('consultation', [row.id]);
  // A cancelled duty consultation gives its slot back to the schedule for someone else.
  await w.tx.updateTable('duty_slots').set({ consultation_id: null }).where('consultation_id', '=', row.id).execute();
  const other = await w.tx
    .selectFrom('consultations')
    .select('id')
    .where('request_id', '=', row.request_id)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  if (row.request_status === 'scheduled' && !other) {
    await w.tx.updateTable('consultation_requests').set({ status: 'under_review', updated_at: now }).where('id', '=', row.request_id).execute();
    await w.changed('request', [row.request_id]);
    await refreshPatientStage(w, row.patient_id);
  }
  await notifyScheduling(
    w,
    { kind: 'consultation.cancelled', reason: args.reason, by },
    { consultationId: row.id, requestId: row.request_id, patientId: row.patient_id, startsAt: row.starts_at, doctorId: row.doctor_id },
  );
  return loaded(w, row.id);
}

/** The doctor marks their consultation held: the request moves to `consulted` (a conclusion follows). */
export async function completeConsultation(w: WriteScope, actor: Actor, id: string): Promise<Consultation> {
  const row = await loadVisibleRow(w, actor, id);
  ownDoctor(actor, row);
  mustBeScheduled(row);
  const now = new Date().toISOString();
  await w.tx.updateTable('consultations').set({ status: 'completed', updated_at: now }).where('id', '=', row.id).execute();
  await w.changed('consultation', [row.id]);
  if (row.request_status === 'scheduled') {
    await w.tx.updateTable('consultation_requests').set({ status: 'consulted', updated_at: now }).where('id', '=', row.request_id).execute();
    await w.changed('request', [row.request_id]);
    await refreshPatientStage(w, row.patient_id);
  }
  return loaded(w, row.id);
}

const LIST_LIMIT = 2000;

/** Consultations the actor may see (the sync index's rule), by request and/or time, by start. */
export async function listVisibleConsultations(
  db: Kysely<Database>,
  actor: Actor,
  q: { requestId?: string | undefined; from?: string | undefined; to?: string | undefined },
): Promise<Consultation[]> {
  const audience = audienceOf(actor);
  if (!audience) return [];
  const rows = await db
    .selectFrom('consultations as c')
    .innerJoin('sync_index as s', (j) =>
      j.onRef('s.entity_id', '=', 'c.id').on('s.entity', '=', 'consultation').on('s.audience', '=', audience).on('s.deleted', '=', 0),
    )
    .select('c.id')
    .$if(!!q.requestId, (b) => b.where('c.request_id', '=', q.requestId ?? ''))
    .$if(!!q.from, (b) => b.where('c.ends_at', '>', new Date(q.from ?? 0).toISOString()))
    .$if(!!q.to, (b) => b.where('c.starts_at', '<', new Date(q.to ?? 0).toISOString()))
    .orderBy('c.starts_at')
    .orderBy('c.id')
    .limit(LIST_LIMIT)
    .execute();
  const byId = new Map((await loadConsultations(db, rows.map((r) => r.id))).map((c) => [c.id, c]));
  return rows.map((r) => byId.get(r.id)).filter((c): c is Consultation => c !== undefined);
}
