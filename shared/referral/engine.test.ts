import { describe, expect, it } from 'vitest';
import { REFERRAL_FIELD_KEYS } from './columns.js';
import { analyseWorkbook, splitFullName, type ReferralAnalysis } from './analyse.js';
import { REFERRAL_ERROR_CODES as E, REFERRAL_FILE_ERROR_CODES, ReferralFileError } from './codes.js';
import { layoutSignature, mapHeaderRow, matchHeader, toConfirmed } from './mapping.js';
import {
  excelSerialToIso,
  normaliseCentre,
  normaliseDate,
  normaliseEnpCell,
  normalisePhoneCell,
  normalisePregnancyWeeks,
  normaliseProfile,
  normaliseRegion,
  normaliseSex,
  normaliseSnilsCell,
  normaliseUrgency,
} from './normalise.js';
import type { CellValue } from './cells.js';

const TODAY = '2026-06-01';
const ok = (value: unknown) => ({ ok: true, value });

describe('dates', () => {
  it('reads Excel serials in both date systems', () => {
    expect(excelSerialToIso(29252)).toBe('1980-02-01');
    expect(excelSerialToIso(1)).toBe('1900-01-01');
    expect(excelSerialToIso(61)).toBe('1900-03-01');
    expect(excelSerialToIso(60)).toBeNull(); // Lotus's 29 Feb 1900
    expect(excelSerialToIso(27790, true)).toBe('1980-02-01');
    expect(normaliseDate(29252.75, { today: TODAY })).toEqual(ok('1980-02-01'));
    // The arithmetic agrees with Date on every day from 1900 to 2100, in both systems.
    for (let serial = 1; serial < 73_051; serial++) {
      if (serial === 60) continue;
      const expected = new Date(Date.UTC(1899, 11, 31) + (serial < 60 ? serial : serial - 1) * 86_400_000).toISOString().slice(0, 10);
      expect(excelSerialToIso(serial)).toBe(expected);
      expect(excelSerialToIso(serial, true)).toBe(new Date(Date.UTC(1904, 0, 1) + serial * 86_400_000).toISOString().slice(0, 10));
    }
  });

  it('reads text dates in every common notation', () => {
    for (const s of ['01.02.1980', '1.2.1980', '1980-02-01', '01/02/1980', '01-02-1980', ' 01.02.1980 г.', '01.02.80', '1980.02.01']) {
      expect(normaliseDate(s, { today: TODAY }), s).toEqual(ok('1980-02-01'));
    }
    expect(normaliseDate('01.02.15', { today: TODAY })).toEqual(ok('2015-02-01'));
  });

  it('rejects impossible, partial and unknown dates with distinct codes', () => {
    expect(normaliseDate('31.02.1980', { today: TODAY })).toMatchObject({ ok: false, code: E.DATE_INVALID });
    expect(normaliseDate('1980', { today: TODAY })).toMatchObject({ ok: false, code: E.DATE_YEAR_ONLY });
    expect(normaliseDate(1980, { today: TODAY })).toMatchObject({ ok: false, code: E.DATE_YEAR_ONLY });
    expect(normaliseDate('первое февраля', { today: TODAY })).toMatchObject({ ok: false, code: E.DATE_FORMAT });
  });
});

