import { z } from 'zod';
import { CENTRE_CODES } from '../reference/index.js';
import { Id, IsoDateTime } from './ids.js';
import { text } from './fields.js';

export const CentreCode = z.enum(CENTRE_CODES);
export type CentreCode = z.infer<typeof CentreCode>;

/** The three ways in (DOMAIN.md "Three ways in — one queue"). */
export const REQUEST_SOURCES = ['referral', 'self_application', 'duty_booking'] as const;
export const RequestSource = z.enum(REQUEST_SOURCES);
export type RequestSource = z.infer<typeof RequestSource>;

export const REQUEST_STATUSES = [
  'new',
  'under_review',
  'scheduled',
  'consulted',
  'conclusion_issued',
  'invited',
  'cancelled',
] as const;
export const RequestStatus = z.enum(REQUEST_STATUSES);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const URGENCIES = ['planned', 'urgent'] as const;
export const Urgency = z.enum(URGENCIES);
export type Urgency = z.infer<typeof Urgency>;

/**
 * Service-level targets for notifying the patient, in days (DOMAIN.md: referral 2–4 days,
 * self-application 1–3 days). The due date is the far end of the window; duty bookings are
 * answered at the booked slot, so they get the shortest target.
 */
export const DUE_DAYS = {
  referral: 4,
  self_application: 3,
  duty_booking: 1,
} as const satisfies Record<RequestSource, number>;

export function dueAtFor(source: RequestSource, createdAt: Date): string {
  return new Date(createdAt.getTime() + DUE_DAYS[source] * 86_400_000).toISOString();
}

export const ConsultationRequest = z.object({
  id: Id,
  patientId: Id,
  centre: CentreCode,
  profile: z.string(),
  source: RequestSource,
  status: RequestStatus,
  icd10: z.string().nullable(),
  diagnosis: z.string().nullable(),
  complaints: z.string().nullable(),
  urgency: Urgency,
  pregnancyWeeks: z.number().int().nullable(),
  note: z.string().nullable(),
  referredBy: Id.nullable(),
  assignedDoctorId: Id.nullable(),
  dueAt: IsoDateTime,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type ConsultationRequest = z.infer<typeof ConsultationRequest>;

export const RequestCreate = z.strictObject({
  id: Id,
  patientId: Id,
  centre: CentreCode,
  profile: z.string().min(1).max(64),
  icd10: z.string().max(16).nullable().optional(),
  diagnosis: text(1000).nullable().optional(),
  complaints: text(2000).nullable().optional(),
  urgency: Urgency.default('planned'),
  pregnancyWeeks: z.number().int().min(1).max(45).nullable().optional(),
  note: text(2000).nullable().optional(),
});
export type RequestCreate = z.infer<typeof RequestCreate>;
export type RequestCreateInput = z.input<typeof RequestCreate>;

export const RequestTake = z.strictObject({ id: Id });
/** The manager moves a request sent to the wrong centre; the old centre loses sight of it. */
export const RequestTransfer = z.strictObject({
  id: Id,
  centre: CentreCode,
  profile: z.string().min(1).max(64),
  reason: text(1000),
});
export type RequestTransfer = z.infer<typeof RequestTransfer>;
export const RequestSetStatus = z.strictObject({
  id: Id,
  status: z.enum(['under_review', 'cancelled']),
  reason: text(1000).optional(),
});

/** Scheduling limits for one consultation slot, in minutes. */
export const CONSULTATION_MIN_MINUTES = 15;
export const CONSULTATION_MAX_MINUTES = 120;

const scheduleFields = {
  startsAt: IsoDateTime.refine((s) => Date.parse(s) > Date.now(), 'Время консультации должно быть в будущем.'),
  durationMinutes: z.number().int().min(CONSULTATION_MIN_MINUTES).max(CONSULTATION_MAX_MINUTES),
};
/** HTTP body of POST /api/requests/:id/schedule. */
export const RequestScheduleBody = z.strictObject(scheduleFields);
export type RequestScheduleBody = z.infer<typeof RequestScheduleBody>;
/** `request.schedule`: a centre doctor books a consultation for a request of their centre. */
export const RequestSchedule = z.strictObject({
  id: Id,
  /** Made by the desktop so an offline booking is the same consultation when it is replayed. */
  consultationId: Id.optional(),
  ...scheduleFields,
});
export type RequestSchedule = z.infer<typeof RequestSchedule>;
