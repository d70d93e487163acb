import { useEffect, useRef, useState } from 'react';
import type { DraftRow } from '../../../shared/rpc/contract';
import { validateDraftRows } from '../../../shared/referral/draft-validate';
import type { CellIssue } from './ReferralGrid';

export interface ValidateRequest {
  seq: number;
  rows: readonly DraftRow[];
  today?: string;
}
export interface ValidateResponse {
  seq: number;
  issues: [number, CellIssue[]][];
}

export type Issues = ReadonlyMap<number, readonly CellIssue[]>;

const DEBOUNCE_MS = 250;

function sameIssues(a: readonly CellIssue[] | undefined, b: readonly CellIssue[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x.field === b[i]!.field && x.code === b[i]!.code && x.message === b[i]!.message);
}

/** Keeps the previous array for a row whose problems did not change, so its grid row is not redrawn. */
function merge(prev: Issues, next: [number, CellIssue[]][]): Issues {
  const out = new Map<number, readonly CellIssue[]>();
  for (const [row, list] of next) {
    const old = prev.get(row);
    out.set(row, sameIssues(old, list) ? old! : list);
  }
  return out;
}

function startWorker(): Worker | null {
  try {
    return new Worker(new URL('./validate.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
}

/**
 * The draft's problems per row number, recomputed a moment after the rows stop changing
 * (`checking` meanwhile). The shared engine runs in a worker; where a worker cannot start
 * (it failed once), on this thread instead.
 */
export function useDraftValidation(rows: readonly DraftRow[], enabled: boolean): { issues: Issues; checking: boolean } {
  const [issues, setIssues] = useState<Issues>(new Map());
  const [checkedRows, setCheckedRows] = useState<readonly DraftRow[] | null>(null);
  const worker = useRef<Worker | null | undefined>(undefined);
  const seq = useRef(0);
  const pending = useRef(new Map<number, readonly DraftRow[]>());

  useEffect(
    () => () => {
      worker.current?.terminate();
    },
    [],
  );

  useEffect(() => {
    if (!enabled) return;
    const timer = setTimeout(() => {
      const mySeq = ++seq.current;
      const local = () => {
        const result = validateDraftRows(rows);
        setIssues((prev) => merge(prev, [...result.entries()]));
        setCheckedRows(rows);
      };
      if (worker.current === undefined) {
        worker.current = startWorker();
        if (worker.current) {
          const w = worker.current;
          w.onmessage = (e: MessageEvent<ValidateResponse>) => {
            const forRows = pending.current.get(e.data.seq);
            pending.current.delete(e.data.seq);
            if (e.data.seq !== seq.current || !forRows) return;
            setIssues((prev) => merge(prev, e.data.issues));
            setCheckedRows(forRows);
          };
          w.onerror = () => {
            // The worker could not load (e.g. a file:// origin that forbids it): check here.
            w.terminate();
            worker.current = null;
            const last = pending.current.get(seq.current);
            pending.current.clear();
            if (last) {
              const result = validateDraftRows(last);
              setIssues((prev) => merge(prev, [...result.entries()]));
              setCheckedRows(last);
            }
          };
        }
      }
      if (worker.current) {
        pending.current.set(mySeq, rows);
        worker.current.postMessage({ seq: mySeq, rows } satisfies ValidateRequest);
      } else {
        local();
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [rows, enabled]);

  return { issues, checking: enabled && checkedRows !== rows };
}
