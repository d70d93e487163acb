import type { ConclusionDraftContent } from '../../../shared/domain/conclusions';
import type { ConsultationRequest } from '../../../shared/domain/requests';
import { findIcd10, normaliseIcd10 } from '../../../shared/reference/icd10';

/** Pure logic of the conclusion editor (tested without a DOM). */

export function emptyContent(): ConclusionDraftContent {
  return {
    complaints: '',
    anamnesis: '',
    documentsReviewed: [],
    mainDiagnosis: null,
    secondaryDiagnoses: [],
    conclusion: '',
    recommendations: '',
    outcome: 'conclusion',
    proposedDates: [],
  };
}

/** A new draft starts from what the request already says (complaints, the referral's diagnosis). */
export function contentFromRequest(r: Pick<ConsultationRequest, 'complaints' | 'icd10' | 'diagnosis'>): ConclusionDraftContent {
  const c = emptyContent();
  c.complaints = r.complaints ?? '';
  if (r.icd10 || r.diagnosis) c.mainDiagnosis = { icd10: r.icd10 ?? '', text: r.diagnosis ?? '' };
  return c;
}

export type IcdCheck = { state: 'empty' } | { state: 'invalid' } | { state: 'ok'; code: string; name: string | null };

/** The code as typed, checked by the shared normaliser (and named when it is in the directory). */
export function checkIcd(raw: string): IcdCheck {
  if (!raw.trim()) return { state: 'empty' };
  const code = normaliseIcd10(raw);
  if (!code) return { state: 'invalid' };
  return { state: 'ok', code, name: findIcd10(code)?.name ?? null };
}

/** `VALIDATION_FAILED` issues by field path, the first message per path. */
export function issuesByPath(issues: readonly { path: string; message: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues ?? []) out[i.path] ??= i.message;
  return out;
}

/** Has the doctor written anything yet (an untouched new draft is not saved)? */
export function isBlank(c: ConclusionDraftContent): boolean {
  const e = emptyContent();
  return JSON.stringify({ ...c }) === JSON.stringify(e);
}

/** Reviewed documents: ticking one of the patient's documents adds it once, unticking removes it. */
export function toggleReviewed(
  list: ConclusionDraftContent['documentsReviewed'],
  doc: { id: string; title: string },
  on: boolean,
): ConclusionDraftContent['documentsReviewed'] {
  const without = list.filter((d) => d.documentId !== doc.id);
  return on ? [...without, { documentId: doc.id, title: doc.title }] : without;
}
