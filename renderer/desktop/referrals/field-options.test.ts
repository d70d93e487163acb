import { describe, expect, it } from 'vitest';
import { REFERRAL_COLUMNS } from '../../../shared/referral/columns';
import { validateDraftRows } from '../../../shared/referral/draft-validate';
import { allowedHint, FIELD_WIDTH, fieldOptions, GRID_FIELDS } from './field-options';
import { columnLetter } from './MappingConfirm';

describe('grid list fields', () => {
  it('has a column for every field of the referral table, in its order, with a width', () => {
    expect(GRID_FIELDS).toEqual(REFERRAL_COLUMNS.map((c) => c.key));
    for (const f of GRID_FIELDS) expect(FIELD_WIDTH[f]).toBeGreaterThan(40);
  });

  it('offers only the profiles of the row’s centre', () => {
    const kulakov = fieldOptions('profile', 'НМИЦ АГП им. В.И. Кулакова')!;
    expect(kulakov).toContain('Аритмии у плода');
    expect(kulakov).not.toContain('Врождённые пороки сердца');
    expect(fieldOptions('profile', '')!.length).toBeGreaterThan(kulakov.length);
    expect(allowedHint('sex')).toBe('м; ж');
    expect(allowedHint('region')).toBeNull();
  });

  it('suggests values the shared validator accepts', () => {
    const base = {
      lastName: 'Иванова', firstName: 'Мария', sex: 'ж', birthDate: '01.02.1990', snils: '112-233-445 95', phone: '+7 912 345-67-89',
      referringOrganization: 'ГАУЗ РКБ', attendingPhysician: 'Петрова А. С.', icd10: 'O35.0', diagnosis: 'Порок развития плода', pregnancyWeeks: '24',
    };
    const rows = [{
      row: 1,
      excluded: false,
      cells: { ...base, region: fieldOptions('region')![15]!, centre: fieldOptions('centre')![1]!, profile: fieldOptions('profile', fieldOptions('centre')![1])![0]!, urgency: fieldOptions('urgency')![0]! },
    }];
    const issues = validateDraftRows(rows, { today: '2026-11-22' }).get(1) ?? [];
    expect(issues.filter((i) => ['sex', 'region', 'centre', 'profile', 'urgency'].includes(i.field))).toEqual([]);
  });

  it('names spreadsheet columns by letter', () => {
    expect([0, 25, 26, 27, 701].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ']);
  });
});
