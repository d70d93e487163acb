import { memo, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type Ref } from 'react';
import type { DraftRow } from '../../../shared/rpc/contract';
import { REFERRAL_COLUMNS, type ReferralFieldKey } from '../../../shared/referral/columns';
import { t } from '../../i18n';
import { allowedHint, FIELD_WIDTH, fieldHeader, fieldOptions, GRID_FIELDS } from './field-options';
import { blockOf, cellValue, clearChanges, copyBlock, pasteChanges, type Block, type CellChange, type CellPos, type Rows } from './grid-model';
import { parseTsv, toTsv } from './tsv';
import './grid.css';

/**
 * The spreadsheet: one scroll container, a sticky header and row-number column, and only the
 * rows in view (plus a few) in the DOM, each at a fixed height, so 10,000 rows scroll like 30.
 * Keyboard first, like Excel: arrows / Tab / Enter / F2 / Escape / Delete, typing starts an edit,
 * Shift extends the selection; copy and paste speak the spreadsheets' TSV. The grid never keeps
 * rows of its own: every change goes to the owner as cell changes, the owner keeps history.
 */

export const ROW_HEIGHT = 30;
const HEADER_HEIGHT = 44;
const NUM_WIDTH = 64;
const OVERSCAN = 10;

export interface CellIssue {
  field: ReferralFieldKey;
  code: string;
  message: string;
}

export interface GridHandle {
  /** Moves the cursor to a cell (row index, field), scrolls it into view and focuses the grid. */
  focusCell(index: number, field: ReferralFieldKey): void;
  focus(): void;
  selection(): Block;
}

export interface ReferralGridProps {
  rows: Rows;
  issues: ReadonlyMap<number, readonly CellIssue[]>;
  readOnly: boolean;
  height: number;
  onChanges(changes: CellChange[]): void;
  onUndo(): void;
  onRedo(): void;
  onSelectionChange?(b: Block): void;
  ref?: Ref<GridHandle>;
}

const FIELDS = GRID_FIELDS;
const LAST_COL = FIELDS.length - 1;
const REQUIRED = new Set<ReferralFieldKey>(REFERRAL_COLUMNS.filter((c) => c.required).map((c) => c.key));
const LEFTS: number[] = [];
{
  let x = NUM_WIDTH;
  for (const f of FIELDS) {
    LEFTS.push(x);
    x += FIELD_WIDTH[f];
  }
  LEFTS.push(x);
}
const TOTAL_WIDTH = LEFTS[LEFTS.length - 1]!;

interface Editing {
  r: number;
  c: number;
  value: string;
}

function cellTitle(issues: readonly CellIssue[] | undefined, field: ReferralFieldKey, row: DraftRow): string | undefined {
  if (row.excluded) return t('grid.excluded');
  const mine = issues?.filter((i) => i.field === field);
  if (!mine || mine.length === 0) return undefined;
  const hint = allowedHint(field, row.cells.centre);
  const lines = mine.map((i) => i.message);
  if (hint && mine.some((i) => /UNKNOWN|REQUIRED|NOT_IN/.test(i.code))) lines.push(t('grid.allowed', { values: hint }));
  return lines.join('\n');
}

interface RowProps {
  row: DraftRow;
  index: number;
  issues: readonly CellIssue[] | undefined;
  /** Selected columns of this row, or -1 when the row is outside the selection. */
  selLeft: number;
  selRight: number;
  focusCol: number;
  editing: Editing | null;
  onEditValue(value: string): void;
  onEditKey(e: React.KeyboardEvent<HTMLInputElement>): void;
  onEditBlur(): void;
}

function focusEditor(el: HTMLInputElement | null) {
  if (el && document.activeElement !== el) {
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }
}

/** Column widths as classes: one rule per column instead of a style attribute per cell. */
const COLUMN_CSS = [
  `.rg-row{height:${ROW_HEIGHT}px;width:${TOTAL_WIDTH}px}`,
  `.rg-num,.rg-hnum{width:${NUM_WIDTH}px}`,
  `.rg-cell{line-height:${ROW_HEIGHT - 1}px}`,
  ...FIELDS.map((f, c) => `.rg-c${c}{width:${FIELD_WIDTH[f]}px}`),
].join('\n');

