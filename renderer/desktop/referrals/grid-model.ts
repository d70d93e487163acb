import type { DraftRow } from '../../../shared/rpc/contract';
import type { ReferralFieldKey } from '../../../shared/referral/columns';

/**
 * What the grid editor does to a draft's rows, as pure functions over immutable arrays: every
 * change returns a new array that shares the untouched rows, so an undo step is just the previous
 * array (cheap even at 10,000 rows) and React can skip rows that did not change.
 */

export type Rows = readonly DraftRow[];

export interface CellPos {
  r: number;
  c: number;
}

/** A rectangular block, inclusive, in grid positions (row index, column index). */
export interface Block {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function blockOf(a: CellPos, b: CellPos): Block {
  return { top: Math.min(a.r, b.r), bottom: Math.max(a.r, b.r), left: Math.min(a.c, b.c), right: Math.max(a.c, b.c) };
}

export function cellValue(row: DraftRow | undefined, field: ReferralFieldKey): string {
  return row?.cells[field] ?? '';
}

function nextRowNumber(rows: Rows): number {
  let max = 0;
  for (const r of rows) if (r.row > max) max = r.row;
  return max + 1;
}

function withCell(row: DraftRow, field: ReferralFieldKey, value: string): DraftRow {
  const current = row.cells[field] ?? '';
  if (current === value) return row;
  const cells = { ...row.cells };
  if (value === '') delete cells[field];
  else cells[field] = value;
  return { ...row, cells };
}

export function blankRow(row: number): DraftRow {
  return { row, cells: {}, excluded: false };
}

export interface CellChange {
  index: number;
  field: ReferralFieldKey;
  value: string;
}

/** Applies cell changes; a change below the last row adds rows (up to `maxRows`). */
export function setCells(rows: Rows, changes: readonly CellChange[], maxRows: number): { rows: Rows; truncated: boolean } {
  let out: DraftRow[] | null = null;
  let truncated = false;
  let next = 0;
  for (const ch of changes) {
    if (ch.index >= maxRows) {
      truncated = true;
      continue;
    }
    const arr: DraftRow[] = (out ??= rows.slice());
    while (arr.length <= ch.index) {
      if (next === 0) next = nextRowNumber(arr);
      arr.push(blankRow(next++));
    }
    const before = arr[ch.index]!;
    const after = withCell(before, ch.field, ch.value);
    if (after !== before) arr[ch.index] = after;
  }
  if (!out) return { rows, truncated };
  const changed = out.length !== rows.length || out.some((r, i) => r !== rows[i]);
  return { rows: changed ? out : rows, truncated };
}

/** Spreadsheet paste: the block lands with its top-left at `at`; one value fills a selection. */
export function pasteChanges(block: readonly (readonly string[])[], at: Block, fields: readonly ReferralFieldKey[]): CellChange[] {
  const changes: CellChange[] = [];
  const single = block.length === 1 && block[0]!.length === 1;
  if (single) {
    const value = clean(block[0]![0]!);
    for (let r = at.top; r <= at.bottom; r++) {
      for (let c = at.left; c <= at.right; c++) changes.push({ index: r, field: fields[c]!, value });
    }
    return changes;
  }
  block.forEach((line, dr) => {
    line.forEach((raw, dc) => {
      const field = fields[at.left + dc];
      if (field) changes.push({ index: at.top + dr, field, value: clean(raw) });
    });
  });
  return changes;
}

/** Cells are single-line text: line breaks inside a pasted cell become spaces. */
function clean(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim().slice(0, 2000);
}

export function clearChanges(rows: Rows, b: Block, fields: readonly ReferralFieldKey[]): CellChange[] {
  const changes: CellChange[] = [];
  for (let r = b.top; r <= Math.min(b.bottom, rows.length - 1); r++) {
    for (let c = b.left; c <= b.right; c++) {
      const field = fields[c]!;
      if (cellValue(rows[r], field) !== '') changes.push({ index: r, field, value: '' });
    }
  }
  return changes;
}

export function copyBlock(rows: Rows, b: Block, fields: readonly ReferralFieldKey[]): string[][] {
  const out: string[][] = [];
  for (let r = b.top; r <= Math.min(b.bottom, rows.length - 1); r++) {
    const line: string[] = [];
    for (let c = b.left; c <= b.right; c++) line.push(cellValue(rows[r], fields[c]!));
    out.push(line);
  }
  return out;
}

export function appendRow(rows: Rows): Rows {
  return [...rows, blankRow(nextRowNumber(rows))];
}

export function deleteRows(rows: Rows, top: number, bottom: number): Rows {
  if (top > bottom || top >= rows.length) return rows;
  return [...rows.slice(0, top), ...rows.slice(bottom + 1)];
}

export function setExcluded(rows: Rows, top: number, bottom: number, excluded: boolean): Rows {
  let changed = false;
  const out = rows.map((r, i) => {
    if (i < top || i > bottom || r.excluded === excluded) return r;
    changed = true;
    return { ...r, excluded };
  });
  return changed ? out : rows;
}

/** Undo/redo over whole-array snapshots; a step that changes nothing is not recorded. */
export interface History {
  past: Rows[];
  present: Rows;
  future: Rows[];
}

const HISTORY_LIMIT = 200;

export function historyOf(rows: Rows): History {
  return { past: [], present: rows, future: [] };
}

export function commit(h: History, next: Rows): History {
  if (next === h.present) return h;
  const past = h.past.length >= HISTORY_LIMIT ? h.past.slice(1) : h.past.slice();
  past.push(h.present);
  return { past, present: next, future: [] };
}

export function undo(h: History): History {
  const prev = h.past[h.past.length - 1];
  if (!prev) return h;
  return { past: h.past.slice(0, -1), present: prev, future: [h.present, ...h.future] };
}

export function redo(h: History): History {
  const [next, ...rest] = h.future;
  if (!next) return h;
  return { past: [...h.past, h.present], present: next, future: rest };
}
