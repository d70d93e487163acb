import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import type { RowIssue } from '../../../shared/referral/analyse.js';
import { REFERRAL_ERROR_CODES as E } from '../../../shared/referral/codes.js';
import { REFERRAL_COLUMNS } from '../../../shared/referral/columns.js';
import { readXlsx } from '../../../shared/referral/read-xlsx.js';
import { readZipDirectory } from '../../../shared/referral/zip-guard.js';
import type { DraftRow } from '../../../shared/rpc/contract.js';
import { buildDraftExport, neutraliseFormula, stripXmlIllegal } from './draft-export.js';
import { CSV_UTF8, sofficeConvert } from './libreoffice.test-support.js';


function part(bytes: Uint8Array, name: string): string | undefined {
  const e = readZipDirectory(bytes).find((x) => x.name === name);
  if (!e) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = e.localHeaderOffset + 30 + view.getUint16(e.localHeaderOffset + 26, true) + view.getUint16(e.localHeaderOffset + 28, true);
  return inflateRawSync(bytes.subarray(start, start + e.compressedSize)).toString('utf8');
}

/** Column letter of a field in the export: A is «№», then REFERRAL_COLUMNS in order. */
const col = (key: string) => String.fromCharCode(66 + REFERRAL_COLUMNS.findIndex((c) => c.key === key));
const STATUS = String.fromCharCode(66 + REFERRAL_COLUMNS.length);

const valid: DraftRow['cells'] = {
  lastName: 'Иванова',
  firstName: 'Мария',
  middleName: 'Петровна',
  sex: 'ж',
  birthDate: '01.02.1980',
  snils: '112-233-445 95',
  enp: '1234567890123456',
  phone: '8 912 345-67-89',
  region: 'Свердловская область',
  referringOrganization: 'ГАУЗ СО «ГКБ № 40»',
  attendingPhysician: 'Петров П. П.',
  centre: 'НМИЦ ССХ им. А.Н. Бакулева',
  profile: 'Кардиохирургия',
  icd10: 'I48',
  diagnosis: 'Фибрилляция предсердий',
  urgency: 'плановая',
};

const rows: DraftRow[] = [
  { row: 2, cells: valid, excluded: false },
  {
    row: 3,
    cells: { ...valid, lastName: '<script>alert("x")</script> & \'q\'', snils: '123', note: '=HYPERLINK("http://evil")', complaints: 'строка 1\r\nстрока 2 _x0041_' },
    excluded: false,
  },
  { row: 4, cells: { ...valid, firstName: 'Ан\u0001на', complaints: '+1+1', diagnosis: '-2', middleName: '@SUM(A1)', note: '\tcmd' }, excluded: true },
  { row: 7, cells: { ...valid, birthDate: undefined as unknown as string }, excluded: false },
];
delete rows[3]!.cells.birthDate;

const problems = new Map<number, RowIssue[]>([
  [
    3,
    [
      { field: 'snils', code: E.SNILS_FORMAT, message: 'СНИЛС: нужно 11 цифр.' },
      { field: 'snils', code: E.DUPLICATE, message: 'Повтор: тот же СНИЛС в строке 2 <см.>.' },
      { field: 'lastName', code: E.NAME_FORMAT, message: 'Фамилия: недопустимые символы «<», «&».' },
    ],
  ],
  [4, [{ field: 'complaints', code: E.TOO_LONG, message: 'Жалобы: слишком длинно.' }]],
  [7, [{ field: 'birthDate', code: E.REQUIRED, message: 'Укажите дату рождения.' }]],
  [99, [{ field: 'note', code: E.TOO_LONG, message: 'нет такой строки' }]],
]);

const bytes = new Uint8Array(buildDraftExport({ title: 'Направления <ГКБ № 40> & «тест»', rows, problems }));

describe('draft export: text helpers', () => {
  it('neutralises formula-like text and strips characters XML cannot carry', () => {
    expect(['=1', '+1', '-1', '@A', '\tx', '\rx', 'ok', '', ' =1', "'x"].map(neutraliseFormula)).toEqual(["'=1", "'+1", "'-1", "'@A", "'\tx", "'\rx", 'ok', '', ' =1', "'x"]);
    expect(stripXmlIllegal('a\u0000b\u0008c\u000bd\u001fe\tf\ng\rh\uFFFEi\uD800j😀')).toBe('abcde\tf\ng\rhij😀');
  });
});

