import { describe, expect, it } from 'vitest';
import { ConclusionDraftContent } from '../../shared/domain/conclusions.js';
import { checkDraftForIssue } from './conclusion-handlers.js';

const draft = (over: Partial<ConclusionDraftContent> = {}) => ConclusionDraftContent.parse({ conclusion: 'Показано лечение.', mainDiagnosis: { icd10: 'i25,1', text: 'ИБС' }, ...over });

describe('checkDraftForIssue', () => {
  it('normalises codes and drops empty extra rows', () => {
    const r = checkDraftForIssue(
      draft({
        secondaryDiagnoses: [{ icd10: '', text: ' ' }, { icd10: 'І10', text: 'Гипертензия' }],
        documentsReviewed: [{ documentId: null, title: '  ' }, { documentId: null, title: 'ЭКГ от 01.11' }],
      }),
    );
    expect(r.issues).toEqual([]);
    expect(r.content?.mainDiagnosis).toEqual({ icd10: 'I25.1', text: 'ИБС' });
    expect(r.content?.secondaryDiagnoses).toEqual([{ icd10: 'I10', text: 'Гипертензия' }]);
    expect(r.content?.documentsReviewed).toEqual([{ documentId: null, title: 'ЭКГ от 01.11' }]);
  });

  it('names every problem by the field it belongs to, in Russian', () => {
    const r = checkDraftForIssue(
      ConclusionDraftContent.parse({ outcome: 'invitation', secondaryDiagnoses: [{ icd10: 'xyz', text: 'что-то' }, { icd10: 'E11', text: '' }] }),
    );
    expect(r.content).toBeNull();
    expect(r.issues.map((i) => i.path)).toEqual([
      'mainDiagnosis.icd10',
      'mainDiagnosis.text',
      'secondaryDiagnoses.0.icd10',
      'secondaryDiagnoses.1.text',
      'conclusion',
      'proposedDates',
    ]);
    expect(r.issues.every((i) => /[а-яё]/i.test(i.message))).toBe(true);
  });

  it('keeps proposed dates only for an invitation', () => {
    expect(checkDraftForIssue(draft({ proposedDates: ['2026-12-01'] })).content?.proposedDates).toEqual([]);
    expect(checkDraftForIssue(draft({ outcome: 'invitation', proposedDates: ['2026-12-03', '2026-12-01', '2026-12-03'] })).content?.proposedDates).toEqual([
      '2026-12-01',
      '2026-12-03',
    ]);
  });
});
