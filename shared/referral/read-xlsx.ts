import * as XLSX from 'xlsx';
import { REFERRAL_FILE_ERROR_CODES as F, ReferralFileError } from './codes.js';
import type { CellValue, SheetMatrix } from './cells.js';
import { readXlsxStreaming } from './xlsx-stream.js';
import { checkZipDirectory, DEFAULT_ZIP_LIMITS, isZip, readZipDirectory, verifyDeclaredSizes, type ZipLimits } from './zip-guard.js';

/**
 * XLSX bytes → sheet matrices, with guards. Both readers here are environment-free (they take a
 * Uint8Array and use only web-platform APIs), so the reading lives in shared/ and the server CLI,
 * the desktop worker and the renderer use the same code:
 *  - "stream" (default): the streaming reader in xlsx-stream.ts — inflates entry by entry and
 *    scans rows without a cell-object model; about a third of SheetJS's memory on large tables;
 *  - "sheetjs": SheetJS (the patched 0.20.3 build) in dense mode, kept as the reference the
 *    streaming reader is tested against and as a fallback.
 * Formulas are never evaluated by either: a formula cell gives its cached value.
 */
export interface ReadLimits {
  maxFileBytes: number;
  /** Rows per sheet, header and title rows included. */
  maxRows: number;
  zip: ZipLimits;
  /** SheetJS only: inflate-and-count each entry before parsing, to catch a directory that lies
   * about sizes (the streaming reader counts as it inflates). */
  verifyInflation: boolean;
  engine: 'stream' | 'sheetjs';
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxRows: 200_000,
  zip: DEFAULT_ZIP_LIMITS,
  verifyInflation: true,
  engine: 'stream',
};

export interface WorkbookData {
  sheets: SheetMatrix[];
  /** Serial dates count from 1904 (old Mac Excel). */
  date1904: boolean;
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} МБ`;

/** Everything that can be checked without inflating: size, format, the zip directory. */
export function guardXlsx(bytes: Uint8Array, limits: ReadLimits = DEFAULT_READ_LIMITS): ReturnType<typeof readZipDirectory> {
  if (bytes.byteLength > limits.maxFileBytes) {
    throw new ReferralFileError(F.FILE_TOO_LARGE, `Файл слишком большой (${mb(bytes.byteLength)}, допустимо до ${mb(limits.maxFileBytes)}): разделите таблицу на несколько файлов.`);
  }
  if (bytes.byteLength >= 8 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new ReferralFileError(F.ENCRYPTED_OR_XLS, 'Это файл старого формата .xls или книга, защищённая паролем: снимите пароль и сохраните как «Книга Excel (.xlsx)».');
  }
  if (!isZip(bytes)) throw new ReferralFileError(F.NOT_XLSX, 'Это не файл Excel .xlsx: откройте таблицу в Excel и сохраните как «Книга Excel (.xlsx)».');
  const entries = readZipDirectory(bytes);
  checkZipDirectory(entries, bytes.byteLength, limits.zip);
  if (!entries.some((e) => e.name === 'xl/workbook.xml' || e.name === 'xl/workbook.bin')) {
    throw new ReferralFileError(F.NOT_XLSX, 'В архиве нет книги Excel: сохраните таблицу как «Книга Excel (.xlsx)».');
  }
  return entries;
}

function cellValue(cell: XLSX.CellObject | undefined): CellValue {
  if (!cell) return null;
  switch (cell.t) {
    case 'n':
      return typeof cell.v === 'number' && Number.isFinite(cell.v) ? cell.v : null;
    case 's':
      return typeof cell.v === 'string' ? cell.v : cell.v == null ? null : String(cell.v);
    case 'b':
      return typeof cell.v === 'boolean' ? cell.v : null;
    case 'd':
      return cell.v instanceof Date ? cell.v : null;
    default:
      // 'e' (#N/A, #REF!) and 'z' (stub): nothing usable.
      return null;
  }
}

function lastRowOf(ws: XLSX.WorkSheet): number {
  const ref = (ws['!fullref'] as string | undefined) ?? ws['!ref'];
  if (!ref) return 0;
  return XLSX.utils.decode_range(ref).e.r + 1;
}

/** SheetJS parse after `guardXlsx`; synchronous (run it in a worker on the desktop). */
export function parseXlsx(bytes: Uint8Array, limits: ReadLimits = DEFAULT_READ_LIMITS): WorkbookData {
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(bytes, {
      type: 'array',
      dense: true,
      cellFormula: false,
      cellHTML: false,
      cellText: false,
      cellNF: false,
      cellStyles: false,
      cellDates: false,
      bookVBA: false,
      sheetRows: limits.maxRows + 1,
    });
  } catch (err) {
    throw new ReferralFileError(F.UNREADABLE, `Не удалось прочитать файл Excel (${err instanceof Error ? err.message : 'неизвестная ошибка'}): откройте его в Excel и сохраните заново.`);
  }
  const sheets: SheetMatrix[] = [];
  const names = wb.SheetNames;
  for (let s = 0; s < names.length; s++) {
    const name = names[s]!;
    // Own-property lookup: a sheet may be called "__proto__" or "constructor".
    const ws = Object.prototype.hasOwnProperty.call(wb.Sheets, name) ? (wb.Sheets[name] as XLSX.WorkSheet) : undefined;
    if (!ws) {
      sheets.push({ name, rows: [] });
      continue;
    }
    if (lastRowOf(ws) > limits.maxRows) {
      throw new ReferralFileError(F.TOO_MANY_ROWS, `На листе «${name}» больше ${limits.maxRows.toLocaleString('ru-RU')} строк: разделите таблицу на несколько файлов.`);
    }
    const data = (ws['!data'] ?? []) as (XLSX.CellObject[] | undefined)[];
    const rows: (CellValue[] | undefined)[] = new Array<CellValue[] | undefined>(data.length);
    for (let r = 0; r < data.length; r++) {
      const src = data[r];
      if (!src) continue;
      const out = new Array<CellValue>(src.length);
      for (let c = 0; c < src.length; c++) out[c] = cellValue(src[c]);
      rows[r] = out;
      // Let the cell objects go as soon as the row is copied: the peak stays the parser's own.
      data[r] = undefined;
    }
    sheets.push({ name, rows });
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  return { sheets, date1904 };
}

/** Guards, then parses with the chosen engine. */
export async function readXlsx(bytes: Uint8Array, limits: Partial<ReadLimits> = {}): Promise<WorkbookData> {
  const l: ReadLimits = { ...DEFAULT_READ_LIMITS, ...limits };
  const entries = guardXlsx(bytes, l);
  if (l.engine === 'stream') return readXlsxStreaming(bytes, entries, l);
  if (l.verifyInflation) await verifyDeclaredSizes(bytes, entries);
  return parseXlsx(bytes, l);
}