describe('draft export', () => {
  const wb = XLSX.read(bytes, { type: 'array', cellStyles: true, cellFormula: true });
  const ws = wb.Sheets['Направления']!;
  const text = (ref: string) => ws[ref]?.v as unknown;

  it('is a workbook of two sheets with the expected header', () => {
    expect(wb.SheetNames).toEqual(['Направления', 'Ошибки']);
    const header = XLSX.utils.sheet_to_json<string[]>(ws, { header: 1 })[0];
    expect(header).toEqual(['№', ...REFERRAL_COLUMNS.map((c) => c.header), 'Статус']);
    expect(wb.Props?.Title).toBe('Направления <ГКБ № 40> & «тест»');
  });

  it('round-trips values through SheetJS and through the project’s own reader', async () => {
    expect(text('A2')).toBe(2);
    expect(text('A5')).toBe(7);
    for (const c of REFERRAL_COLUMNS) expect(text(`${col(c.key)}2`) ?? '').toBe(valid[c.key] ?? '');
    expect(text(`${col('lastName')}3`)).toBe('<script>alert("x")</script> & \'q\'');
    // CR survives the file as a character reference (SheetJS itself then reads CRLF as LF); a
    // literal `_x0041_` is protected from OOXML's escape decoding.
    expect(text(`${col('complaints')}3`)).toBe('строка 1\nстрока 2 _x0041_');
    expect(part(bytes, 'xl/worksheets/sheet1.xml')).toContain('строка 1&#13;\nстрока 2 _x005F_x0041_');
    expect(text(`${col('firstName')}4`)).toBe('Анна');
    const own = await readXlsx(bytes);
    expect(own.sheets.map((s) => s.name)).toEqual(['Направления', 'Ошибки']);
    expect(own.sheets[0]!.rows[2]![col('lastName').charCodeAt(0) - 65]).toBe('<script>alert("x")</script> & \'q\'');
    expect(own.sheets[0]!.rows.length).toBe(5);
  });

  it('neutralises formula-like text and writes no formula anywhere', () => {
    expect(text(`${col('note')}3`)).toBe('\'=HYPERLINK("http://evil")');
    expect(text(`${col('complaints')}4`)).toBe("'+1+1");
    expect(text(`${col('diagnosis')}4`)).toBe("'-2");
    expect(text(`${col('middleName')}4`)).toBe("'@SUM(A1)");
    expect(text(`${col('note')}4`)).toBe("'\tcmd");
    for (const name of wb.SheetNames) {
      const sheet = wb.Sheets[name]!;
      for (const [ref, cell] of Object.entries(sheet)) {
        if (ref.startsWith('!')) continue;
        expect((cell as XLSX.CellObject).f, `${name}!${ref}`).toBeUndefined();
      }
    }
    for (const name of ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']) {
      const xml = part(bytes, name)!;
      expect(xml).not.toMatch(/<f[ >]/);
      expect(xml).not.toContain('<script>');
      // Every non-numeric cell is an inline string.
      for (const m of xml.matchAll(/<c r="[A-Z]+\d+"([^>]*?)(\/?)>/g)) if (m[2] !== '/' && !m[1]!.includes('t="inlineStr"')) expect(m[0]).toMatch(/^<c r="A\d+"/);
    }
  });

  it('fills and comments every problem cell, with the messages', () => {
    const styles = part(bytes, 'xl/styles.xml')!;
    const xfs = [...styles.split('<cellXfs')[1]!.matchAll(/<xf [^>]*fillId="(\d+)"/g)].map((m) => Number(m[1]));
    const fills = [...styles.matchAll(/<fill>(.*?)<\/fill>/g)].map((m) => m[1]!);
    const sheet = part(bytes, 'xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos;');
    const fillOf = (ref: string) => {
      const s = new RegExp(`<c r="${ref}"[^>]* s="(\\d+)"`).exec(sheet)?.[1];
      return fills[xfs[Number(s ?? 0)]!]!;
    };
    const problemCells = [`${col('snils')}3`, `${col('lastName')}3`, `${col('complaints')}4`, `${col('birthDate')}5`];
    for (const ref of problemCells) expect(fillOf(ref), ref).toContain('<patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/>');
    expect(fillOf(`${col('snils')}2`)).toBe('<patternFill patternType="none"/>');
    expect(fillOf(`${col('snils')}4`)).toContain('FFEDEDED'); // excluded: grey

    const comment = (ref: string) => ((ws[ref] as XLSX.CellObject | undefined)?.c ?? []).map((c) => c.t).join('\n');
    expect(comment(`${col('snils')}3`)).toContain('СНИЛС: нужно 11 цифр.');
    expect(comment(`${col('snils')}3`)).toContain('Повтор: тот же СНИЛС в строке 2 <см.>.');
    expect(comment(`${col('lastName')}3`)).toContain('Фамилия: недопустимые символы «<», «&».');
    expect(comment(`${col('birthDate')}5`)).toContain('Укажите дату рождения.');
    expect(comment(`${col('snils')}2`)).toBe('');

    expect(readZipDirectory(bytes).map((e) => e.name)).toEqual(expect.arrayContaining(['xl/comments1.xml', 'xl/drawings/vmlDrawing1.vml', 'xl/worksheets/_rels/sheet1.xml.rels']));
    expect(sheet).toContain('<legacyDrawing r:id="rId2"/>');
    expect(sheet).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    const vml = part(bytes, 'xl/drawings/vmlDrawing1.vml')!;
    expect(vml.match(/ObjectType="Note"/g)).toHaveLength(problemCells.length);
    expect(part(bytes, '[Content_Types].xml')).toContain('/xl/comments1.xml');
  });

  it('marks excluded and failing rows in «Статус»', () => {
    expect(text(`${STATUS}2`)).toBeUndefined();
    expect(text(`${STATUS}3`)).toBe('ошибки: 3');
    expect(text(`${STATUS}4`)).toBe('исключена; ошибки: 1');
    expect(text(`${STATUS}5`)).toBe('ошибки: 1');
  });

  it('lists every issue of the draft’s rows on «Ошибки»', () => {
    const list = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets['Ошибки']!, { header: 1 });
    expect(list).toEqual([
      ['Строка', 'Поле', 'Сообщение'],
      [3, 'СНИЛС', 'СНИЛС: нужно 11 цифр.'],
      [3, 'СНИЛС', 'Повтор: тот же СНИЛС в строке 2 <см.>.'],
      [3, 'Фамилия', 'Фамилия: недопустимые символы «<», «&».'],
      [4, 'Жалобы кратко', 'Жалобы: слишком длинно.'],
      [7, 'Дата рождения', 'Укажите дату рождения.'],
    ]);
  });

  it('writes no comment parts for a draft without problems, and an empty draft still opens', () => {
    const clean = new Uint8Array(buildDraftExport({ title: 't', rows: [rows[0]!], problems: new Map() }));
    const names = readZipDirectory(clean).map((e) => e.name);
    expect(names).not.toContain('xl/comments1.xml');
    expect(part(clean, 'xl/worksheets/sheet1.xml')).not.toContain('legacyDrawing');
    const empty = XLSX.read(buildDraftExport({ title: '', rows: [], problems: new Map() }), { type: 'buffer' });
    expect(empty.SheetNames).toEqual(['Направления', 'Ошибки']);
  });
});

