import { writeFile } from 'node:fs/promises';
import { REFERRAL_COLUMNS, ROW_NUMBER_COLUMN, type ReferralFieldKey } from '../../../shared/referral/columns.js';
import type { RowIssue } from '../../../shared/referral/analyse.js';
import type { DraftRow } from '../../../shared/rpc/contract.js';
import { cellText, colName, emptyCell, escapeXml, numberCell, stripXmlIllegal, textCell, widthOf } from '../../../shared/xlsx/sheet-writer.js';
import { createLogger } from '../logger.js';
import { zipFiles } from './zip-write.js';

// Re-exported: callers and tests know them from here.
export { neutraliseFormula, stripXmlIllegal } from '../../../shared/xlsx/sheet-writer.js';

/**
 * A draft (the physician's referral table) exported as XLSX, written as SpreadsheetML by hand like
 * the template (SheetJS community writes neither styles nor comments):
 *  - sheet «Направления»: «№», the REFERRAL_COLUMNS headers and «Статус»; a bold, filled, frozen
 *    header with an autofilter; one row per draft row, excluded rows greyed and marked «исключена»;
 *    every problem cell filled pink and carrying a note (legacy comments part + VML drawing, which
 *    is what both Excel and LibreOffice show as a cell note) with the Russian message(s);
 *  - sheet «Ошибки»: «Строка, Поле, Сообщение», one line per issue.
 * Every value is an inline string (numbers for row numbers), never a formula; text that a
 * spreadsheet could take for a formula (leading = + - @ tab CR) gets a leading apostrophe, and data
 * columns are text-formatted ("@") so that re-entering a cell does not evaluate it either.
 */
const log = createLogger('xlsx-draft-export');

const SHEET_DATA = 'Направления';
const SHEET_ERRORS = 'Ошибки';
const STATUS_HEADER = 'Статус';
const AUTHOR = 'Облако здоровья';

export interface DraftExportInput {
  title: string;
  rows: readonly DraftRow[];
  /** Issues by DraftRow.row. */
  problems: ReadonlyMap<number, readonly RowIssue[]>;
}

const esc = escapeXml;

// Style indexes in styles.xml's cellXfs.
const S = { header: 1, text: 2, problem: 3, excluded: 4, statusError: 5, number: 6, numberExcluded: 7, wrap: 8, statusExcluded: 9 } as const;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="5"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><sz val="11"/><color rgb="FF808080"/><name val="Calibri"/><family val="2"/></font><font><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="5"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFEDEDED"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="10">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="49" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="3" fillId="3" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1"/>
<xf numFmtId="49" fontId="2" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>
<xf numFmtId="49" fontId="4" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="1" fontId="2" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="49" fontId="4" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

interface Note {
  ref: string;
  row0: number;
  col0: number;
  text: string;
}

function sheetXml(opts: { cols: string; rows: string; lastRef: string; freezeAt: string; autoFilter: boolean; legacyDrawing: boolean; tabSelected: boolean }): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<dimension ref="A1:${opts.lastRef}"/>
<sheetViews><sheetView${opts.tabSelected ? ' tabSelected="1"' : ''} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="${opts.freezeAt}" sqref="${opts.freezeAt}"/></sheetView></sheetViews>
<sheetFormatPr defaultRowHeight="15"/>
<cols>${opts.cols}</cols>
<sheetData>${opts.rows}</sheetData>
${opts.autoFilter ? `<autoFilter ref="A1:${opts.lastRef}"/>\n` : ''}<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>
${opts.legacyDrawing ? '<legacyDrawing r:id="rId2"/>\n' : ''}</worksheet>`;
}

function commentsXml(notes: readonly Note[]): string {
  const list = notes
    .map((n) => `<comment ref="${n.ref}" authorId="0"><text><r><rPr><sz val="9"/><rFont val="Tahoma"/><family val="2"/></rPr><t xml:space="preserve">${esc(n.text)}</t></r></text></comment>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>${esc(AUTHOR)}</author></authors><commentList>${list}</commentList></comments>`;
}

/** The VML shapes Excel anchors notes with: one hidden text box per comment, in order. */
function vmlXml(notes: readonly Note[]): string {
  // Shape ids are 1024 × block + n; the idmap lists the blocks used.
  const blocks = Array.from({ length: Math.floor((notes.length + 1024) / 1024) }, (_, i) => i + 1).join(',');
  const shapes = notes
    .map((n, i) => {
      const lines = n.text.split('\n').reduce((acc, l) => acc + Math.max(1, Math.ceil(l.length / 40)), 0);
      const rows = Math.min(12, Math.max(3, lines + 1));
      return `<v:shape id="_x0000_s${1025 + i}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:220pt;height:${rows * 15}pt;z-index:${i + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${n.col0 + 1}, 15, ${Math.max(0, n.row0 - 1)}, 2, ${n.col0 + 4}, 15, ${Math.max(0, n.row0 - 1) + rows}, 2</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>${n.row0}</x:Row><x:Column>${n.col0}</x:Column></x:ClientData></v:shape>`;
    })
    .join('\n');
  return `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${blocks}"/></o:shapelayout>
<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>
${shapes}
</xml>`;
}