describe('identifiers and enumerations', () => {
  it('СНИЛС with or without separators, and as a number that lost its leading zero', () => {
    for (const v of ['112-233-445 95', '11223344595', '112 233 445 95', '112.233.445-95', 11223344595]) expect(normaliseSnilsCell(v), String(v)).toEqual(ok('11223344595'));
    expect(normaliseSnilsCell(8765430300)).toEqual(ok('08765430300'));
    expect(normaliseSnilsCell('112-233-445 96')).toMatchObject({ ok: false, code: E.SNILS_CHECKSUM });
    expect(normaliseSnilsCell('1122334')).toMatchObject({ ok: false, code: E.SNILS_FORMAT });
  });

  it('ЕНП as text, and the lost digit of a 16-digit number cell', () => {
    expect(normaliseEnpCell('7700 0000 0000 0014')).toMatchObject({ ok: false });
    expect(normaliseEnpCell(7700000000000014)).toMatchObject({ ok: false, code: E.ENP_LOST_DIGITS });
  });

  it('phones in any common Russian notation, and several in one cell', () => {
    for (const v of ['8 (912) 345-67-89', '+7 912 345 67 89', '79123456789', '9123456789', '8-912-345-67-89', 89123456789, '+7(912)3456789']) {
      expect(normalisePhoneCell(v), String(v)).toEqual(ok('+79123456789'));
    }
    expect(normalisePhoneCell('8 (495) 123-45-67, 8 912 345 67 89')).toEqual(ok('+79123456789'));
    expect(normalisePhoneCell('+7 495 123-45-67')).toMatchObject({ ok: false, code: E.PHONE_NOT_MOBILE });
    expect(normalisePhoneCell('12345')).toMatchObject({ ok: false, code: E.PHONE_FORMAT });
  });

  it('sex variants', () => {
    for (const v of ['м', 'М', 'муж', 'Муж.', 'мужской', 'M']) expect(normaliseSex(v), v).toEqual(ok('male'));
    for (const v of ['ж', 'Ж', 'жен', 'жен.', 'Женский', 'F']) expect(normaliseSex(v), v).toEqual(ok('female'));
    expect(normaliseSex('?')).toMatchObject({ ok: false, code: E.SEX_UNKNOWN });
  });

  it('centre by code, name or eponym; region by code, name or core; urgency', () => {
    for (const v of ['bakulev', 'НМИЦ ССХ им. А.Н. Бакулева', 'Бакулева', 'НМИЦ им. Бакулева', 'нмиц ссх']) expect(normaliseCentre(v), v).toEqual(ok('bakulev'));
    for (const v of ['kulakov', 'НМИЦ АГП им. В.И. Кулакова', 'Центр Кулакова', 'АГП']) expect(normaliseCentre(v), v).toEqual(ok('kulakov'));
    expect(normaliseCentre('НМИЦ')).toMatchObject({ ok: false, code: E.CENTRE_UNKNOWN });
    for (const v of ['16', 'Республика Татарстан', 'Татарстан', 'респ. Татарстан', 'РЕСПУБЛИКА ТАТАРСТАН']) expect(normaliseRegion(v), v).toEqual(ok('16'));
    expect(normaliseRegion('Свердловская обл.')).toEqual(ok('66'));
    expect(normaliseRegion('г. Москва')).toEqual(ok('77'));
    expect(normaliseRegion('Нарния')).toMatchObject({ ok: false, code: E.REGION_UNKNOWN });
    expect(normaliseUrgency('Плановая')).toEqual(ok('planned'));
    expect(normaliseUrgency('срочно')).toEqual(ok('urgent'));
    expect(normaliseUrgency('когда-нибудь')).toMatchObject({ ok: false, code: E.URGENCY_UNKNOWN });
  });

  it('profile by name within the centre, ё or е, and the wrong centre named', () => {
    expect(normaliseProfile('Врождённые пороки сердца', 'bakulev')).toMatchObject({ ok: true, value: { code: 'congenital_heart_defects' } });
    expect(normaliseProfile('врожденные пороки сердца', 'bakulev')).toMatchObject({ ok: true, value: { code: 'congenital_heart_defects' } });
    expect(normaliseProfile('Аритмии у плода', 'bakulev')).toMatchObject({ ok: false, code: E.PROFILE_NOT_IN_CENTRE });
    expect(normaliseProfile('Аритмии у плода', null)).toMatchObject({ ok: true, value: { code: 'fetal_arrhythmias', centre: 'kulakov' } });
    expect(normaliseProfile('Стоматология', 'kulakov')).toMatchObject({ ok: false, code: E.PROFILE_UNKNOWN });
  });

  it('pregnancy weeks', () => {
    expect(normalisePregnancyWeeks(22)).toEqual(ok(22));
    expect(normalisePregnancyWeeks('22 нед.')).toEqual(ok(22));
    expect(normalisePregnancyWeeks(50)).toMatchObject({ ok: false, code: E.PREGNANCY_WEEKS_RANGE });
  });
});

