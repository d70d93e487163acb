import { z } from 'zod';
import { Id, IsoDate } from './ids.js';
import { BatchStatus, REFERRAL_BATCH_MAX_ROWS } from './referrals.js';

/**
 * The manager's bulk import of a referral batch: per-row decisions, duplicate candidates, the
 * job's progress and the per-row outcomes.
 */
export const IMPORT_DECISIONS = ['create', 'link', 'skip'] as const;
export const ImportDecisionKind = z.enum(IMPORT_DECISIONS);
export type ImportDecisionKind = z.infer<typeof ImportDecisionKind>;

export const ImportDecision = z.strictObject({
  row: z.number().int().min(1),
  decision: ImportDecisionKind,
  /** Required for `link`, not allowed otherwise. */
  patientId: Id.optional(),
});
export type ImportDecision = z.infer<typeof ImportDecision>;

export const ImportDecisionsBody = z.strictObject({
  decisions: z.array(ImportDecision).min(1).max(REFERRAL_BATCH_MAX_ROWS),
});
export type ImportDecisionsBody = z.infer<typeof ImportDecisionsBody>;

/** Why an existing patient is a candidate (DOMAIN.md duplicate rules). */
export const DuplicateReason = z.enum(['snils', 'enp', 'name_birth_phone']);
export type DuplicateReason = z.infer<typeof DuplicateReason>;

export const DuplicateCandidate = z.object({
  id: Id,
  lastName: z.string(),
  firstName: z.string(),
  middleName: z.string().nullable(),
  birthDate: IsoDate,
  snils: z.string().nullable(),
  why: z.array(DuplicateReason),
  /**
   * The candidate's open request to the row's centre and profile, if any: the row is then most
   * likely a re-send of a table already imported, and linking would make a second request.
   */
  openRequestId: Id.nullable().default(null),
});
export type DuplicateCandidate = z.infer<typeof DuplicateCandidate>;

export const IMPORT_OUTCOMES = ['created', 'linked', 'skipped', 'rejected'] as const;
export const ImportOutcome = z.enum(IMPORT_OUTCOMES);
export type ImportOutcome = z.infer<typeof ImportOutcome>;

export const RowDuplicates = z.object({
  row: z.number().int(),
  candidates: z.array(DuplicateCandidate),
  /**
   * `create` when there is no candidate; when exactly one candidate matches by СНИЛС or ЕНП:
   * `skip` if they already have an open request to the same centre and profile (a re-sent
   * row), else `link`; otherwise null (must be decided).
   */
  defaultDecision: ImportDecisionKind.nullable(),
  defaultPatientId: Id.nullable(),
  /** The manager's decision, when one was saved. */
  decision: ImportDecisionKind.nullable(),
  decisionPatientId: Id.nullable(),
  /** Set once the row is imported. */
  outcome: ImportOutcome.nullable(),
});
export type RowDuplicates = z.infer<typeof RowDuplicates>;

export const BatchDuplicates = z.object({
  batchId: Id,
  rows: z.array(RowDuplicates),
  /** Rows that still need a decision before a commit. */
  undecided: z.array(z.number().int()),
});
export type BatchDuplicates = z.infer<typeof BatchDuplicates>;

export const ImportProgress = z.object({
  batchId: Id,
  status: BatchStatus,
  /** A job is running in this server process now. */
  running: z.boolean(),
  total: z.number().int(),
  done: z.number().int(),
  created: z.number().int(),
  linked: z.number().int(),
  skipped: z.number().int(),
  rejected: z.number().int(),
  /** The last run's failure, if it stopped on an error (commit again to resume). */
  error: z.string().nullable(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const ImportRowResult = z.object({
  row: z.number().int(),
  outcome: ImportOutcome,
  patientId: Id.nullable(),
  requestId: Id.nullable(),
  reason: z.string().nullable(),
});
export type ImportRowResult = z.infer<typeof ImportRowResult>;

export const ImportStatus = ImportProgress.extend({ rows: z.array(ImportRowResult) });
export type ImportStatus = z.infer<typeof ImportStatus>;