/** The draft as XLSX bytes. */
export function buildDraftExport(input: DraftExportInput): Buffer {
  const columns: { header: string; key: ReferralFieldKey | null }[] = [
    { header: ROW_NUMBER_COLUMN.header, key: null },
    ...REFERRAL_COLUMNS.map((c) => ({ header: c.header, key: c.key as ReferralFieldKey })),
    { header: STATUS_HEADER, key: null },
  ];
  const statusCol = columns.length - 1;
  const headerOf = new Map<string, string>(REFERRAL_COLUMNS.map((c) => [c.key, c.header]));
  const colOfField = new Map<string, number>(REFERRAL_COLUMNS.map((c, i) => [c.key, i + 1]));
  const texts: string[][] = columns.map((c) => [c.header]);

  const notes: Note[] = [];
  const errorLines: { row: number; field: string; message: string }[] = [];
  const known = new Set<number>();
  let sheetRows = `<row r="1" ht="48" customHeight="1">${columns.map((c, i) => textCell(`${colName(i)}1`, c.header, S.header)).join('')}</row>`;

  input.rows.forEach((draft, i) => {
    const r = i + 2;
    known.add(draft.row);
    const issues = input.problems.get(draft.row) ?? [];
    const byField = new Map<string, string[]>();
    for (const issue of issues) {
      const list = byField.get(issue.field) ?? [];
      list.push(issue.message);
      byField.set(issue.field, list);
      errorLines.push({ row: draft.row, field: headerOf.get(issue.field) ?? issue.field, message: issue.message });
    }
    let cells = numberCell(`A${r}`, draft.row, draft.excluded ? S.numberExcluded : S.number);
    texts[0]!.push(String(draft.row));
    for (let c = 1; c < statusCol; c++) {
      const key = columns[c]!.key!;
      const ref = `${colName(c)}${r}`;
      const value = draft.cells[key] ?? '';
      const messages = byField.get(key);
      const style = messages ? S.problem : draft.excluded ? S.excluded : S.text;
      cells += value === '' ? (style === S.text ? '' : emptyCell(ref, style)) : textCell(ref, value, style);
      if (value !== '') texts[c]!.push(cellText(value));
      if (messages) notes.push({ ref, row0: r - 1, col0: c, text: messages.join('\n') });
    }
    // A problem on a field that has no column (should not happen) still shows in the status.
    const status = [draft.excluded ? 'исключена' : '', issues.length > 0 ? `ошибки: ${issues.length}` : ''].filter(Boolean).join('; ');
    const statusStyle = issues.length > 0 ? (draft.excluded ? S.statusExcluded : S.statusError) : draft.excluded ? S.excluded : S.text;
    if (status) {
      cells += textCell(`${colName(statusCol)}${r}`, status, statusStyle);
      texts[statusCol]!.push(status);
    }
    for (const field of byField.keys()) if (!colOfField.has(field)) log.warn({ row: draft.row, field }, 'issue on a field with no column');
    sheetRows += `<row r="${r}">${cells}</row>`;
  });

  const orphans = [...input.problems.keys()].filter((row) => !known.has(row));
  if (orphans.length > 0) log.warn({ rows: orphans.slice(0, 20), count: orphans.length }, 'problems for rows not in the draft are left out');

  const lastRow = input.rows.length + 1;
  const dataCols = columns
    .map((c, i) => {
      const w = i === 0 ? widthOf(texts[i]!, 5, 8) : i === statusCol ? widthOf(texts[i]!, 12, 24) : widthOf(texts[i]!, 10, 50);
      return `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1" style="${i === 0 ? S.number : S.text}"/>`;
    })
    .join('');
  const dataSheet = sheetXml({ cols: dataCols, rows: sheetRows, lastRef: `${colName(statusCol)}${lastRow}`, freezeAt: 'B2', autoFilter: true, legacyDrawing: notes.length > 0, tabSelected: true });

  const errHeaders = ['Строка', 'Поле', 'Сообщение'];
  let errRows = `<row r="1" ht="20" customHeight="1">${errHeaders.map((h, i) => textCell(`${colName(i)}1`, h, S.header)).join('')}</row>`;
  errorLines.forEach((e, i) => {
    const r = i + 2;
    errRows += `<row r="${r}">${numberCell(`A${r}`, e.row, S.number)}${textCell(`B${r}`, e.field, S.text)}${textCell(`C${r}`, e.message, S.wrap)}</row>`;
  });
  const errCols = [
    `<col min="1" max="1" width="9" customWidth="1"/>`,
    `<col min="2" max="2" width="${widthOf([errHeaders[1]!, ...errorLines.map((e) => e.field)], 12, 40)}" customWidth="1"/>`,
    `<col min="3" max="3" width="${widthOf([errHeaders[2]!, ...errorLines.map((e) => e.message)], 30, 100)}" customWidth="1"/>`,
  ].join('');
  const errorsSheet = sheetXml({ cols: errCols, rows: errRows, lastRef: `C${errorLines.length + 1}`, freezeAt: 'A2', autoFilter: errorLines.length > 0, legacyDrawing: false, tabSelected: false });

  const filterName = (sheetIndex: number, sheet: string, ref: string) => `<definedName name="_xlnm._FilterDatabase" localSheetId="${sheetIndex}" hidden="1">'${esc(sheet)}'!${ref}</definedName>`;
  const definedNames = [filterName(0, SHEET_DATA, `$A$1:$${colName(statusCol)}$${lastRow}`), ...(errorLines.length > 0 ? [filterName(1, SHEET_ERRORS, `$A$1:$C$${errorLines.length + 1}`)] : [])].join('');
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView activeTab="0"/></bookViews><sheets><sheet name="${esc(SHEET_DATA)}" sheetId="1" r:id="rId1"/><sheet name="${esc(SHEET_ERRORS)}" sheetId="2" r:id="rId2"/></sheets><definedNames>${definedNames}</definedNames></workbook>`;

  const title = stripXmlIllegal(input.title).slice(0, 255);
  const core = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${esc(title)}</dc:title><dc:creator>${esc(AUTHOR)}</dc:creator></cp:coreProperties>`;

  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const sheetType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';
  const hasNotes = notes.length > 0;
  const files: { name: string; data: string }[] = [
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${hasNotes ? '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>' : ''}<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="${sheetType}"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="${sheetType}"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${hasNotes ? '<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>' : ''}<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
    },
    { name: 'docProps/core.xml', data: core },
    { name: 'xl/workbook.xml', data: workbook },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: 'xl/styles.xml', data: STYLES },
    { name: 'xl/worksheets/sheet1.xml', data: dataSheet },
    { name: 'xl/worksheets/sheet2.xml', data: errorsSheet },
  ];
  if (hasNotes) {
    files.push(
      {
        name: 'xl/worksheets/_rels/sheet1.xml.rels',
        data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/comments" Target="../comments1.xml"/><Relationship Id="rId2" Type="${REL}/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/></Relationships>`,
      },
      { name: 'xl/comments1.xml', data: commentsXml(notes) },
      { name: 'xl/drawings/vmlDrawing1.vml', data: vmlXml(notes) },
    );
  }
  log.debug({ rows: input.rows.length, problemCells: notes.length, issues: errorLines.length }, 'draft exported');
  return zipFiles(files);
}

export async function writeDraftExport(path: string, input: DraftExportInput): Promise<void> {
  await writeFile(path, buildDraftExport(input));
}
