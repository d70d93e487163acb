import { analyseSheet, type ReferralRow, type RowIssue } from './analyse.js';
import type { CellValue, SheetMatrix } from './cells.js';
import { REFERRAL_COLUMNS, type ReferralFieldKey } from './columns.js';
import type { ColumnMapping } from './mapping.js';

/**
 * The grid's rows checked by the same engine as an imported file: a draft is laid out as a
 * sheet under our own header, so typing, pasting and importing can never disagree about what
 * is valid. Excluded rows are not checked (and never sent); blank rows are ignored.
 */

/** The fields a draft row may hold: raw text as typed or pasted, per field key. */
export interface DraftRowInput {
  row: number;
  cells: Partial<Record<string, string>>;
  excluded?: boolean;
}

export interface DraftRowResult {
  /** The draft's row number. */
  row: number;
  /** Normalised fields and problems; null for a blank row. */
  result: ReferralRow | null;
}

const NOT_DATA_MESSAGE = 'Строка не похожа на данные пациента (заголовок или «Итого»): удалите её или исключите из отправки.';

const MAPPING: ColumnMapping = {
  headerRow: 0,
  signature: 'draft',
  columns: REFERRAL_COLUMNS.map((c, index) => ({ index, header: c.header, target: c.key, confidence: 'exact' as const })),
};

/** Every non-excluded row: normalised fields with errors, or null where the row is blank. */
export function analyseDraftRows(rows: readonly DraftRowInput[], opts: { today?: string } = {}): DraftRowResult[] {
  const included = rows.filter((r) => !r.excluded);
  const matrix: CellValue[][] = [REFERRAL_COLUMNS.map((c) => c.header)];
  for (const r of included) {
    matrix.push(
      REFERRAL_COLUMNS.map((c) => {
        const v = r.cells[c.key];
        return v === undefined || v.trim() === '' ? null : v;
      }),
    );
  }
  const sheet: SheetMatrix = { name: 'draft', rows: matrix };
  const analysis = analyseSheet(sheet, MAPPING, opts.today ? { today: opts.today } : {});
  const byIndex = new Map<number, ReferralRow>();
  for (const r of analysis.rows) byIndex.set(r.row - 2, r);
  const skipped = new Map<number, string>();
  for (const s of analysis.skipped) if (s.row >= 2) skipped.set(s.row - 2, s.reason);

  return included.map((r, i) => {
    const result = byIndex.get(i);
    if (result) return { row: r.row, result: { ...result, row: r.row } };
    if (skipped.get(i) === 'blank') return { row: r.row, result: null };
    // A non-blank row the engine would not take as data must not slip through unchecked.
    const first = REFERRAL_COLUMNS.find((c) => (r.cells[c.key] ?? '').trim() !== '')?.key ?? 'lastName';
    return {
      row: r.row,
      result: {
        row: r.row,
        fields: Object.fromEntries(REFERRAL_COLUMNS.map((c) => [c.key, null])) as ReferralRow['fields'],
        errors: [{ field: first as ReferralFieldKey, code: 'REQUIRED', message: NOT_DATA_MESSAGE }],
        warnings: [],
      },
    };
  });
}

/** Problems per draft row number (rows without problems are absent). */
export function validateDraftRows(rows: readonly DraftRowInput[], opts: { today?: string } = {}): Map<number, RowIssue[]> {
  const out = new Map<number, RowIssue[]>();
  for (const r of analyseDraftRows(rows, opts)) if (r.result && r.result.errors.length > 0) out.set(r.row, r.result.errors);
  return out;
}
