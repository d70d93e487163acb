import { ReferralRowFields, type RejectedRow, type ReferralBatchRow } from '../../../shared/domain/referrals';
import type { ReferralFieldKey } from '../../../shared/referral/columns';
import { analyseDraftRows } from '../../../shared/referral/draft-validate';
import type { DraftRow } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { fieldHeader } from '../referrals/field-options';
import type { Problem } from '../referrals/ProblemsPanel';

/**
 * A received file's rows checked by the same engine as the physician's grid: the valid rows in
 * the stored form the server takes, every other row as a rejected row with its reasons (so it
 * reaches the batch report rather than disappearing), and the problems per cell for the panel.
 */

export interface CheckedRow {
  /** Position in the file's rows (for jumping to it). */
  index: number;
  row: number;
  label: string;
  birthDate: string;
  snils: string;
  valid: boolean;
  problems: Problem[];
}

export interface IntakeCheck {
  rows: CheckedRow[];
  valid: ReferralBatchRow[];
  rejected: RejectedRow[];
  problems: Problem[];
  /** The most common region code, organisation and physician in the rows (to prefill the origin). */
  suggested: { region: string | null; organization: string | null; referrer: string | null };
}

const REASON_MAX = 1000;
const LABEL_MAX = 200;

/** «Иванова А. П.» from the row's name cells, or «Строка N» when the file names nobody. */
export function rowLabel(cells: Partial<Record<string, string>>, row: number): string {
  const last = (cells.lastName ?? '').trim();
  const initials = [cells.firstName, cells.middleName]
    .map((s) => (s ?? '').trim())
    .filter(Boolean)
    .map((s) => `${s[0]!.toLocaleUpperCase('ru-RU')}.`)
    .join(' ');
  const label = [last, initials].filter(Boolean).join(' ');
  return (label || t('import.check.rowLabel', { row })).slice(0, LABEL_MAX);
}

function mostCommon(values: readonly (string | number | null | undefined)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const s = String(v).trim();
    if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let best: string | null = null;
  let n = 0;
  for (const [k, c] of counts) {
    if (c > n) {
      best = k;
      n = c;
    }
  }
  return best;
}

export function checkIntakeRows(rows: readonly DraftRow[], opts: { today?: string } = {}): IntakeCheck {
  const analysed = analyseDraftRows(rows, opts);
  const indexOf = new Map(rows.map((r, i) => [r.row, i]));
  const out: CheckedRow[] = [];
  const valid: ReferralBatchRow[] = [];
  const rejected: RejectedRow[] = [];
  const problems: Problem[] = [];
  const regions: (string | number | null)[] = [];
  const organizations: (string | number | null)[] = [];
  const referrers: (string | number | null)[] = [];
  for (const a of analysed) {
    // A blank row is not a patient: nothing to take in or to reject.
    if (!a.result) continue;
    const index = indexOf.get(a.row) ?? -1;
    const cells = rows[index]?.cells ?? {};
    const f = a.result.fields;
    regions.push(f.region);
    organizations.push(f.referringOrganization);
    referrers.push(f.attendingPhysician);
    const rowProblems: Problem[] = a.result.errors.map((e) => ({ index, row: a.row, field: e.field, message: e.message }));
    let fields: ReferralRowFields | null = null;
    if (rowProblems.length === 0) {
      const parsed = ReferralRowFields.safeParse(f);
      if (parsed.success) fields = parsed.data;
      else {
        // The engine accepted the row but the stored form does not: name the fields, never drop the row.
        for (const issue of parsed.error.issues.slice(0, 5)) {
          const field = String(issue.path[0] ?? 'lastName') as ReferralFieldKey;
          rowProblems.push({ index, row: a.row, field, message: t('import.check.notStorable') });
        }
      }
    }
    const label = rowLabel(cells, a.row);
    if (fields) valid.push({ row: a.row, fields });
    else {
      const reason = rowProblems.map((p) => `${fieldHeader(p.field)}: ${p.message}`).join('; ');
      rejected.push({ row: a.row, label, reason: reason.slice(0, REASON_MAX) || t('import.check.notStorable') });
    }
    problems.push(...rowProblems);
    out.push({ index, row: a.row, label, birthDate: cells.birthDate ?? '', snils: cells.snils ?? '', valid: fields !== null, problems: rowProblems });
  }
  return {
    rows: out,
    valid,
    rejected,
    problems,
    suggested: { region: mostCommon(regions), organization: mostCommon(organizations), referrer: mostCommon(referrers) },
  };
}

/** SHA-256 of a file, hex, as the services compute it; null where Web Crypto is not available. */
export async function sha256Hex(file: Blob): Promise<string | null> {
  if (typeof crypto === 'undefined' || !crypto.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
