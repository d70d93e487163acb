import { FULL_NAME_SYNONYMS, normaliseHeader, REFERRAL_COLUMNS, ROW_NUMBER_COLUMN, type ReferralFieldKey } from './columns.js';
import { cellText, isEmptyCell, type CellValue, type SheetMatrix } from './cells.js';

/**
 * Automatic column mapping. A header cell maps to a field, to the single "ФИО" column (split into
 * surname, name and patronymic), to the "№" column (ignored), or to nothing. The result is a
 * proposal the user confirms; a confirmed mapping is remembered by the layout's signature.
 */
export type MappingTarget = ReferralFieldKey | 'fullName' | 'rowNumber';
/** How sure the automatic mapping is: the UI asks about anything below "synonym". */
export type MappingConfidence = 'exact' | 'synonym' | 'abbreviation' | 'contains' | 'confirmed' | 'none';

export interface ColumnAssignment {
  /** 0-based column index in the sheet. */
  index: number;
  /** The header cell as typed. */
  header: string;
  target: MappingTarget | null;
  confidence: MappingConfidence;
}

export interface ColumnMapping {
  /** 0-based index of the header row in the sheet's matrix (sheet row = headerRow + 1). */
  headerRow: number;
  /** 0-based index of a second header row under it (a two-level header), when there is one. */
  subHeaderRow?: number;
  signature: string;
  columns: ColumnAssignment[];
}

/** What the user confirmed, stored per signature and handed back to the next import. */
export interface ConfirmedMapping {
  signature: string;
  columns: { index: number; target: MappingTarget | null }[];
}

/** `normaliseHeader` plus "№", which is a symbol and would otherwise fold to nothing. */
export function headerKey(s: string): string {
  return normaliseHeader(s.replace(/№/g, ' no ').replace(/[\u00A0\u2007\u202F]/g, ' '));
}

interface Label {
  target: MappingTarget;
  key: string;
  primary: boolean;
}

const LABELS: Label[] = [
  ...REFERRAL_COLUMNS.flatMap((c) => [
    { target: c.key as MappingTarget, key: headerKey(c.header), primary: true },
    ...c.synonyms.map((s) => ({ target: c.key as MappingTarget, key: headerKey(s), primary: false })),
  ]),
  ...FULL_NAME_SYNONYMS.map((s) => ({ target: 'fullName' as const, key: headerKey(s), primary: s === 'ФИО' })),
  ...ROW_NUMBER_COLUMN.synonyms.map((s) => ({ target: 'rowNumber' as const, key: headerKey(s), primary: false })),
  // Spellings seen in real tables that the spec's synonym lists do not carry.
  ...(
    [
      ['birthDate', 'дата рожд'],
      ['birthDate', 'д р'],
      ['birthDate', 'число месяц год рождения'],
      ['snils', 'снилс no'],
      ['phone', 'телефон пациента'],
      ['phone', 'моб'],
      ['enp', 'омс'],
      ['enp', 'полис омс no'],
      ['icd10', 'код по мкб 10'],
      ['icd10', 'код мкб'],
      ['pregnancyWeeks', 'срок беременности недель'],
      ['pregnancyWeeks', 'срок гестации'],
      ['attendingPhysician', 'фио лечащего врача'],
      ['attendingPhysician', 'лечащий врач фио'],
      ['referringOrganization', 'наименование мо'],
      ['referringOrganization', 'направившая организация'],
      ['referringOrganization', 'направившее учреждение'],
      ['fullName', 'ф и о'],
      ['fullName', 'фио полностью'],
      ['rowNumber', 'no п п'],
      ['rowNumber', 'n п п'],
      ['rowNumber', 'пп'],
    ] as const
  ).map(([target, key]) => ({ target: target as MappingTarget, key, primary: false })),
];

const BY_KEY = new Map<string, Label>();
for (const l of LABELS) if (!BY_KEY.has(l.key)) BY_KEY.set(l.key, l);
const BY_COMPACT = new Map<string, Label>();
for (const l of LABELS) {
  const k = l.key.replace(/ /g, '');
  if (!BY_COMPACT.has(k)) BY_COMPACT.set(k, l);
}

