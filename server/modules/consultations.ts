import type { Kysely } from 'kysely';
import type { Consultation, ConsultationCancel, ConsultationReschedule } from '../../shared/domain/consultations.js';
import type { Database } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import { AppError } from '../errors.js';

/**
 * Consultations: loading them for sync and the API (here), and — being built — rescheduling,
 * cancelling (by the doctor or the patient), completing, notifications and reminders.
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

// TEMPORARY SCAFFOLD (being implemented by a helper).
export async function rescheduleConsultation(_w: WriteScope, _actor: Actor, _args: ConsultationReschedule): Promise<Consultation> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function cancelConsultation(_w: WriteScope, _actor: Actor, _args: ConsultationCancel): Promise<Consultation> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function completeConsultation(_w: WriteScope, _actor: Actor, _id: string): Promise<Consultation> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function listVisibleConsultations(_db: Kysely<Database>, _actor: Actor, _q: { requestId?: string | undefined; from?: string | undefined; to?: string | undefined }): Promise<Consultation[]> {
  throw new AppError('INTERNAL', 'not built yet');
}
