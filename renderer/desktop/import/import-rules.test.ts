import { describe, expect, it } from 'vitest';
import type { DuplicateCandidate, RowDuplicates } from '../../../shared/domain/batch-import';
import { bulkChoice, choiceFromValue, choiceValue, decisionsToSave, initialChoice, needsDecision, pages } from './decisions';
import { checkIntakeRows, rowLabel } from './intake-check';

const candidate = (id: string, why: DuplicateCandidate['why']): DuplicateCandidate => ({
  id,
  lastName: 'Иванова',
  firstName: 'Анна',
  middleName: null,
  birthDate: '1980-01-02',
  snils: '11223344595',
  why,
  openRequestId: null,
});

const row = (n: number, over: Partial<RowDuplicates> = {}): RowDuplicates => ({
  row: n,
  candidates: [],
  defaultDecision: 'create',
  defaultPatientId: null,
  decision: null,
  decisionPatientId: null,
  outcome: null,
  ...over,
});

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('review decisions', () => {
  it('starts from the saved decision, else the proposal, else none', () => {
    expect(initialChoice(row(1))).toEqual({ decision: 'create', patientId: null });
    expect(initialChoice(row(1, { defaultDecision: null, decision: 'link', decisionPatientId: A }))).toEqual({ decision: 'link', patientId: A });
    const open = row(2, { defaultDecision: null, candidates: [candidate(A, ['name_birth_phone'])] });
    expect(initialChoice(open)).toBeNull();
    expect(needsDecision(open, null)).toBe(true);
    expect(needsDecision({ ...open, outcome: 'created' }, null)).toBe(false);
  });

  it('maps the select value to a candidate and back', () => {
    const r = row(3, { candidates: [candidate(A, ['snils']), candidate(B, ['enp'])] });
    expect(choiceFromValue(r, 'link:1')).toEqual({ decision: 'link', patientId: B });
    expect(choiceValue(r, { decision: 'link', patientId: B })).toBe('link:1');
    expect(choiceFromValue(r, 'skip')).toEqual({ decision: 'skip', patientId: null });
    expect(choiceFromValue(r, '')).toBeNull();
  });

  it('applies the bulk rules only where they fit', () => {
    const snils = row(1, { defaultDecision: null, candidates: [candidate(A, ['snils'])] });
    const two = row(2, { defaultDecision: null, candidates: [candidate(A, ['snils']), candidate(B, ['snils'])] });
    const none = row(3);
    expect(bulkChoice('linkSnils', snils, null)).toEqual({ decision: 'link', patientId: A });
    expect(bulkChoice('linkSnils', two, null)).toBeUndefined();
    expect(bulkChoice('skipUndecided', two, null)).toEqual({ decision: 'skip', patientId: null });
    expect(bulkChoice('skipUndecided', none, { decision: 'create', patientId: null })).toBeUndefined();
    expect(bulkChoice('createUnmatched', none, null)).toEqual({ decision: 'create', patientId: null });
    expect(bulkChoice('createUnmatched', { ...none, outcome: 'created' }, null)).toBeUndefined();
  });

  it('saves what differs from the server, in pages', () => {
    const rows = [row(1), row(2, { decision: 'skip' }), row(3, { outcome: 'created' }), row(4, { defaultDecision: null })];
    const choices = new Map([
      [1, { decision: 'create' as const, patientId: null }],
      [2, { decision: 'skip' as const, patientId: null }],
      [3, { decision: 'skip' as const, patientId: null }],
      [4, null],
    ]);
    expect(decisionsToSave(rows, choices)).toEqual([{ row: 1, decision: 'create' }]);
    expect(pages([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('intake check', () => {
  const cells = {
    lastName: 'Табличная',
    firstName: 'Анна',
    middleName: 'Ильинична',
    sex: 'ж',
    birthDate: '01.03.1975',
    snils: '112-233-445 95',
    phone: '+7 912 345-67-89',
    region: 'Республика Татарстан',
    referringOrganization: 'ГАУЗ «РКБ»',
    attendingPhysician: 'Иванова А. А.',
    centre: 'НМИЦ ССХ им. А.Н. Бакулева',
    profile: 'Ишемическая болезнь сердца',
    icd10: 'I25.1',
    diagnosis: 'ИБС',
    urgency: 'плановая',
  };

  it('takes valid rows in stored form and rejects the others with reasons, never dropping one', () => {
    const checked = checkIntakeRows(
      [
        { row: 2, cells, excluded: false },
        { row: 3, cells: { ...cells, lastName: 'Ошибкина', snils: '123' }, excluded: false },
        { row: 4, cells: {}, excluded: false },
      ],
      { today: '2026-11-22' },
    );
    expect(checked.valid).toHaveLength(1);
    expect(checked.valid[0]).toMatchObject({ row: 2, fields: { snils: '11223344595', region: '16', centre: 'bakulev', sex: 'female' } });
    expect(checked.rejected).toEqual([{ row: 3, label: 'Ошибкина А. И.', reason: expect.stringContaining('СНИЛС') }]);
    expect(checked.rows.map((r) => [r.row, r.valid])).toEqual([
      [2, true],
      [3, false],
    ]);
    expect(checked.problems.every((p) => p.row === 3)).toBe(true);
    expect(checked.suggested).toEqual({ region: '16', organization: 'ГАУЗ «РКБ»', referrer: 'Иванова А. А.' });
  });

  it('labels a row by surname and initials', () => {
    expect(rowLabel({ lastName: 'Петров', firstName: 'иван' }, 5)).toBe('Петров И.');
    expect(rowLabel({}, 5)).toBe('Строка 5');
  });
});
