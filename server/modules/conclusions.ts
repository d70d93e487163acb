import type { Kysely } from 'kysely';
import { ConclusionContent, type Conclusion, type ConclusionIssue } from '../../shared/domain/conclusions.js';
import type { Database } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import { AppError } from '../errors.js';

/**
 * Conclusions: loading issued versions for sync and the API (here), and — being built — issuing
 * (PDF, verification code, immutable versions), the PDF download and verification.
 */
export async function loadConclusions(db: Kysely<Database>, ids: readonly string[]): Promise<Conclusion[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('conclusions as c')
    .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
    .selectAll('c')
    .select(['r.patient_id', 'r.centre'])
    .where('c.id', 'in', [...ids])
    .where('c.issued_at', 'is not', null)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    patientId: r.patient_id,
    consultationId: r.consultation_id,
    centre: r.centre as Conclusion['centre'],
    version: Number(r.version),
    // Stored only after validation at issue: a row that does not parse is corruption.
    content: ConclusionContent.parse(JSON.parse(r.body)),
    outcome: r.outcome as Conclusion['outcome'],
    doctorId: r.issued_by,
    doctorName: r.doctor_name ?? '',
    doctorPost: r.doctor_post ?? '',
    issuedAt: r.issued_at ?? r.created_at,
    verificationCode: r.verification_code ?? '',
    pdfSha256: r.pdf_sha256 ?? '',
    supersededBy: r.superseded_by,
    correctsId: r.corrects_id,
  }));
}

// TEMPORARY SCAFFOLD (being implemented by a helper).
export async function issueConclusion(_w: WriteScope, _actor: Actor, _args: ConclusionIssue): Promise<Conclusion> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function listVisibleConclusions(_db: Kysely<Database>, _actor: Actor, _q: { requestId?: string | undefined }): Promise<Conclusion[]> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function conclusionPdf(_ctx: import('../context.js').AppContext, _actor: Actor, _id: string): Promise<{ fileName: string; bytes: Uint8Array; conclusion: Conclusion }> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function verifyByCode(_db: Kysely<Database>, _code: string): Promise<import('../../shared/domain/conclusions.js').ConclusionVerification> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function verifyByPdf(_db: Kysely<Database>, _bytes: Uint8Array): Promise<import('../../shared/domain/conclusions.js').ConclusionVerification> {
  throw new AppError('INTERNAL', 'not built yet');
}