describe('draft export in LibreOffice', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oblako-draft-export-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens and converts to CSV with the values intact', { timeout: 60_000 }, async () => {
    const file = join(dir, 'draft.xlsx');
    await writeFile(file, bytes);
    await sofficeConvert(file, CSV_UTF8, dir, dir);
    const csvPath = join(dir, 'draft.csv');
    expect(existsSync(csvPath), 'LibreOffice produced no CSV: it could not open the file').toBe(true);
    const csv = await readFile(csvPath, 'utf8');
    const lines = csv.split('\n');
    expect(lines[0]).toContain('Фамилия');
    expect(lines[0]).toContain('Статус');
    expect(csv).toContain('Иванова');
    expect(csv).toContain('ГАУЗ СО «ГКБ № 40»');
    expect(csv).toContain('<script>alert(""x"")</script> & \'q\'');
    expect(csv).toContain('\'=HYPERLINK(""http://evil"")');
    expect(csv).toContain("'+1+1");
    expect(csv).toContain("'-2");
    expect(csv).toContain("'@SUM(A1)");
    expect(csv).toContain('исключена; ошибки: 1');

    // Saved back as XLSX by LibreOffice, the notes and the fill are still there: it read them.
    const out = join(dir, 'lo');
    await sofficeConvert(file, 'xlsx', out, dir);
    const again = XLSX.read(await readFile(join(out, 'draft.xlsx')), { type: 'buffer', cellStyles: true });
    const sheet = again.Sheets['Направления']!;
    const note = (ref: string) => ((sheet[ref] as XLSX.CellObject | undefined)?.c ?? []).map((c) => c.t).join('\n');
    expect(note(`${col('snils')}3`)).toContain('СНИЛС: нужно 11 цифр.');
    expect(note(`${col('birthDate')}5`)).toContain('Укажите дату рождения.');
    expect(again.SheetNames).toEqual(['Направления', 'Ошибки']);
  });
});