const GridRow = memo(function GridRow({ row, index, issues, selLeft, selRight, focusCol, editing, onEditValue, onEditKey, onEditBlur }: RowProps) {
  const invalid = !row.excluded && issues !== undefined && issues.length > 0;
  return (
    <div
      className="rg-row"
      role="row"
      aria-rowindex={index + 2}
      style={{ top: index * ROW_HEIGHT }}
      data-testid="grid-row"
      data-row={row.row}
      data-index={index}
      data-excluded={row.excluded}
      data-has-issues={invalid}
    >
      <div className="rg-num" role="rowheader" data-testid="grid-row-number">
        {row.row}
      </div>
      {FIELDS.map((field, c) => {
        const value = row.cells[field] ?? '';
        const bad = !row.excluded && issues !== undefined && issues.some((i) => i.field === field);
        const selected = selLeft >= 0 && c >= selLeft && c <= selRight;
        const isEditing = editing !== null && editing.c === c;
        const options = isEditing ? fieldOptions(field, row.cells.centre) : null;
        const listId = options ? `rg-list-${field}` : undefined;
        // Few attributes per cell: thousands of them change on every scrolled frame.
        return (
          <div
            key={field}
            className={`rg-cell rg-c${c}`}
            role="gridcell"
            aria-selected={selected || undefined}
            aria-invalid={bad || undefined}
            data-field={field}
            data-focus={focusCol === c || undefined}
            title={bad || row.excluded ? cellTitle(issues, field, row) : undefined}
          >
            {isEditing ? (
              <>
                <input
                  className="rg-editor"
                  data-testid="grid-editor"
                  aria-label={fieldHeader(field)}
                  value={editing.value}
                  list={listId}
                  maxLength={2000}
                  onChange={(e) => onEditValue(e.currentTarget.value)}
                  onKeyDown={onEditKey}
                  onBlur={onEditBlur}
                  ref={focusEditor}
                />
                {options && (
                  <datalist id={listId}>
                    {options.map((o) => (
                      <option key={o} value={o} />
                    ))}
                  </datalist>
                )}
              </>
            ) : (
              value
            )}
          </div>
        );
      })}
    </div>
  );
});

