import { describe, expect, it } from 'vitest';
import { checkIcd, contentFromRequest, emptyContent, isBlank, issuesByPath, toggleReviewed } from './editor-model';

describe('conclusion editor model', () => {
  it('checks ICD-10 codes with the shared normaliser', () => {
    expect(checkIcd(' ')).toEqual({ state: 'empty' });
    expect(checkIcd('абв')).toEqual({ state: 'invalid' });
    const ok = checkIcd('i25,1');
    expect(ok.state).toBe('ok');
    if (ok.state === 'ok') expect(ok.code).toBe('I25.1');
  });

  it('starts a draft from the request', () => {
    const c = contentFromRequest({ complaints: 'Одышка', icd10: 'I25.1', diagnosis: 'ИБС' });
    expect(c.complaints).toBe('Одышка');
    expect(c.mainDiagnosis).toEqual({ icd10: 'I25.1', text: 'ИБС' });
    expect(contentFromRequest({ complaints: null, icd10: null, diagnosis: null }).mainDiagnosis).toBeNull();
    expect(isBlank(emptyContent())).toBe(true);
    expect(isBlank(c)).toBe(false);
  });

  it('maps issues by path and toggles reviewed documents', () => {
    expect(issuesByPath([{ path: 'conclusion', message: 'a' }, { path: 'conclusion', message: 'b' }])).toEqual({ conclusion: 'a' });
    const one = toggleReviewed([], { id: 'd1', title: 'ЭКГ' }, true);
    expect(toggleReviewed(one, { id: 'd1', title: 'ЭКГ' }, true)).toHaveLength(1);
    expect(toggleReviewed(one, { id: 'd1', title: 'ЭКГ' }, false)).toEqual([]);
  });
});
