import { dueAtFor, type CentreCode, type ConsultationRequest } from '../../shared/domain/requests.js';
import type { Actor } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import { AppError, forbidden } from '../errors.js';
import { requireConsent } from './consent.js';
import { refreshPatientStage } from './patient-stage.js';
import { checkRequestAgainstReference, toRequest } from './requests.js';

/**
 * The patient's own application to a centre (the second way in): a consultation request with
 * source `self_application` in the centre's queue, due within the self-application window. The
 * patient's consent to processing must be on record (the application carries health data).
 * The client's id makes it idempotent: the same id again returns the same request.
 */
export interface ApplicationInput {
  id: string;
  centre: CentreCode;
  profile: string;
  diagnosis: string;
  complaints: string;
  pregnancyWeeks: number | null;
}

export async function createApplication(w: WriteScope, actor: Actor, input: ApplicationInput): Promise<{ request: ConsultationRequest; replayed: boolean }> {
  if (actor.role !== 'patient' || !actor.patientId) throw forbidden();
  const patientId = actor.patientId;
  const existing = await w.tx.selectFrom('consultation_requests').selectAll().where('id', '=', input.id).executeTakeFirst();
  if (existing) {
    if (existing.patient_id === patientId && existing.source === 'self_application') return { request: toRequest(existing), replayed: true };
    throw new AppError('CONFLICT', 'Заявка с таким идентификатором уже существует. Обновите страницу и подайте заявку снова.');
  }
  checkRequestAgainstReference({ centre: input.centre, profile: input.profile, icd10: null, pregnancyWeeks: input.pregnancyWeeks });
  await requireConsent(w.tx, patientId);
  const open = await w.tx
    .selectFrom('consultation_requests')
    .select('id')
    .where('patient_id', '=', patientId)
    .where('centre', '=', input.centre)
    .where('profile', '=', input.profile)
    .where('status', 'in', ['new', 'under_review'])
    .executeTakeFirst();
  if (open) {
    throw new AppError('CONFLICT', 'У вас уже есть заявка в этот центр по этому профилю, она на рассмотрении. Дождитесь ответа врача или напишите ему в переписке по заявке.');
  }
  const patient = await w.tx.selectFrom('patients').select('referred_by').where('id', '=', patientId).executeTakeFirstOrThrow();
  const now = new Date();
  const row = {
    id: input.id,
    patient_id: patientId,
    centre: input.centre,
    profile: input.profile,
    source: 'self_application',
    status: 'new',
    icd10: null,
    diagnosis: input.diagnosis,
    complaints: input.complaints,
    urgency: 'planned',
    pregnancy_weeks: input.pregnancyWeeks,
    note: null,
    referred_by: patient.referred_by,
    assigned_doctor_id: null,
    due_at: dueAtFor('self_application', now),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await w.tx.insertInto('consultation_requests').values(row).execute();
  // The centre's doctors see it in their queue (and the patient's record) through the sync index.
  await w.changed('request', [row.id]);
  await w.changed('patient', [patientId]);
  await refreshPatientStage(w, patientId);
  return { request: toRequest(row), replayed: false };
}