export function ReferralGrid({ rows, issues, readOnly, height, onChanges, onUndo, onRedo, onSelectionChange, ref }: ReferralGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [anchor, setAnchor] = useState<CellPos>({ r: 0, c: 0 });
  const [focus, setFocusPos] = useState<CellPos>({ r: 0, c: 0 });
  const [editing, setEditingState] = useState<Editing | null>(null);
  // The editor's state is also read synchronously (a blur can arrive while a commit is rendering).
  const editRef = useRef<Editing | null>(null);
  const setEditing = useCallback((e: Editing | null) => {
    editRef.current = e;
    setEditingState(e);
  }, []);
  const [scrollTop, setScrollTop] = useState(0);
  const dragging = useRef(false);
  const lastRow = Math.max(0, rows.length - 1);

  const sel = useMemo(() => blockOf(anchor, focus), [anchor, focus]);
  const latest = useRef({ rows, sel, focus, readOnly, onChanges });
  useLayoutEffect(() => {
    latest.current = { rows, sel, focus, readOnly, onChanges };
  });

  useEffect(() => onSelectionChange?.(sel), [sel, onSelectionChange]);

  // Rows can shrink under the cursor (delete, undo): keep the cursor on the grid.
  useEffect(() => {
    if (focus.r > lastRow || anchor.r > lastRow) {
      setFocusPos((f) => ({ ...f, r: Math.min(f.r, lastRow) }));
      setAnchor((a) => ({ ...a, r: Math.min(a.r, lastRow) }));
    }
  }, [lastRow, focus.r, anchor.r]);

  const scrollIntoView = useCallback((p: CellPos) => {
    const el = scrollRef.current;
    if (!el) return;
    const top = p.r * ROW_HEIGHT;
    const viewH = el.clientHeight - HEADER_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + viewH) el.scrollTop = top + ROW_HEIGHT - viewH;
    const left = LEFTS[p.c]!;
    const right = LEFTS[p.c + 1]!;
    const viewW = el.clientWidth;
    if (left - NUM_WIDTH < el.scrollLeft) el.scrollLeft = left - NUM_WIDTH;
    else if (right > el.scrollLeft + viewW) el.scrollLeft = right - viewW;
  }, []);

  const moveTo = useCallback(
    (p: CellPos, extend = false) => {
      const next = { r: Math.max(0, Math.min(lastRow, p.r)), c: Math.max(0, Math.min(LAST_COL, p.c)) };
      setFocusPos(next);
      if (!extend) setAnchor(next);
      scrollIntoView(next);
    },
    [lastRow, scrollIntoView],
  );

  useImperativeHandle(
    ref,
    () => ({
      focusCell(index, field) {
        const c = FIELDS.indexOf(field);
        moveTo({ r: index, c: Math.max(0, c) });
        scrollRef.current?.focus({ preventScroll: true });
      },
      focus: () => scrollRef.current?.focus({ preventScroll: true }),
      selection: () => latest.current.sel,
    }),
    [moveTo],
  );

  const startEdit = useCallback(
    (initial?: string) => {
      const { readOnly: ro, focus: f, rows: rs, onChanges: change } = latest.current;
      if (ro) return;
      // An empty table gets its first row as soon as the user starts typing.
      if (rs.length === 0) change([{ index: 0, field: FIELDS[0]!, value: '' }]);
      setAnchor(f);
      setEditing({ r: f.r, c: f.c, value: initial ?? cellValue(rs[f.r], FIELDS[f.c]!) });
    },
    [setEditing],
  );

  const commitEdit = useCallback((move: 'down' | 'up' | 'right' | 'left' | null) => {
    const { rows: rs, onChanges: change } = latest.current;
    const ed = editRef.current;
    if (!ed) return;
    setEditing(null);
    const field = FIELDS[ed.c]!;
    const value = ed.value.trim();
    if (value !== cellValue(rs[ed.r], field)) change([{ index: ed.r, field, value }]);
    const rowsAfter = Math.max(rs.length, ed.r + 1);
    let next: CellPos = { r: ed.r, c: ed.c };
    if (move === 'down') next = { r: Math.min(rowsAfter - 1, ed.r + 1), c: ed.c };
    if (move === 'up') next = { r: Math.max(0, ed.r - 1), c: ed.c };
    if (move === 'right') next = ed.c < LAST_COL ? { r: ed.r, c: ed.c + 1 } : { r: Math.min(rowsAfter - 1, ed.r + 1), c: 0 };
    if (move === 'left') next = ed.c > 0 ? { r: ed.r, c: ed.c - 1 } : { r: Math.max(0, ed.r - 1), c: LAST_COL };
    setFocusPos(next);
    setAnchor(next);
    scrollIntoView(next);
    scrollRef.current?.focus({ preventScroll: true });
  }, [scrollIntoView, setEditing]);

  const onEditValue = useCallback(
    (value: string) => {
      if (editRef.current) setEditing({ ...editRef.current, value });
    },
    [setEditing],
  );
  const onEditBlur = useCallback(() => {
    if (editRef.current) commitEdit(null);
  }, [commitEdit]);
  const onEditKey = useCallback(
    (e: React.KeyboardEvent<HTMLInputElement>) => {
      e.stopPropagation();
      if (e.key === 'Enter') {
        e.preventDefault();
        commitEdit(e.shiftKey ? 'up' : 'down');
      } else if (e.key === 'Tab') {
        e.preventDefault();
        commitEdit(e.shiftKey ? 'left' : 'right');
      } else if (e.key === 'Escape') {
        e.preventDefault();
        setEditing(null);
        scrollRef.current?.focus({ preventScroll: true });
      }
    },
    [commitEdit, setEditing],
  );

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (editing) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const pageRows = Math.max(1, Math.floor((height - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    const key = e.key;
    const handled = () => e.preventDefault();
    if (ctrl && !e.altKey) {
      const k = key.toLowerCase();
      if (k === 'z' || k === 'я') {
        handled();
        if (e.shiftKey) onRedo();
        else onUndo();
        return;
      }
      if (k === 'y' || k === 'н') {
        handled();
        onRedo();
        return;
      }
      if (k === 'a' || k === 'ф') {
        handled();
        setAnchor({ r: 0, c: 0 });
        setFocusPos({ r: lastRow, c: LAST_COL });
        return;
      }
    }
    switch (key) {
      case 'ArrowDown':
        handled();
        return moveTo({ r: ctrl ? lastRow : focus.r + 1, c: focus.c }, e.shiftKey);
      case 'ArrowUp':
        handled();
        return moveTo({ r: ctrl ? 0 : focus.r - 1, c: focus.c }, e.shiftKey);
      case 'ArrowRight':
        handled();
        return moveTo({ r: focus.r, c: ctrl ? LAST_COL : focus.c + 1 }, e.shiftKey);
      case 'ArrowLeft':
        handled();
        return moveTo({ r: focus.r, c: ctrl ? 0 : focus.c - 1 }, e.shiftKey);
      case 'PageDown':
        handled();
        return moveTo({ r: focus.r + pageRows, c: focus.c }, e.shiftKey);
      case 'PageUp':
        handled();
        return moveTo({ r: focus.r - pageRows, c: focus.c }, e.shiftKey);
      case 'Home':
        handled();
        return moveTo({ r: ctrl ? 0 : focus.r, c: 0 }, e.shiftKey);
      case 'End':
        handled();
        return moveTo({ r: ctrl ? lastRow : focus.r, c: LAST_COL }, e.shiftKey);
      case 'Tab':
        // From the very last (or, backwards, the very first) cell, Tab leaves the grid.
        if (e.shiftKey ? focus.r === 0 && focus.c === 0 : focus.r === lastRow && focus.c === LAST_COL) return;
        handled();
        if (e.shiftKey) return moveTo(focus.c > 0 ? { r: focus.r, c: focus.c - 1 } : { r: focus.r - 1, c: LAST_COL });
        return moveTo(focus.c < LAST_COL ? { r: focus.r, c: focus.c + 1 } : { r: focus.r + 1, c: 0 });
      case 'Enter':
      case 'F2':
        handled();
        return startEdit();
      case 'Delete':
      case 'Backspace':
        handled();
        if (!readOnly) {
          const changes = clearChanges(rows, sel, FIELDS);
          if (changes.length > 0) onChanges(changes);
        }
        return;
      case 'Escape':
        if (anchor.r !== focus.r || anchor.c !== focus.c) {
          handled();
          setAnchor(focus);
        }
        return;
    }
    if (key.length === 1 && !ctrl && !e.altKey && !readOnly) {
      handled();
      startEdit(key);
    }
  };

  const onCopy = (e: React.ClipboardEvent<HTMLDivElement>) => {
    if (editing) return;
    e.preventDefault();
    e.clipboardData.setData('text/plain', toTsv(copyBlock(rows, sel, FIELDS)));
  };
  const onCut = (e: React.ClipboardEvent<HTMLDivElement>) => {
    if (editing || readOnly) return;
    onCopy(e);
    const changes = clearChanges(rows, sel, FIELDS);
    if (changes.length > 0) onChanges(changes);
  };
  const onPaste = (e: React.ClipboardEvent<HTMLDivElement>) => {
    if (editing || readOnly) return;
    e.preventDefault();
    const block = parseTsv(e.clipboardData.getData('text/plain'));
    if (block.length === 0) return;
    const changes = pasteChanges(block, sel, FIELDS);
    if (changes.length === 0) return;
    onChanges(changes);
    const single = block.length === 1 && block[0]!.length === 1;
    if (!single) {
      const width = Math.max(...block.map((l) => l.length));
      setAnchor({ r: sel.top, c: sel.left });
      setFocusPos({ r: sel.top + block.length - 1, c: Math.min(LAST_COL, sel.left + width - 1) });
    }
  };

  const posFromEvent = (target: EventTarget | null): CellPos | null => {
    const cell = (target as HTMLElement | null)?.closest?.('.rg-cell') as HTMLElement | null;
    const row = cell?.parentElement;
    if (!cell || !row?.dataset.index) return null;
    return { r: Number(row.dataset.index), c: Array.prototype.indexOf.call(row.children, cell) - 1 };
  };

  const onMouseDown = (e: React.MouseEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const target = e.target as HTMLElement;
    if (target.closest('.rg-editor')) return;
    const num = target.closest('.rg-num') as HTMLElement | null;
    if (num?.parentElement?.dataset.index) {
      e.preventDefault();
      const r = Number(num.parentElement.dataset.index);
      if (e.shiftKey) {
        setAnchor((a) => ({ r: a.r, c: 0 }));
        setFocusPos({ r, c: LAST_COL });
      } else {
        setAnchor({ r, c: 0 });
        setFocusPos({ r, c: LAST_COL });
      }
      scrollRef.current?.focus({ preventScroll: true });
      return;
    }
    const p = posFromEvent(e.target);
    if (!p) return;
    e.preventDefault();
    if (editing) commitEdit(null);
    setFocusPos(p);
    if (!e.shiftKey) setAnchor(p);
    dragging.current = true;
    scrollRef.current?.focus({ preventScroll: true });
  };
  const onMouseOver = (e: React.MouseEvent<HTMLDivElement>) => {
    if (!dragging.current || (e.buttons & 1) === 0) {
      dragging.current = false;
      return;
    }
    const p = posFromEvent(e.target);
    if (p) setFocusPos(p);
  };
  useEffect(() => {
    const up = () => {
      dragging.current = false;
    };
    window.addEventListener('mouseup', up);
    return () => window.removeEventListener('mouseup', up);
  }, []);
  const onDoubleClick = (e: React.MouseEvent<HTMLDivElement>) => {
    const p = posFromEvent(e.target);
    if (p && !editing) {
      setFocusPos(p);
      setAnchor(p);
      latest.current.focus = p;
      startEdit();
    }
  };

  // Scroll events come faster than frames: one state update per frame.
  const frame = useRef(0);
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setScrollTop(scrollRef.current?.scrollTop ?? 0);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const viewRows = Math.ceil(height / ROW_HEIGHT);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length - 1, Math.floor(scrollTop / ROW_HEIGHT) + viewRows + OVERSCAN);

  // Rows are keyed by slot, not by row: a row scrolled out hands its DOM to the row scrolled in.
  const slots = viewRows + 2 * OVERSCAN + 2;
  const rendered = [];
  for (let i = first; i <= last; i++) {
    const row = rows[i]!;
    const inSel = i >= sel.top && i <= sel.bottom;
    const ed = editing && editing.r === i ? editing : null;
    rendered.push(
      <GridRow
        key={i % slots}
        row={row}
        index={i}
        issues={issues.get(row.row)}
        selLeft={inSel ? sel.left : -1}
        selRight={inSel ? sel.right : -1}
        focusCol={focus.r === i ? focus.c : -1}
        editing={ed}
        onEditValue={onEditValue}
        onEditKey={onEditKey}
        onEditBlur={onEditBlur}
      />,
    );
  }

  return (
    <div
      ref={scrollRef}
      className="rg-scroll"
      style={{ height }}
      tabIndex={0}
      role="grid"
      aria-label={t('grid.aria')}
      aria-rowcount={rows.length + 1}
      aria-colcount={FIELDS.length + 1}
      aria-readonly={readOnly}
      aria-multiselectable
      data-testid="referral-grid"
      data-rows={rows.length}
      data-last-row={rows[rows.length - 1]?.row ?? 0}
      data-row-height={ROW_HEIGHT}
      data-focus-row={rows[focus.r]?.row ?? ''}
      data-focus-field={FIELDS[focus.c]}
      data-editing={editing !== null}
      data-selection={`${sel.top}:${sel.left}-${sel.bottom}:${sel.right}`}
      onKeyDown={onKeyDown}
      onCopy={onCopy}
      onCut={onCut}
      onPaste={onPaste}
      onMouseDown={onMouseDown}
      onMouseOver={onMouseOver}
      onDoubleClick={onDoubleClick}
      onScroll={onScroll}
    >
      <style>{COLUMN_CSS}</style>
      <div className="rg-header" role="row" style={{ width: TOTAL_WIDTH, height: HEADER_HEIGHT }}>
        <div className="rg-hnum" role="columnheader">
          {t('grid.rowNumber')}
        </div>
        {FIELDS.map((f) => (
          <div
            key={f}
            className={`rg-hcell rg-c${FIELDS.indexOf(f)}`}
            role="columnheader"
            title={fieldHeader(f)}
            data-required={REQUIRED.has(f)}
            data-testid={`grid-header-${f}`}
          >
            {fieldHeader(f)}
          </div>
        ))}
      </div>
      <div className="rg-body" role="rowgroup" style={{ height: rows.length * ROW_HEIGHT, width: TOTAL_WIDTH }}>
        {rendered}
      </div>
    </div>
  );
}
