import { describe, expect, it } from 'vitest';
import type { DraftRow } from '../../../shared/rpc/contract';
import type { ReferralFieldKey } from '../../../shared/referral/columns';
import {
  appendRow,
  blockOf,
  clearChanges,
  commit,
  copyBlock,
  deleteRows,
  historyOf,
  pasteChanges,
  redo,
  setCells,
  setExcluded,
  undo,
} from './grid-model';

const F: ReferralFieldKey[] = ['lastName', 'firstName', 'middleName', 'sex'];
const row = (n: number, cells: DraftRow['cells'] = {}): DraftRow => ({ row: n, cells, excluded: false });

describe('grid model', () => {
  it('sets a cell without touching the other rows', () => {
    const rows = [row(1), row(2, { lastName: 'Петров' })];
    const { rows: next } = setCells(rows, [{ index: 0, field: 'lastName', value: 'Иванов' }], 10);
    expect(next[0]!.cells).toEqual({ lastName: 'Иванов' });
    expect(next[1]).toBe(rows[1]);
  });

  it('returns the same array when nothing changes, and drops emptied cells', () => {
    const rows = [row(1, { lastName: 'Иванов' })];
    expect(setCells(rows, [{ index: 0, field: 'lastName', value: 'Иванов' }], 10).rows).toBe(rows);
    expect(setCells(rows, [{ index: 0, field: 'lastName', value: '' }], 10).rows[0]!.cells).toEqual({});
  });

  it('pastes a block at the cursor, adding rows with fresh numbers as needed', () => {
    const rows = [row(5)];
    const changes = pasteChanges(
      [
        ['Иванов', 'Иван'],
        ['Петров', 'Пётр'],
        ['Сидоров', 'Сидор'],
      ],
      blockOf({ r: 0, c: 1 }, { r: 0, c: 1 }),
      F,
    );
    const { rows: next, truncated } = setCells(rows, changes, 10);
    expect(truncated).toBe(false);
    expect(next.map((r) => r.row)).toEqual([5, 6, 7]);
    expect(next.map((r) => [r.cells.firstName, r.cells.middleName])).toEqual([
      ['Иванов', 'Иван'],
      ['Петров', 'Пётр'],
      ['Сидоров', 'Сидор'],
    ]);
  });

  it('ignores pasted columns past the last field and rows past the limit', () => {
    const changes = pasteChanges([['м', 'лишнее'], ['ж', 'лишнее']], blockOf({ r: 0, c: 3 }, { r: 0, c: 3 }), F);
    const { rows, truncated } = setCells([], changes, 1);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.cells).toEqual({ sex: 'м' });
    expect(truncated).toBe(true);
  });

  it('fills a selection with one pasted value', () => {
    const changes = pasteChanges([['ж']], blockOf({ r: 0, c: 3 }, { r: 2, c: 3 }), F);
    expect(setCells([row(1), row(2), row(3)], changes, 10).rows.map((r) => r.cells.sex)).toEqual(['ж', 'ж', 'ж']);
  });

  it('copies and clears a block', () => {
    const rows = [row(1, { lastName: 'А', firstName: 'Б' }), row(2, { lastName: 'В' })];
    const b = blockOf({ r: 1, c: 1 }, { r: 0, c: 0 });
    expect(copyBlock(rows, b, F)).toEqual([
      ['А', 'Б'],
      ['В', ''],
    ]);
    expect(setCells(rows, clearChanges(rows, b, F), 10).rows.map((r) => r.cells)).toEqual([{}, {}]);
  });

  it('adds, deletes and excludes rows', () => {
    let rows = appendRow([row(3)]);
    expect(rows.map((r) => r.row)).toEqual([3, 4]);
    rows = setExcluded(rows, 1, 1, true);
    expect(rows.map((r) => r.excluded)).toEqual([false, true]);
    expect(deleteRows(rows, 0, 0).map((r) => r.row)).toEqual([4]);
  });

  it('undoes and redoes edits, pastes, adds and deletes', () => {
    const a = [row(1)];
    let h = historyOf(a);
    const b = appendRow(a);
    h = commit(h, b);
    const c = deleteRows(b, 0, 0);
    h = commit(h, c);
    h = commit(h, c); // no change: not recorded
    expect(h.past).toHaveLength(2);
    h = undo(h);
    expect(h.present).toBe(b);
    h = undo(h);
    expect(h.present).toBe(a);
    h = undo(h);
    expect(h.present).toBe(a);
    h = redo(h);
    expect(h.present).toBe(b);
    h = commit(h, setCells(b, [{ index: 0, field: 'sex', value: 'м' }], 10).rows);
    expect(h.future).toEqual([]);
  });
});
