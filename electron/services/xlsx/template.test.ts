import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { analyseWorkbook } from '../../../shared/referral/analyse.js';
import { REFERRAL_COLUMNS } from '../../../shared/referral/columns.js';
import { readXlsx } from '../../../shared/referral/read-xlsx.js';
import { readZipDirectory } from '../../../shared/referral/zip-guard.js';
import { buildReferralTemplate, TEMPLATE_DATA_ROWS } from './template.js';

function part(bytes: Uint8Array, name: string): string {
  const e = readZipDirectory(bytes).find((x) => x.name === name)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = e.localHeaderOffset + 30 + view.getUint16(e.localHeaderOffset + 26, true) + view.getUint16(e.localHeaderOffset + 28, true);
  return inflateRawSync(bytes.subarray(start, start + e.compressedSize)).toString('utf8');
}

describe('referral template', () => {
  const bytes = new Uint8Array(buildReferralTemplate());

  it('is read back by the import as an empty table with every column recognised', async () => {
    const wb = await readXlsx(bytes);
    expect(wb.sheets.map((s) => s.name)).toEqual(['Направления', 'Инструкция', 'Справочники']);
    const a = analyseWorkbook(wb.sheets, { today: '2026-06-01' });
    expect(a.sheet.name).toBe('Направления');
    expect(a.mapping.columns.map((c) => c.target)).toEqual(['rowNumber', ...REFERRAL_COLUMNS.map((c) => c.key)]);
    expect(a.mapping.columns.slice(1).every((c) => c.confidence === 'exact')).toBe(true);
    expect(a.notices).toEqual([]);
    expect(a.summary.total).toBe(0);
  });

  it('opens in SheetJS as well (well-formed parts) and hides the reference sheet', () => {
    const wb = XLSX.read(bytes, { type: 'array' });
    expect(wb.SheetNames).toEqual(['Направления', 'Инструкция', 'Справочники']);
    expect(wb.Workbook?.Sheets?.map((s) => s.Hidden ?? 0)).toEqual([0, 0, 1]);
  });

  it('has a frozen styled header, text identifier columns and dropdowns within Excel’s limits', () => {
    const sheet = part(bytes, 'xl/worksheets/sheet1.xml');
    expect(sheet).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    const dvs = [...sheet.matchAll(/<dataValidation [^>]*sqref="([^"]+)"><formula1>([^<]*)<\/formula1>/g)].map((m) => ({ sqref: m[1]!, formula: m[2]! }));
    expect(dvs).toHaveLength(7);
    for (const dv of dvs) {
      expect(dv.sqref).toMatch(new RegExp(`^[A-Z]+2:[A-Z]+${TEMPLATE_DATA_ROWS + 1}$`));
      // An inline list is a quoted string (XML-escaped here); Excel refuses one over 255 characters.
      if (dv.formula.startsWith('&quot;')) expect(dv.formula.replace(/&quot;/g, '"').length).toBeLessThanOrEqual(255);
    }
    expect(dvs.map((d) => d.formula)).toEqual(expect.arrayContaining(['list_regions', 'list_profiles', '&quot;м,ж&quot;', '&quot;плановая,неотложная&quot;']));
    // Two centres fit inline; the hidden range is there for when an administrator adds more.
    expect(dvs.map((d) => d.formula)).toContain('&quot;НМИЦ ССХ им. А.Н. Бакулева,НМИЦ АГП им. В.И. Кулакова&quot;');
    const workbook = part(bytes, 'xl/workbook.xml');
    expect(workbook).toContain(`<definedName name="list_regions">'Справочники'!$C$2:$C$90</definedName>`);
    expect(workbook).toMatch(/<sheet name="Справочники" sheetId="3" state="hidden"/);
    // СНИЛС (G), ЕНП (H) and phone (I) are text (style 3 = "@"), birth date (F) a date.
    expect(sheet).toContain('<col min="7" max="7" width="12" customWidth="1" style="3"/>');
    expect(sheet).toMatch(/<col min="6" max="6" [^>]*style="4"\/>/);
  });
});
