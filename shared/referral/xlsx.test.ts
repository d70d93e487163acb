import { describe, expect, it } from 'vitest';
import { analyseWorkbook } from './analyse.js';
import { REFERRAL_ERROR_CODES as E, REFERRAL_FILE_ERROR_CODES as F, ReferralFileError } from './codes.js';
import { readXlsx } from './read-xlsx.js';
import { checkZipDirectory, readZipDirectory } from './zip-guard.js';
import { makeHostileXlsx, makeXlsx, toSerial } from './fixtures/make-xlsx.js';
import { generateReferralXlsx } from './fixtures/generate.js';
import { writeZip } from './fixtures/zip-writer.js';

const TODAY = '2026-06-01';

async function fileError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ReferralFileError);
    expect((e as Error).message).toMatch(/[а-яё]/i);
    return (e as ReferralFileError).code;
  }
  throw new Error('expected a ReferralFileError');
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate-raw');
  const out = new Response(new Blob([data]).stream().pipeThrough(cs));
  return new Uint8Array(await out.arrayBuffer());
}

/** XML that writers other than SheetJS produce: inline and formula strings, rich text, phonetic
 * runs, entities, `_xHHHH_` escapes, booleans, errors, cells and rows without references. */
function handWrittenXlsx(): Uint8Array {
  const sheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Дата рождения</t></is></c><c r="D1" t="s"><v>2</v></c></row>
<row r="3" spans="1:6"><c r="A3" t="inlineStr"><is><r><t>Ива</t></r><r><rPr><b/></rPr><t xml:space="preserve">нов</t></r></is></c><c r="B3" t="str"><f>"Ив"&amp;"ан"</f><v>Иван</v></c><c r="C3" s="1"><v>29252</v></c><c r="D3" t="s"><v>3</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" t="e"><v>#N/A</v></c></row>
<row><c t="inlineStr"><is><t>A &amp; B &lt;C&gt; &#1060;&#x424;</t></is></c><c><v>1.5</v></c><c/><c t="s"><v>4</v></c></row>
<row r="10"/>
<row r="12"><c r="AA12"><v>-3</v></c></row>
</sheetData></worksheet>`;
  const sst = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<si><t>Фамилия</t></si><si><t>Имя</t></si><si><t>СНИЛС</t></si>
<si><r><t>112-233</t></r><r><t>-445 95</t></r><rPh sb="0" eb="1"><t>ПХОНЕТИКА</t></rPh></si>
<si><t>строка_x000D_перевод</t></si></sst>`;
  return writeZip([
    { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/strings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>' },
    { name: '_rels/.rels', data: '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>' },
    { name: 'xl/workbook.xml', data: '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Лист &amp; данные" sheetId="7" r:id="rIdS"/></sheets></workbook>' },
    { name: 'xl/_rels/workbook.xml.rels', data: '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/><Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>' },
    { name: 'xl/worksheets/data.xml', data: sheet },
    { name: 'xl/strings.xml', data: sst },
  ]);
}

describe('the streaming reader on hand-written XML', () => {
  it('reads every kind of cell the way Excel means it', async () => {
    const wb = await readXlsx(handWrittenXlsx());
    expect(wb.sheets[0]!.name).toBe('Лист & данные');
    const rows = wb.sheets[0]!.rows;
    expect(rows[0]).toEqual(['Фамилия', 'Имя', 'Дата рождения', 'СНИЛС']);
    expect(rows[1]).toBeUndefined();
    expect(Array.from(rows[2]!)).toEqual(['Иванов', 'Иван', 29252, '112-233-445 95', true]); // #N/A is no value
    expect(Array.from(rows[3]!)).toEqual(['A & B <C> ФФ', 1.5, undefined, 'строка\rперевод']);
    expect(rows[9]).toBeUndefined();
    expect(rows[11]![26]).toBe(-3);
    const a = analyseWorkbook(wb.sheets, { today: TODAY });
    expect(a.rows[0]!.fields).toMatchObject({ lastName: 'Иванов', firstName: 'Иван', birthDate: '1980-02-01', snils: '11223344595' });
  });
});

describe('a messy real-world table, written as XLSX and read back', () => {
  const bytes = makeXlsx([
    { name: 'Инструкция', rows: [['Заполните лист «Пациенты». Одна строка — один пациент.'], ['Пол: м или ж']] },
    {
      name: 'Пациенты',
      rows: [
        ['СПИСОК пациентов, направляемых на телеконсультации'],
        ['ГАУЗ «Республиканская клиническая больница», исх. № 15 от 01.06.2026'],
        [],
        ['№ п/п', 'Ф.И.О. пациента', 'ПОЛ (м/ж)', 'Дата рожд.', 'СНИЛС:', 'Полис ОМС', 'Моб. тел.', 'Субъект РФ', 'Направившая МО', 'ФИО врача', 'НМИЦ', 'Профиль заболевания', 'Код МКБ-10', 'Диагноз', 'Жалобы', 'Срочность', 'Срок, нед.', 'Возраст'],
        [1, 'Иванов Иван Иванович', 'муж', { serialDate: toSerial('1980-02-01') }, '112-233-445 95', null, '8 (912) 345-67-89', 'Республика Татарстан', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', null, 'плановая', null, { formula: 'DATEDIF(D5,TODAY(),"y")', cached: 46 }],
        [2, 'Петрова Анна Сергеевна', 'Ж', '1.2.1990', 8765430300, null, '+7 (922) 111 22 33', 'Татарстан', 'РКБ', 'Сидоров С.П.', 'Кулакова', 'Аритмии у плода', 'O36.8', 'Аритмия плода', null, 'Неотложная', { formula: '20+4', cached: 24 }, null],
        [3, 'Сидорова Мария', 'женский', '1995-03-15', '00100199800', null, '9221112234', '16', 'РКБ', 'Сидоров С.П.', 'Кулакова', 'Патология молочной железы', 'N60', 'Мастопатия', null, 'план', null, null],
        [null],
        [4, 'Иванов Иван Иванович', 'м', '01.02.1980', '11223344595', null, '89123456789', 'Татарстан', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', null, 'плановая', null, null],
        [5, 'Кузнецов Олег Петрович', 'м', '31.02.1970', '112-233-445 96', null, '8 (495) 123-45-67', 'Нарния', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Аритмии у плода', 'I4', 'ФП', null, 'когда-нибудь', null, null],
        [6],
        ['Итого', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
        ['Всего пациентов: 5'],
      ],
    },
  ]);

  it('reads the same cell values with the streaming reader as with SheetJS', async () => {
    for (const file of [bytes, generateReferralXlsx(3000), makeHostileXlsx(), handWrittenXlsx()]) {
      const a = await readXlsx(file, { engine: 'stream' });
      const b = await readXlsx(file, { engine: 'sheetjs' });
      expect(a.sheets.map((s) => s.name)).toEqual(b.sheets.map((s) => s.name));
      // Compare dense copies: the two readers may leave different holes for empty cells.
      const dense = (rows: readonly (readonly unknown[] | undefined)[]) => rows.map((r) => (r ? Array.from(r, (v) => v ?? null) : []).filter((_, i, arr) => arr.slice(i).some((x) => x !== null)));
      for (let i = 0; i < a.sheets.length; i++) {
        if (a.sheets[i]!.name === '__proto__') continue; // SheetJS does not expose it (see the hostile test)
        const ra = dense(a.sheets[i]!.rows);
        const rb = dense(b.sheets[i]!.rows);
        while (ra.length && !ra.at(-1)!.length) ra.pop();
        while (rb.length && !rb.at(-1)!.length) rb.pop();
        expect(ra).toEqual(rb);
      }
    }
  });

  it.each(['stream', 'sheetjs'] as const)('chooses the sheet, finds the header under the title, maps every column and classifies every row (%s)', async (engine) => {
    const wb = await readXlsx(bytes, { engine });
    expect(wb.sheets.map((s) => s.name)).toEqual(['Инструкция', 'Пациенты']);
    const a = analyseWorkbook(wb.sheets, { today: TODAY, date1904: wb.date1904 });
    expect(a.sheet.name).toBe('Пациенты');
    expect(a.mapping.headerRow).toBe(3);
    expect(a.mapping.columns.map((c) => c.target)).toEqual([
      'rowNumber', 'fullName', 'sex', 'birthDate', 'snils', 'enp', 'phone', 'region', 'referringOrganization', 'attendingPhysician', 'centre', 'profile', 'icd10', 'diagnosis', 'complaints', 'urgency', 'pregnancyWeeks', null,
    ]);
    expect(a.notices.map((n) => n.code)).toEqual(['UNMAPPED_COLUMNS']);
    expect(a.skipped).toEqual([
      { row: 1, reason: 'title' },
      { row: 2, reason: 'title' },
      { row: 3, reason: 'blank' },
      { row: 4, reason: 'header' },
      { row: 8, reason: 'blank' },
      { row: 11, reason: 'blank' },
      { row: 12, reason: 'totals' },
      { row: 13, reason: 'totals' },
    ]);
    expect(a.rows.map((r) => r.row)).toEqual([5, 6, 7, 9, 10]);
    expect(a.rows.length + a.skipped.length).toBe(13);

    const [r5, r6, r7, r9, r10] = a.rows;
    expect(r5!.fields).toMatchObject({ lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', sex: 'male', birthDate: '1980-02-01', snils: '11223344595', phone: '+79123456789', region: '16', centre: 'bakulev', profile: 'rhythm_disorders', urgency: 'planned' });
    expect(r5!.errors).toEqual([]);
    // A formula cell gives its cached value; nothing is evaluated.
    expect(r6!.fields).toMatchObject({ sex: 'female', birthDate: '1990-02-01', snils: '08765430300', phone: '+79221112233', centre: 'kulakov', profile: 'fetal_arrhythmias', urgency: 'urgent', pregnancyWeeks: 24 });
    expect(r6!.errors).toEqual([]);
    expect(r7!.fields).toMatchObject({ lastName: 'Сидорова', firstName: 'Мария', middleName: null, birthDate: '1995-03-15', snils: '00100199800', region: '16' });
    expect(r7!.errors).toEqual([]);
    expect(r9!.errors.map((e) => `${e.field}:${e.code}`)).toEqual(['snils:DUPLICATE']);
    expect(Object.fromEntries(r10!.errors.map((e) => [e.field, e.code]))).toEqual({
      birthDate: E.DATE_INVALID,
      snils: E.SNILS_CHECKSUM,
      phone: E.PHONE_NOT_MOBILE,
      region: E.REGION_UNKNOWN,
      profile: E.PROFILE_NOT_IN_CENTRE,
      icd10: E.ICD10_FORMAT,
      urgency: E.URGENCY_UNKNOWN,
    });
    expect(a.summary).toEqual({ total: 5, valid: 3, invalid: 2, skipped: 8 });
  });

  it('reads serial dates of a 1904-system workbook', async () => {
    const header = ['Фамилия', 'Имя', 'Дата рождения', 'СНИЛС'];
    const wb = await readXlsx(makeXlsx([{ name: 'x', rows: [header, ['Иванов', 'Иван', { serialDate: toSerial('1980-02-01') - 1462 }, '11223344595']] }], { date1904: true }));
    expect(wb.date1904).toBe(true);
    const a = analyseWorkbook(wb.sheets, { today: TODAY, date1904: wb.date1904 });
    expect(a.rows[0]!.fields.birthDate).toBe('1980-02-01');
  });
});

describe('guards', () => {
  it.each(['stream', 'sheetjs'] as const)('does not pollute Object.prototype with hostile sheet names, strings, defined names and custom properties (%s)', async (engine) => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const wb = await readXlsx(makeHostileXlsx(), { engine });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString.call({})).toBe('[object Object]');
    expect(wb.sheets.map((s) => s.name)).toEqual(['__proto__', 'constructor', 'Данные']);
    // The streaming reader keeps names in arrays, so even a sheet called "__proto__" is read.
    if (engine === 'stream') expect(wb.sheets[0]!.rows[0]).toEqual(['__proto__', 'constructor', 'prototype', 'constructor.prototype', '__proto__.polluted', 'hasOwnProperty', 'toString']);
    const a = analyseWorkbook(wb.sheets, { today: TODAY });
    expect(a.sheet.name).toBe('Данные');
    expect(a.rows[0]!.fields).toMatchObject({ lastName: 'Иванов', snils: '11223344595' });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });

  it.each(['stream', 'sheetjs'] as const)('refuses files that are not XLSX, too large, or too long (%s)', async (engine) => {
    expect(await fileError(readXlsx(new TextEncoder().encode('Фамилия;Имя\nИванов;Иван')))).toBe(F.NOT_XLSX);
    expect(await fileError(readXlsx(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])))).toBe(F.ENCRYPTED_OR_XLS);
    expect(await fileError(readXlsx(writeZip([{ name: 'hello.txt', data: 'hi' }])))).toBe(F.NOT_XLSX);
    const big = generateReferralXlsx(50);
    expect(await fileError(readXlsx(big, { maxFileBytes: 1000 }))).toBe(F.FILE_TOO_LARGE);
    expect(await fileError(readXlsx(big, { maxRows: 20, engine }))).toBe(F.TOO_MANY_ROWS);
    expect(await fileError(readXlsx(big.subarray(0, big.length - 30)))).toBe(F.ZIP_CORRUPT);
    expect((await readXlsx(big, { engine })).sheets[0]!.rows.length).toBe(52);
  });

  it('reads the central directory of a real workbook', () => {
    const entries = readZipDirectory(generateReferralXlsx(10));
    expect(entries.map((e) => e.name)).toContain('xl/workbook.xml');
    for (const e of entries) expect(e.uncompressedSize).toBeGreaterThan(0);
  });

  it('refuses a zip bomb from its directory, before inflating anything', async () => {
    // 64 MB of zeros deflate to ~64 KB: a ratio of about 1000.
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const packed = await deflateRaw(zeros);
    const bomb = writeZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/worksheets/sheet1.xml', data: packed, declaredMethod: 8, declaredUncompressedSize: zeros.length },
    ]);
    expect(await fileError(readXlsx(bomb))).toBe(F.ZIP_BOMB);
    // The directory alone decides: sizes claimed without any data behind them.
    const claimed = readZipDirectory(writeZip([{ name: 'a', data: 'x' }])).map((e) => ({ ...e, method: 8, uncompressedSize: 4 * 1024 ** 3 }));
    expect(() => checkZipDirectory(claimed, 1000)).toThrow(/распаковки/);
  });

  it('refuses an entry that inflates to more than its directory declares', async () => {
    const data = new Uint8Array(2 * 1024 * 1024).fill(65);
    const packed = await deflateRaw(data);
    const liar = writeZip([
      { name: 'xl/workbook.xml', data: '<workbook><sheets><sheet name="x" sheetId="1"/></sheets></workbook>' },
      { name: 'xl/worksheets/sheet1.xml', data: packed, declaredMethod: 8, declaredUncompressedSize: 1000 },
    ]);
    expect(await fileError(readXlsx(liar))).toBe(F.ZIP_BOMB);
    expect(await fileError(readXlsx(liar, { engine: 'sheetjs' }))).toBe(F.ZIP_BOMB);
  });
});
