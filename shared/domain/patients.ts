import { z } from 'zod';
import { Id, IsoDate, IsoDateTime } from './ids.js';
import { EnpField, namePart, PhoneField, RegionField, SnilsField, text } from './fields.js';

export const SEX = ['male', 'female'] as const;
export const Sex = z.enum(SEX);
export type Sex = z.infer<typeof Sex>;

/** A birth date that is a real date in the past and not absurdly old. */
export const BirthDate = IsoDate.refine(
  (d) => d <= new Date().toISOString().slice(0, 10) && d >= '1900-01-01',
  'Дата рождения должна быть в прошлом и не ранее 1900 года.',
);

/**
 * Where a referred patient is in the programme, as the referring physician follows it. `sent`
 * belongs to a batch row not yet imported; the rest is computed by the server for a patient.
 */
export const PATIENT_STAGES = [
  'sent',
  'imported',
  'credentials_sent',
  'signed_in',
  'documents_complete',
  'under_review',
  'scheduled',
  'consulted',
  'conclusion_issued',
  'invited',
  'cancelled',
] as const;
export const PatientStage = z.enum(PATIENT_STAGES);
export type PatientStage = z.infer<typeof PatientStage>;

export const Patient = z.object({
  id: Id,
  lastName: z.string(),
  firstName: z.string(),
  middleName: z.string().nullable(),
  sex: Sex,
  birthDate: IsoDate,
  snils: z.string().nullable(),
  enp: z.string().nullable(),
  phone: z.string().nullable(),
  region: z.string().nullable(),
  referringOrganization: z.string().nullable(),
  attendingPhysician: z.string().nullable(),
  referredBy: Id.nullable(),
  /** Computed by the server from the patient's requests, documents, sign-in and credentials SMS. */
  stage: PatientStage,
  /** The referral batch and its row the patient was imported from, when imported from one. */
  batchId: Id.nullable(),
  batchRow: z.number().int().nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Patient = z.infer<typeof Patient>;

const patientFields = {
  lastName: namePart(),
  firstName: namePart(),
  middleName: namePart().nullable().optional(),
  sex: Sex,
  birthDate: BirthDate,
  snils: SnilsField.nullable().optional(),
  enp: EnpField.nullable().optional(),
  phone: PhoneField.nullable().optional(),
  region: RegionField.nullable().optional(),
  referringOrganization: text(300).nullable().optional(),
  attendingPhysician: text(200).nullable().optional(),
};

/** Creating a patient: the id is made by the client so a retried create is the same patient. */
export const PatientCreate = z.strictObject({ id: Id, ...patientFields });
export type PatientCreate = z.infer<typeof PatientCreate>;
export type PatientCreateInput = z.input<typeof PatientCreate>;

export const PatientPatch = z.strictObject({
  lastName: patientFields.lastName.optional(),
  firstName: patientFields.firstName.optional(),
  middleName: patientFields.middleName,
  sex: Sex.optional(),
  birthDate: BirthDate.optional(),
  snils: patientFields.snils,
  enp: patientFields.enp,
  phone: patientFields.phone,
  region: patientFields.region,
  referringOrganization: patientFields.referringOrganization,
  attendingPhysician: patientFields.attendingPhysician,
});
export type PatientPatch = z.infer<typeof PatientPatch>;

export const PatientUpdate = z.strictObject({ id: Id, patch: PatientPatch });
export type PatientUpdate = z.infer<typeof PatientUpdate>;
