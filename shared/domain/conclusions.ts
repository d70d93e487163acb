import { z } from 'zod';
import { Id, IsoDate, IsoDateTime } from './ids.js';
import { CentreCode } from './requests.js';
import { text } from './fields.js';

/**
 * The doctor's conclusion (Order 193н: a signed medical document; Order 947н: a corrected
 * document keeps its earlier versions). The doctor writes structured content; issuing it makes
 * an immutable version with an A4 PDF and a verification code (SHA-256 of the canonical content)
 * that the central API can check. A correction is a new version pointing at the one it corrects.
 */
export const CONCLUSION_OUTCOMES = ['conclusion', 'invitation'] as const;
export const ConclusionOutcome = z.enum(CONCLUSION_OUTCOMES);
export type ConclusionOutcome = z.infer<typeof ConclusionOutcome>;

export const Diagnosis = z.strictObject({
  /** ICD-10 (МКБ-10), normalised like `I25.1`. */
  icd10: z.string().regex(/^[A-Z]\d{2}(\.\d{1,2})?$/, 'Код МКБ-10: буква и две цифры, например I25 или I25.1.'),
  text: text(500).pipe(z.string().min(1)),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** What the doctor writes. Every text is plain text (rendered as text everywhere, PDF included). */
const contentFields = {
  complaints: text(4000),
  anamnesis: text(8000),
  /** The documents the doctor reviewed: their ids when they are in the service, with a title. */
  documentsReviewed: z.array(z.strictObject({ documentId: Id.nullable(), title: text(300).pipe(z.string().min(1)) })).max(100),
  mainDiagnosis: Diagnosis,
  secondaryDiagnoses: z.array(Diagnosis).max(20),
  conclusion: text(8000).pipe(z.string().min(1, 'Напишите заключение.')),
  recommendations: text(8000),
  outcome: ConclusionOutcome,
  /** For an invitation to an in-person visit: the proposed dates (at least one). */
  proposedDates: z.array(IsoDate).max(10),
};
export const ConclusionContent = z.strictObject(contentFields).refine((c) => c.outcome !== 'invitation' || c.proposedDates.length > 0, {
  path: ['proposedDates'],
  message: 'Для приглашения на очный приём предложите хотя бы одну дату.',
});
export type ConclusionContent = z.infer<typeof ConclusionContent>;

/**
 * A draft as the editor keeps it (local, possibly offline): anything may still be missing or
 * half-typed; `ConclusionContent` checks it at «Выдать».
 */
export const ConclusionDraftContent = z.strictObject({
  complaints: z.string().max(4000).default(''),
  anamnesis: z.string().max(8000).default(''),
  documentsReviewed: z.array(z.strictObject({ documentId: Id.nullable(), title: z.string().max(300) })).max(100).default([]),
  mainDiagnosis: z.strictObject({ icd10: z.string().max(16), text: z.string().max(500) }).nullable().default(null),
  secondaryDiagnoses: z.array(z.strictObject({ icd10: z.string().max(16), text: z.string().max(500) })).max(20).default([]),
  conclusion: z.string().max(8000).default(''),
  recommendations: z.string().max(8000).default(''),
  outcome: ConclusionOutcome.default('conclusion'),
  proposedDates: z.array(IsoDate).max(10).default([]),
});
export type ConclusionDraftContent = z.infer<typeof ConclusionDraftContent>;

/** `conclusion.issue`: the id of the new version is made on the desktop (idempotent offline). */
export const ConclusionIssue = z.strictObject({
  id: Id,
  requestId: Id,
  consultationId: Id.nullable(),
  content: ConclusionContent,
  /** For a correction: the issued version this one replaces. */
  correctsId: Id.nullable(),
});
export type ConclusionIssue = z.infer<typeof ConclusionIssue>;

export const Conclusion = z.object({
  id: Id,
  requestId: Id,
  patientId: Id,
  consultationId: Id.nullable(),
  centre: CentreCode,
  version: z.number().int().min(1),
  content: ConclusionContent,
  outcome: ConclusionOutcome,
  doctorId: Id,
  doctorName: z.string(),
  doctorPost: z.string(),
  issuedAt: IsoDateTime,
  /** SHA-256 (hex) of the canonical content: printed with a QR code on the PDF. */
  verificationCode: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 (hex) of the PDF file as issued. */
  pdfSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Set when a later version corrects this one. */
  supersededBy: Id.nullable(),
  correctsId: Id.nullable(),
});
export type Conclusion = z.infer<typeof Conclusion>;

/** The central API's answer to «is this conclusion genuine?» (by code, or by the PDF's bytes). */
export const ConclusionVerification = z.object({
  valid: z.boolean(),
  /** Only what the paper itself shows; no patient data beyond it. */
  conclusionId: Id.nullable(),
  version: z.number().int().nullable(),
  issuedAt: IsoDateTime.nullable(),
  centre: CentreCode.nullable(),
  /** A later version corrects this one: the holder should ask for the current one. */
  superseded: z.boolean(),
  reason: z.string().nullable(),
});
export type ConclusionVerification = z.infer<typeof ConclusionVerification>;
