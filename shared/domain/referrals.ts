import { z } from 'zod';
import { Id, IsoDate, IsoDateTime } from './ids.js';
import { CentreCode, Urgency } from './requests.js';
import { Sex } from './patients.js';
import { namePart, text } from './fields.js';

/**
 * Referral batches: a regional physician's table of patients, sent to the project manager as
 * one idempotent operation (DOMAIN.md "Referral by the attending physician"). Rows are already
 * normalised by the referral engine (shared/referral) on the desktop; the server checks them
 * again with these schemas and the reference data before it accepts the batch.
 */

/** One row as sent: every field in its stored form (СНИЛС 11 digits, phone +7…, region code). */
export const ReferralRowFields = z.strictObject({
  lastName: namePart(),
  firstName: namePart(),
  middleName: namePart().nullable(),
  sex: Sex,
  birthDate: IsoDate,
  snils: z.string().regex(/^\d{11}$/),
  enp: z.string().regex(/^\d{16}$/).nullable(),
  phone: z.string().regex(/^\+7\d{10}$/),
  region: z.string().min(1).max(8),
  referringOrganization: text(300).pipe(z.string().min(1)),
  attendingPhysician: text(200).pipe(z.string().min(1)),
  centre: CentreCode,
  profile: z.string().min(1).max(64),
  icd10: z.string().min(3).max(16),
  diagnosis: text(1000).pipe(z.string().min(1)),
  complaints: text(2000).nullable(),
  urgency: Urgency,
  pregnancyWeeks: z.number().int().min(1).max(45).nullable(),
  note: text(2000).nullable(),
});
export type ReferralRowFields = z.infer<typeof ReferralRowFields>;

export const ReferralBatchRow = z.strictObject({
  /** The row's number in the physician's table (the sheet's own row, or the grid's). */
  row: z.number().int().min(1),
  fields: ReferralRowFields,
});
export type ReferralBatchRow = z.infer<typeof ReferralBatchRow>;

export const REFERRAL_BATCH_MAX_ROWS = 5000;

export const BATCH_STATUSES = ['sent', 'importing', 'imported', 'rejected'] as const;
export const BatchStatus = z.enum(BATCH_STATUSES);
export type BatchStatus = z.infer<typeof BatchStatus>;

export const ReferralBatch = z.object({
  id: Id,
  physicianId: Id,
  physicianName: z.string(),
  title: z.string(),
  /** The original file's name and SHA-256, when the table came from a file. */
  fileName: z.string().nullable(),
  fileHash: z.string().nullable(),
  rowCount: z.number().int(),
  rows: z.array(ReferralBatchRow),
  status: BatchStatus,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type ReferralBatch = z.infer<typeof ReferralBatch>;

/** A batch without its rows, for lists. */
export const ReferralBatchSummary = ReferralBatch.omit({ rows: true });
export type ReferralBatchSummary = z.infer<typeof ReferralBatchSummary>;

/** `referral.submit`: the batch id is made on the desktop, so a re-sent batch is the same batch. */
export const ReferralSubmit = z.strictObject({
  id: Id,
  title: text(200).pipe(z.string().min(1)),
  fileName: text(255).nullable(),
  fileHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  rows: z.array(ReferralBatchRow).min(1).max(REFERRAL_BATCH_MAX_ROWS),
});
export type ReferralSubmit = z.infer<typeof ReferralSubmit>;
