/** One cell as the engine sees it: what a reader gives (cached values, never formulas). */
export type CellValue = string | number | boolean | Date | null;

/** A sheet as a matrix of rows; rows and cells may be short or missing (sparse sheets). */
export interface SheetMatrix {
  name: string;
  /** rows[i] is the sheet's row i + 1 (Excel's own 1-based numbering). */
  rows: (readonly CellValue[] | undefined)[];
}

export function isEmptyCell(v: CellValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** Text of a cell for matching and for text fields; numbers without exponent or float noise. */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v);
    return String(Number(v.toPrecision(15)));
  }
  if (typeof v === 'boolean') return v ? 'да' : 'нет';
  return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
}

/** Lowercase, ё→е, every run of non-letters/digits one space. For values, not headers. */
export function fold(s: string): string {
  return s
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
