import type { ImportDecision, ImportDecisionKind, RowDuplicates } from '../../../shared/domain/batch-import';

/**
 * The review's choices per row, as plain data: what the server proposed or saved, what the
 * manager chose, which rows still need a decision, and the bulk rules. Kept apart from the screen
 * so the rules are easy to read and to test.
 */

export interface Choice {
  decision: ImportDecisionKind;
  /** For `link`. */
  patientId: string | null;
}

/** The saved decision, else the server's proposal, else none (the row must be decided). */
export function initialChoice(r: RowDuplicates): Choice | null {
  if (r.decision) return { decision: r.decision, patientId: r.decisionPatientId };
  if (r.defaultDecision) return { decision: r.defaultDecision, patientId: r.defaultPatientId };
  return null;
}

export function sameChoice(a: Choice | null, b: Choice | null): boolean {
  if (a === null || b === null) return a === b;
  return a.decision === b.decision && (a.decision !== 'link' || a.patientId === b.patientId);
}

/** A row already imported is settled; one without a choice needs the manager. */
export function needsDecision(r: RowDuplicates, choice: Choice | null): boolean {
  return r.outcome === null && choice === null;
}

/** The select's value: `create`, `skip`, `link:<candidate index>`, or '' for none. */
export function choiceValue(r: RowDuplicates, c: Choice | null): string {
  if (!c) return '';
  if (c.decision !== 'link') return c.decision;
  const i = r.candidates.findIndex((x) => x.id === c.patientId);
  return i >= 0 ? `link:${i}` : '';
}

export function choiceFromValue(r: RowDuplicates, value: string): Choice | null {
  if (value === 'create' || value === 'skip') return { decision: value, patientId: null };
  const m = /^link:(\d+)$/.exec(value);
  const candidate = m ? r.candidates[Number(m[1])] : undefined;
  return candidate ? { decision: 'link', patientId: candidate.id } : null;
}

export type BulkRule = 'linkSnils' | 'skipUndecided' | 'createUnmatched';

/** What a bulk action sets for a row, or undefined to leave it as it is. */
export function bulkChoice(rule: BulkRule, r: RowDuplicates, current: Choice | null): Choice | undefined {
  if (r.outcome !== null) return undefined;
  switch (rule) {
    case 'linkSnils': {
      const bySnils = r.candidates.filter((c) => c.why.includes('snils'));
      return bySnils.length === 1 ? { decision: 'link', patientId: bySnils[0]!.id } : undefined;
    }
    case 'skipUndecided':
      return current === null ? { decision: 'skip', patientId: null } : undefined;
    case 'createUnmatched':
      return r.candidates.length === 0 ? { decision: 'create', patientId: null } : undefined;
  }
}

/** The decisions to save: every open row whose choice differs from what the server holds. */
export function decisionsToSave(rows: readonly RowDuplicates[], choices: ReadonlyMap<number, Choice | null>): ImportDecision[] {
  const out: ImportDecision[] = [];
  for (const r of rows) {
    if (r.outcome !== null) continue;
    const c = choices.get(r.row) ?? null;
    if (!c) continue;
    const saved: Choice | null = r.decision ? { decision: r.decision, patientId: r.decisionPatientId } : null;
    if (sameChoice(c, saved)) continue;
    out.push(c.decision === 'link' && c.patientId ? { row: r.row, decision: 'link', patientId: c.patientId } : { row: r.row, decision: c.decision === 'link' ? 'create' : c.decision });
  }
  return out;
}

export function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