describe('column mapping', () => {
  it('maps headers through synonyms, abbreviations, case, punctuation and ё', () => {
    const cases: [string, string][] = [
      ['Фамилия', 'lastName'],
      ['ФАМИЛИЯ', 'lastName'],
      ['фамилия пациента', 'lastName'],
      ['Дата рожд.', 'birthDate'],
      ['Д.Р.', 'birthDate'],
      ['дата  рождения (ДД.ММ.ГГГГ)', 'birthDate'],
      ['СНИЛС:', 'snils'],
      ['№ полиса ОМС', 'enp'],
      ['Тел.', 'phone'],
      ['Моб. тел.', 'phone'],
      ['Телефон для SMS', 'phone'],
      ['Ф.И.О. пациента', 'fullName'],
      ['ФИО', 'fullName'],
      ['ФИО врача', 'attendingPhysician'],
      ['Лечащий врач (ФИО)', 'attendingPhysician'],
      ['Код МКБ-10', 'icd10'],
      ['Срок беремённости, нед.', 'pregnancyWeeks'],
      ['№ п/п', 'rowNumber'],
      ['№', 'rowNumber'],
      ['Пол', 'sex'],
      ['Полис', 'enp'],
    ];
    for (const [h, target] of cases) expect(matchHeader(h)?.target, h).toBe(target);
    expect(matchHeader('Дата направления')).toBeNull();
    expect(matchHeader('Рост')).toBeNull();
  });

  it('gives a field claimed twice to the surer column, and drops ФИО when there are name columns', () => {
    const m = mapHeaderRow(['Телефон', 'Тел.', 'Фамилия', 'Имя', 'ФИО'], 0);
    expect(m.columns.map((c) => c.target)).toEqual(['phone', null, 'lastName', 'firstName', null]);
  });

  it('has a layout signature that ignores spelling noise but not layout changes', () => {
    const a = layoutSignature(['Фамилия', 'Имя', 'Дата рождения']);
    expect(layoutSignature([' фамилия ', 'ИМЯ', 'Дата  рождения:'])).toBe(a);
    expect(layoutSignature(['Имя', 'Фамилия', 'Дата рождения'])).not.toBe(a);
    expect(layoutSignature(['Фамилия', 'Имя', 'Дата рождения', 'СНИЛС'])).not.toBe(a);
    expect(a).toMatch(/^v1-[0-9a-f]{8}-3$/);
  });

  it('splits a full name, keeping a patronymic of two words', () => {
    expect(splitFullName('Иванов Иван Иванович')).toEqual({ lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович' });
    expect(splitFullName('  Мамедов  Ильхам Гейдар оглы ')).toEqual({ lastName: 'Мамедов', firstName: 'Ильхам', middleName: 'Гейдар оглы' });
    expect(splitFullName('Петров Пётр')).toEqual({ lastName: 'Петров', firstName: 'Пётр', middleName: null });
  });
});

const HEADER = ['№', 'Фамилия', 'Имя', 'Отчество', 'Пол', 'Дата рождения', 'СНИЛС', 'Полис ОМС (ЕНП)', 'Телефон для SMS', 'Регион', 'Направившая МО', 'Лечащий врач', 'Центр', 'Профиль', 'МКБ-10', 'Диагноз', 'Жалобы', 'Срочность', 'Срок беременности, нед.', 'Примечание'];
function patient(n: number, over: Partial<Record<string, CellValue>> = {}): CellValue[] {
  const base: Record<string, CellValue> = {
    '№': n,
    Фамилия: 'Иванов',
    Имя: 'Иван',
    Отчество: 'Иванович',
    Пол: 'м',
    'Дата рождения': '01.02.1980',
    СНИЛС: '112-233-445 95',
    'Полис ОМС (ЕНП)': null,
    'Телефон для SMS': '8 (912) 345-67-89',
    Регион: 'Татарстан',
    'Направившая МО': 'ГАУЗ РКБ',
    'Лечащий врач': 'Сидоров С.П.',
    Центр: 'Бакулева',
    Профиль: 'Нарушения ритма сердца',
    'МКБ-10': 'I48',
    Диагноз: 'Фибрилляция предсердий',
    Жалобы: null,
    Срочность: 'плановая',
    'Срок беременности, нед.': null,
    Примечание: null,
    ...over,
  };
  return HEADER.map((h) => base[h] ?? null);
}
const analyse = (rows: (CellValue[] | undefined)[], extra: { name: string; rows: (CellValue[] | undefined)[] }[] = []): ReferralAnalysis =>
  analyseWorkbook([...extra, { name: 'Лист1', rows }], { today: TODAY });

describe('rows', () => {
  it('classifies every row: title, blank, header, column numbers, data, numbered empty rows, totals', () => {
    const a = analyse([
      ['Список пациентов'],
      ['ГАУЗ РКБ, 2026 г.'],
      [],
      HEADER,
      HEADER.map((_, i) => i + 1),
      patient(1),
      undefined,
      patient(2, { Фамилия: 'Петров', СНИЛС: '08765430300' }),
      [3],
      ['Итого', null, 2],
    ]);
    expect(a.skipped).toEqual([
      { row: 1, reason: 'title' },
      { row: 2, reason: 'title' },
      { row: 3, reason: 'blank' },
      { row: 4, reason: 'header' },
      { row: 5, reason: 'header' },
      { row: 7, reason: 'blank' },
      { row: 9, reason: 'blank' },
      { row: 10, reason: 'totals' },
    ]);
    expect(a.rows.map((r) => r.row)).toEqual([6, 8]);
    expect(a.summary).toEqual({ total: 2, valid: 2, invalid: 0, skipped: 8 });
    // Every input row is accounted for.
    expect(a.rows.length + a.skipped.length).toBe(10);
    expect(Object.keys(a.rows[0]!.fields)).toEqual(REFERRAL_FIELD_KEYS);
    expect(a.rows[0]!.fields).toMatchObject({ lastName: 'Иванов', sex: 'male', birthDate: '1980-02-01', snils: '11223344595', phone: '+79123456789', region: '16', centre: 'bakulev', profile: 'rhythm_disorders', icd10: 'I48', urgency: 'planned' });
  });

  it('keeps a repeated page header out of the data', () => {
    const a = analyse([HEADER, patient(1), HEADER, patient(2, { Фамилия: 'Петров', СНИЛС: '08765430300' })]);
    expect(a.skipped.map((s) => s.reason)).toEqual(['header', 'header']);
    expect(a.summary.valid).toBe(2);
  });

  it('reports required fields, checksums, dates and the wrong centre per cell', () => {
    const a = analyse([
      HEADER,
      patient(1, { Фамилия: null, СНИЛС: '112-233-445 96', 'Дата рождения': '01.02.2090', Профиль: 'Аритмии у плода', Пол: 'x' }),
    ]);
    const codes = Object.fromEntries(a.rows[0]!.errors.map((e) => [e.field, e.code]));
    expect(codes).toEqual({ lastName: E.REQUIRED, sex: E.SEX_UNKNOWN, birthDate: E.DATE_IN_FUTURE, snils: E.SNILS_CHECKSUM, profile: E.PROFILE_NOT_IN_CENTRE });
    for (const e of a.rows[0]!.errors) expect(e.message).toMatch(/[а-яё]/i);
    expect(a.rows[0]!.fields.snils).toBeNull();
    expect(a.summary).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('requires pregnancy weeks for pregnancy profiles only', () => {
    const a = analyse([
      HEADER,
      patient(1, { Пол: 'ж', Центр: 'Кулакова', Профиль: 'Аритмии у плода', 'МКБ-10': 'O36.8' }),
      patient(2, { Фамилия: 'Петрова', Пол: 'ж', СНИЛС: '08765430300', Центр: 'Кулакова', Профиль: 'Аритмии у плода', 'МКБ-10': 'O36.8', 'Срок беременности, нед.': 24 }),
    ]);
    expect(a.rows[0]!.errors).toEqual([expect.objectContaining({ field: 'pregnancyWeeks', code: E.PREGNANCY_WEEKS_REQUIRED })]);
    expect(a.rows[1]!.errors).toEqual([]);
    expect(a.rows[1]!.fields.pregnancyWeeks).toBe(24);
  });

  it('checks the ICD-10 shape; an unlisted code is a warning until the full directory is loaded', () => {
    const a = analyse([HEADER, patient(1, { 'МКБ-10': 'I2' }), patient(2, { Фамилия: 'Петров', СНИЛС: '08765430300', 'МКБ-10': 'I48.9' }), patient(3, { Фамилия: 'Сидоров', СНИЛС: '00100199800', 'МКБ-10': 'і21,0' })]);
    expect(a.rows[0]!.errors.map((e) => e.code)).toEqual([E.ICD10_FORMAT]);
    expect(a.rows[2]!.fields.icd10).toBe('I21.0');
    const warned = a.rows.flatMap((r) => r.warnings.map((w) => w.code));
    expect(warned).toContain(E.ICD10_PROFILE_MISMATCH);
    const strict = analyseWorkbook([{ name: 'x', rows: [HEADER, patient(1, { 'МКБ-10': 'Z99' })] }], { today: TODAY, unknownIcd10: 'error' });
    expect(strict.rows[0]!.errors.map((e) => e.code)).toEqual([E.ICD10_UNKNOWN]);
  });

  it('flags a later row that repeats an earlier patient by СНИЛС, ЕНП, or surname + name + birth date', () => {
    const a = analyse([
      HEADER,
      patient(1),
      patient(2, { Фамилия: 'Петров' }), // same СНИЛС
      patient(3, { Фамилия: 'ИВАНОВ', СНИЛС: '08765430300' }), // same name and birth date
      patient(4, { Фамилия: 'Сидоров', Имя: 'Пётр', СНИЛС: '00100199800' }),
    ]);
    expect(a.rows.map((r) => r.errors.map((e) => `${e.field}:${e.code}`))).toEqual([[], ['snils:DUPLICATE'], ['lastName:DUPLICATE'], []]);
    expect(a.rows[1]!.errors[0]!.message).toContain('строке 2');
  });

  it('splits a single ФИО column and reports a one-word name', () => {
    const header = ['ФИО', ...HEADER.slice(4)];
    const row = (fio: string, snils: string) => [fio, ...patient(1, { СНИЛС: snils }).slice(4)];
    const a = analyse([header, row('Петрова Анна Сергеевна', '11223344595'), row('Петрова', '08765430300')]);
    expect(a.rows[0]!.fields).toMatchObject({ lastName: 'Петрова', firstName: 'Анна', middleName: 'Сергеевна' });
    expect(a.rows[1]!.errors.map((e) => e.code)).toEqual([E.FULL_NAME_INCOMPLETE]);
  });

  it('chooses the sheet with the table and says that another sheet also had one', () => {
    const a = analyseWorkbook(
      [
        { name: 'Инструкция', rows: [['Как заполнять'], ['Фамилия — как в паспорте']] },
        { name: 'Справочники', rows: [['Центр'], ['bakulev'], ['kulakov']] },
        { name: 'Пациенты', rows: [HEADER, patient(1), patient(2, { Фамилия: 'Петров', СНИЛС: '08765430300' })] },
        { name: 'Архив', rows: [HEADER, patient(1)] },
      ],
      { today: TODAY },
    );
    expect(a.sheet).toEqual({ name: 'Пациенты', index: 2 });
    expect(a.notices.map((n) => n.code)).toContain('OTHER_SHEETS_WITH_DATA');
  });

  it('refuses a workbook without any table, as data', () => {
    expect(() => analyseWorkbook([{ name: 'x', rows: [['Привет'], [1, 2, 3]] }])).toThrow(ReferralFileError);
    try {
      analyseWorkbook([{ name: 'x', rows: [] }]);
    } catch (e) {
      expect((e as ReferralFileError).code).toBe(REFERRAL_FILE_ERROR_CODES.NO_TABLE);
    }
  });

  it('reads a two-level header with merged group titles', () => {
    const top = ['№', 'Пациент', null, null, 'Пол', 'Дата рождения', 'Документы', null, 'Телефон'];
    const sub = [null, 'Фамилия', 'Имя', 'Отчество', null, null, 'СНИЛС', 'Полис ОМС', null];
    const a = analyse([['Список'], top, sub, [1, 'Иванов', 'Иван', 'Иванович', 'м', '01.02.1980', '112-233-445 95', null, '89123456789']]);
    expect(a.mapping).toMatchObject({ headerRow: 1, subHeaderRow: 2 });
    expect(a.mapping.columns.map((c) => c.target)).toEqual(['rowNumber', 'lastName', 'firstName', 'middleName', 'sex', 'birthDate', 'snils', 'enp', 'phone']);
    expect(a.skipped).toEqual([
      { row: 1, reason: 'title' },
      { row: 2, reason: 'header' },
      { row: 3, reason: 'header' },
    ]);
    expect(a.rows[0]!.fields).toMatchObject({ lastName: 'Иванов', firstName: 'Иван', snils: '11223344595', phone: '+79123456789' });
    // A data row under a one-level header is never taken for a sub-header, nor a title above it.
    const b = analyse([['Список пациентов, направленных в НМИЦ'], HEADER.map((h, i) => (i === 0 ? null : h)), patient(1)]);
    expect(b.mapping.subHeaderRow).toBeUndefined();
    expect(b.mapping.headerRow).toBe(1);
    expect(b.summary).toMatchObject({ total: 1, valid: 1 });
  });

  it('applies a confirmed mapping only to the same layout', () => {
    const header = ['Фамилия', 'Имя', 'Пол', 'Дата рождения', 'Телефон', 'Загадочная колонка'];
    const rows = [header, ['Иванов', 'Иван', 'м', '01.02.1980', '89123456789', '112-233-445 95']];
    const auto = analyseWorkbook([{ name: 'x', rows }], { today: TODAY });
    expect(auto.mapping.columns[5]).toMatchObject({ target: null, confidence: 'none' });
    const confirmed = toConfirmed(auto.mapping);
    confirmed.columns[5]!.target = 'snils';
    const again = analyseWorkbook([{ name: 'x', rows }], { today: TODAY, mapping: confirmed });
    expect(again.mapping.columns[5]).toMatchObject({ target: 'snils', confidence: 'confirmed' });
    expect(again.rows[0]!.fields.snils).toBe('11223344595');
    const other = analyseWorkbook([{ name: 'x', rows: [[...header, 'Ещё'], rows[1]!] }], { today: TODAY, mapping: confirmed });
    expect(other.mapping.columns[5]!.target).toBeNull();
  });
});
