import type { ZipEntry } from './zip-write.js';

/**
 * The pieces of hand-written SpreadsheetML shared by every XLSX the project writes (the referral
 * template and draft export on the desktop, the batch report on the server). SheetJS community
 * writes no styles, so the parts are strings built here. Every value goes in as an inline string
 * or a number, never a formula.
 */

/** Excel's limit for the text of one cell. */
export const MAX_CELL_TEXT = 32_767;

// Characters XML 1.0 forbids (C0 controls other than tab, LF, CR; U+FFFE/U+FFFF; lone surrogates).
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes what XML 1.0 cannot carry. */
export function stripXmlIllegal(s: string): string {
  return s.replace(XML_ILLEGAL, '');
}

/**
 * OWASP's formula-injection defence: text starting with = + - @ tab or CR gets a leading
 * apostrophe, so it stays text in any spreadsheet, even after the cell is edited.
 */
export function neutraliseFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** Text as it goes into a cell: legal XML, neutralised, within Excel's length limit. */
export function cellText(raw: string): string {
  return neutraliseFormula(stripXmlIllegal(raw)).slice(0, MAX_CELL_TEXT);
}

/**
 * XML-escapes text content and attribute values. CR is a character reference (a parser would turn
 * a literal one into LF) and an existing `_xHHHH_` is protected from OOXML's own escape decoding.
 */
export function escapeXml(s: string): string {
  return stripXmlIllegal(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
}

/** Column letters from a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export const colName = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : colName(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));

/** A text cell (inline string), neutralised against formula injection. */
export const textCell = (ref: string, raw: string, style: number) =>
  `<c r="${ref}" t="inlineStr" s="${style}"><is><t xml:space="preserve">${escapeXml(cellText(raw))}</t></is></c>`;
export const numberCell = (ref: string, n: number, style: number) => `<c r="${ref}" s="${style}"><v>${Number.isFinite(n) ? n : 0}</v></c>`;
export const emptyCell = (ref: string, style: number) => `<c r="${ref}" s="${style}"/>`;

/** A column width in characters from the longest line of its header and values. */
export function widthOf(texts: Iterable<string>, min: number, max: number): number {
  let longest = 0;
  for (const t of texts) for (const line of t.split('\n')) longest = Math.max(longest, line.length);
  return Math.min(max, Math.max(min, Math.ceil(longest * 1.1) + 2));
}

export interface SheetPart {
  /** The tab's name (at most 31 characters, none of : \ / ? * [ ]). */
  name: string;
  /** The worksheet XML. */
  xml: string;
}

/**
 * The parts of a plain workbook: the given sheets in order, one styles part, core properties.
 * Enough for reports; a file with notes or drawings assembles its own parts.
 */
export function workbookParts(opts: { sheets: readonly SheetPart[]; styles: string; title: string; author: string }): ZipEntry[] {
  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const sheetType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';
  const n = opts.sheets.length;
  const sheetRefs = opts.sheets.map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>${sheetRefs}</sheets></workbook>`;
  const core = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${escapeXml(stripXmlIllegal(opts.title).slice(0, 255))}</dc:title><dc:creator>${escapeXml(opts.author)}</dc:creator></cp:coreProperties>`;
  const overrides = opts.sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${sheetType}"/>`).join('');
  const sheetRels = opts.sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('');
  return [
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${overrides}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
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
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheetRels}<Relationship Id="rId${n + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: 'xl/styles.xml', data: opts.styles },
    ...opts.sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: s.xml })),
  ];
}
