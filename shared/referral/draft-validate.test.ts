import { describe, expect, it } from 'vitest';
import { analyseDraftRows, validateDraftRows } from './draft-validate.js';

const good = (over: Record<string, string> = {}) => ({
  lastName: 'Сидоров',
  firstName: 'Пётр',
  middleName: 'Ильич',
  sex: 'м',
  birthDate: '01.02.1980',
  snils: '112-233-445 95',
  phone: '8 (912) 345-67-89',
  region: 'Республика Татарстан',
  referringOrganization: 'ГАУЗ «РКБ»',
  attendingPhysician: 'Иванова А. А.',
  centre: 'bakulev',
  profile: 'Ишемическая болезнь сердца',
  icd10: 'I25.1',
  diagnosis: 'ИБС',
  urgency: 'плановая',
  ...over,
});

describe('draft validation (the grid uses the import engine)', () => {
  it('normalises a good row and reports nothing', () => {
    const [r] = analyseDraftRows([{ row: 1, cells: good() }], { today: '2026-11-22' });
    expect(r?.result?.errors).toEqual([]);
    expect(r?.result?.fields).toMatchObject({ snils: '11223344595', phone: '+79123456789', birthDate: '1980-02-01', sex: 'male', centre: 'bakulev', region: '16' });
  });

  it('puts each problem on its row and field, a repeated patient on the later row', () => {
    const problems = validateDraftRows(
      [
        { row: 1, cells: good() },
        { row: 2, cells: good({ lastName: 'Петров', snils: '112-233-445 96' }) },
        { row: 3, cells: good({ lastName: 'Орлов', snils: '123-456-789 64', centre: 'kulakov' }) },
        { row: 4, cells: good() },
      ],
      { today: '2026-11-22' },
    );
    expect(problems.get(1)).toBeUndefined();
    expect(problems.get(2)?.map((p) => [p.field, p.code])).toEqual([['snils', 'SNILS_CHECKSUM']]);
    expect(problems.get(3)?.map((p) => p.field)).toContain('profile');
    expect(problems.get(4)?.map((p) => p.code)).toEqual(['DUPLICATE']);
  });

  it('skips excluded and blank rows, and refuses a non-blank row that is not patient data', () => {
    const rows = [
      { row: 1, cells: good({ snils: 'плохой' }), excluded: true },
      { row: 2, cells: {} },
      { row: 3, cells: { lastName: 'Итого:', firstName: '3' } },
    ];
    const out = analyseDraftRows(rows);
    expect(out.map((r) => r.row)).toEqual([2, 3]);
    expect(out[0]?.result).toBeNull();
    expect(out[1]?.result?.errors[0]?.message).toMatch(/не похожа на данные пациента/);
  });
});
