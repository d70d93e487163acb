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

/**
 * Where a batch came from: a physician sending it from the app (`app`), or the project manager
 * taking in a file received another way, e.g. an e-mail attachment (`file`). For `file`, the
 * sender is described as the manager found it (region, organisation, physician) and the batch is
 * attributed to a physician account when the sender has one.
 */
export const BATCH_SOURCES = ['app', 'file'] as const;
export const BatchSource = z.enum(BATCH_SOURCES);
export type BatchSource = z.infer<typeof BatchSource>;

export const BatchOrigin = z.strictObject({
  kind: BatchSource,
  /** For `file`: the physician account the table is attributed to (null: the sender has none). */
  physicianId: Id.nullable().default(null),
  region: z.string().min(1).max(8).nullable().default(null),
  organization: text(300).nullable().default(null),
  referrer: text(200).nullable().default(null),
  /** When the file was received (the e-mail's date), if the manager knows it. */
  receivedAt: IsoDateTime.nullable().default(null),
});
export type BatchOrigin = z.infer<typeof BatchOrigin>;

/** A row of the file that could not be taken in (failed validation): kept for the batch report. */
export const RejectedRow = z.strictObject({
  row: z.number().int().min(1),
  /** Who the row is about, as far as the file says (surname and initials), for the report. */
  label: text(200),
  reason: text(1000).pipe(z.string().min(1)),
});
export type RejectedRow = z.infer<typeof RejectedRow>;

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
  // Defaults: batches stored by a desktop before these fields existed still parse.
  source: BatchSource.default('app'),
  /** Who handed the batch in (the physician for `app`, the manager for `file`). */
  submittedBy: Id.nullable().default(null),
  region: z.string().nullable().default(null),
  organization: z.string().nullable().default(null),
  referrer: z.string().nullable().default(null),
  receivedAt: IsoDateTime.nullable().default(null),
  rejectedRows: z.array(RejectedRow).default([]),
});
export type ReferralBatch = z.infer<typeof ReferralBatch>;

/** A batch without its rows, for lists. */
export const ReferralBatchSummary = ReferralBatch.omit({ rows: true, rejectedRows: true }).extend({ rejectedCount: z.number().int().default(0) });
export type ReferralBatchSummary = z.infer<typeof ReferralBatchSummary>;

/** `referral.submit`: the batch id is made on the desktop, so a re-sent batch is the same batch. */
export const ReferralSubmit = z.strictObject({
  id: Id,
  title: text(200).pipe(z.string().min(1)),
  fileName: text(255).nullable(),
  fileHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  rows: z.array(ReferralBatchRow).min(1).max(REFERRAL_BATCH_MAX_ROWS),
  /** Absent for a physician's own batch (`app`); the manager's file sets `kind: 'file'`. */
  origin: BatchOrigin.optional(),
  rejectedRows: z.array(RejectedRow).max(REFERRAL_BATCH_MAX_ROWS).default([]),
});
export type ReferralSubmit = z.infer<typeof ReferralSubmit>;