/** Header tokens that are each a prefix of the label's tokens, in order ("дата рожд", "моб тел"). */
function isAbbreviationOf(tokens: string[], label: string[]): boolean {
  if (tokens.length !== label.length) return false;
  return tokens.every((t, i) => label[i]!.startsWith(t) && t.length >= 1);
}

/** Does `tokens` contain `label` as a run of whole words? */
function containsWords(tokens: string[], label: string[]): boolean {
  outer: for (let i = 0; i + label.length <= tokens.length; i++) {
    for (let j = 0; j < label.length; j++) if (tokens[i + j] !== label[j]) continue outer;
    return true;
  }
  return false;
}

export function matchHeader(text: string): { target: MappingTarget; confidence: MappingConfidence } | null {
  const key = headerKey(text);
  if (!key) return null;
  const exact = BY_KEY.get(key);
  if (exact) return { target: exact.target, confidence: exact.primary ? 'exact' : 'synonym' };
  const compact = BY_COMPACT.get(key.replace(/ /g, ''));
  if (compact) return { target: compact.target, confidence: 'synonym' };
  const tokens = key.split(' ');
  const abbreviated = new Set(LABELS.filter((l) => isAbbreviationOf(tokens, l.key.split(' '))).map((l) => l.target));
  if (abbreviated.size === 1) return { target: [...abbreviated][0]!, confidence: 'abbreviation' };
  // The longest label contained in the header wins: "Дата рождения (ДД.ММ.ГГГГ)", "ФИО врача" (exact above).
  let best: Label | null = null;
  let bestLen = 0;
  let tie = false;
  for (const l of LABELS) {
    const lt = l.key.split(' ');
    if (l.key.length < 3 || !containsWords(tokens, lt)) continue;
    if (l.key.length > bestLen) {
      best = l;
      bestLen = l.key.length;
      tie = false;
    } else if (l.key.length === bestLen && best && best.target !== l.target) tie = true;
  }
  return best && !tie ? { target: best.target, confidence: 'contains' } : null;
}

const RANK: Record<MappingConfidence, number> = { confirmed: 5, exact: 4, synonym: 3, abbreviation: 2, contains: 1, none: 0 };

/** The mapping a header row would give; a field claimed twice goes to the surer (then the first) column. */
export function mapHeaderRow(row: readonly CellValue[] | undefined, headerRow: number): ColumnMapping {
  const columns: ColumnAssignment[] = [];
  const cells = row ?? [];
  for (let i = 0; i < cells.length; i++) {
    if (isEmptyCell(cells[i])) continue;
    const header = cellText(cells[i]).trim();
    const m = matchHeader(header);
    columns.push({ index: i, header, target: m?.target ?? null, confidence: m?.confidence ?? 'none' });
  }
  resolveConflicts(columns);
  return { headerRow, signature: layoutSignature(cells), columns };
}

function resolveConflicts(columns: ColumnAssignment[]): void {
  const winner = new Map<MappingTarget, ColumnAssignment>();
  for (const c of columns) {
    if (!c.target) continue;
    const prev = winner.get(c.target);
    if (!prev || RANK[c.confidence] > RANK[prev.confidence]) winner.set(c.target, c);
  }
  for (const c of columns) {
    if (c.target && winner.get(c.target) !== c) {
      c.target = null;
      c.confidence = 'none';
    }
  }
  // Separate name columns beat a combined one: both present means "ФИО" is something else.
  if (winner.has('fullName') && (winner.has('lastName') || winner.has('firstName'))) {
    const full = winner.get('fullName')!;
    full.target = null;
    full.confidence = 'none';
  }
}

/**
 * A two-level header: merged group titles in the upper row ("Документы" over "СНИЛС" and
 * "Полис"; a vertically merged "Пол" whose text sits in the upper cell only), the field names in
 * the lower. The combined row takes the lower name where there is one and the upper otherwise.
 * It is a two-level header only if every filled lower cell names a field, and every filled upper
 * cell either names a field itself or stands over a filled lower cell (a group title) — a table
 * title above the header does neither.
 */
