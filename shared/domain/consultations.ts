import { z } from 'zod';
import { Id, IsoDateTime } from './ids.js';
import { CentreCode, CONSULTATION_MAX_MINUTES, CONSULTATION_MIN_MINUTES } from './requests.js';
import { text } from './fields.js';

/**
 * Consultations: a request booked into a doctor's time (a regular consultation), or a duty
 * doctor's slot booked by a patient (`duty`). Rescheduling cancels the old consultation and makes
 * a new one that points back at it, so the history says what happened and when.
 */
export const CONSULTATION_STATUSES = ['scheduled', 'completed', 'cancelled'] as const;
export const ConsultationStatus = z.enum(CONSULTATION_STATUSES);
export type ConsultationStatus = z.infer<typeof ConsultationStatus>;

export const CONSULTATION_KINDS = ['regular', 'duty'] as const;
export const ConsultationKind = z.enum(CONSULTATION_KINDS);
export type ConsultationKind = z.infer<typeof ConsultationKind>;

/** Who cancelled: the doctor (desktop), the patient (portal), or the system (request cancelled). */
export const CancelledBy = z.enum(['doctor', 'patient', 'system']);
export type CancelledBy = z.infer<typeof CancelledBy>;

export const Consultation = z.object({
  id: Id,
  requestId: Id,
  patientId: Id,
  doctorId: Id,
  doctorName: z.string(),
  centre: CentreCode,
  kind: ConsultationKind,
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  status: ConsultationStatus,
  cancelReason: z.string().nullable(),
  cancelledBy: CancelledBy.nullable(),
  /** For a rescheduled consultation: the one it replaced. */
  rescheduledFrom: Id.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Consultation = z.infer<typeof Consultation>;

export const CancelReason = text(500).pipe(z.string().min(3, 'Укажите причину (не короче 3 символов).'));

const timeFields = {
  startsAt: IsoDateTime.refine((s) => Date.parse(s) > Date.now(), 'Время консультации должно быть в будущем.'),
  durationMinutes: z.number().int().min(CONSULTATION_MIN_MINUTES).max(CONSULTATION_MAX_MINUTES),
};

/** `consultation.reschedule`: a new time for a scheduled consultation; `newId` is made by the client. */
export const ConsultationReschedule = z.strictObject({ id: Id, newId: Id, ...timeFields, reason: CancelReason });
export type ConsultationReschedule = z.infer<typeof ConsultationReschedule>;

/** `consultation.cancel` (doctor) and POST /api/consultations/:id/cancel (patient or doctor). */
export const ConsultationCancel = z.strictObject({ id: Id, reason: CancelReason });
export type ConsultationCancel = z.infer<typeof ConsultationCancel>;
export const ConsultationCancelBody = z.strictObject({ reason: CancelReason });

/** `consultation.complete`: the doctor marks the consultation held (the call ended). */
export const ConsultationComplete = z.strictObject({ id: Id });

/** Hours before a consultation when the patient is reminded (in the portal and by SMS). */
export const REMINDER_HOURS_BEFORE = 24;