export function combineHeaderRows(upper: readonly CellValue[] | undefined, lower: readonly CellValue[] | undefined): CellValue[] | null {
  if (!upper || !lower) return null;
  const width = Math.max(upper.length, lower.length);
  const combined: CellValue[] = new Array<CellValue>(width).fill(null);
  let fromUpper = 0;
  let fromLower = 0;
  for (let i = 0; i < width; i++) {
    const lo = lower[i];
    const up = upper[i];
    const loFilled = !isEmptyCell(lo);
    const upFilled = !isEmptyCell(up);
    if (loFilled && (typeof lo !== 'string' || !matchHeader(lo))) return null;
    if (upFilled && !loFilled) {
      const m = typeof up === 'string' ? matchHeader(up) : null;
      if (!m || m.confidence === 'contains') return null;
    }
    if (loFilled) {
      combined[i] = lo ?? null;
      fromLower++;
    } else if (upFilled) {
      combined[i] = up ?? null;
      fromUpper++;
    }
  }
  return fromLower > 0 && fromUpper > 0 ? combined : null;
}

/** The best header for a detected header row: alone, or with the row above or below it. */
export function detectHeader(rows: readonly (readonly CellValue[] | undefined)[], index: number): ColumnMapping {
  const single = mapHeaderRow(rows[index], index);
  const count = (m: ColumnMapping) => new Set(m.columns.filter((c) => c.target && c.target !== 'rowNumber').map((c) => c.target)).size;
  let best = single;
  let bestCount = count(single);
  const pairs: [number, number][] = [];
  if (index > 0) pairs.push([index - 1, index]);
  pairs.push([index, index + 1]);
  for (const [u, l] of pairs) {
    const combined = combineHeaderRows(rows[u], rows[l]);
    if (!combined) continue;
    const m: ColumnMapping = { ...mapHeaderRow(combined, u), subHeaderRow: l };
    const n = count(m);
    if (n > bestCount) {
      best = m;
      bestCount = n;
    }
  }
  return best;
}

/** How many distinct fields a row's cells name: the header is the row that names the most. */
export function headerScore(row: readonly CellValue[] | undefined): number {
  if (!row) return 0;
  const targets = new Set<MappingTarget>();
  for (const c of row) {
    if (typeof c !== 'string' || !c.trim() || c.length > 200) continue;
    const m = matchHeader(c);
    if (m && m.target !== 'rowNumber') targets.add(m.target);
  }
  return targets.size;
}

/** The header row: within the first rows, the one that names the most fields (at least three). */
export function findHeaderRow(sheet: SheetMatrix, scanRows = 40): { index: number; score: number } | null {
  let best: { index: number; score: number } | null = null;
  const limit = Math.min(sheet.rows.length, scanRows);
  for (let i = 0; i < limit; i++) {
    const score = headerScore(sheet.rows[i]);
    if (score >= 3 && (!best || score > best.score)) best = { index: i, score };
  }
  return best;
}

/**
 * The layout's identity: each non-empty header cell's column and normalised text, hashed
 * (FNV-1a, 32 bits, hex). Spacing, case, ё and punctuation do not change it; moving,
 * renaming, adding or removing a column does.
 */
export function layoutSignature(headerCells: readonly CellValue[]): string {
  const parts: string[] = [];
  for (let i = 0; i < headerCells.length; i++) {
    const k = isEmptyCell(headerCells[i]) ? '' : headerKey(cellText(headerCells[i]));
    if (k) parts.push(`${i}:${k}`);
  }
  let h = 0x811c9dc5;
  const s = parts.join('|');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `v1-${h.toString(16).padStart(8, '0')}-${parts.length}`;
}

/** A remembered mapping replaces the automatic one only for the very same layout. */
export function applyConfirmedMapping(auto: ColumnMapping, confirmed: ConfirmedMapping | undefined): ColumnMapping {
  if (!confirmed || confirmed.signature !== auto.signature) return auto;
  const byIndex = new Map(confirmed.columns.map((c) => [c.index, c.target]));
  const columns = auto.columns.map((c) => (byIndex.has(c.index) ? { ...c, target: byIndex.get(c.index) ?? null, confidence: 'confirmed' as const } : c));
  resolveConflicts(columns);
  return { ...auto, columns };
}

/** What the user confirms: the mapping without the header texts. */
export function toConfirmed(mapping: ColumnMapping): ConfirmedMapping {
  return { signature: mapping.signature, columns: mapping.columns.map((c) => ({ index: c.index, target: c.target })) };
}
