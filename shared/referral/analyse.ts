import { findIcd10, icd10FitsProfile, normaliseIcd10, type Profile } from '../reference/index.js';
import { REFERRAL_COLUMNS, type ReferralFieldKey } from './columns.js';
import { cellText, fold, isEmptyCell, type CellValue, type SheetMatrix } from './cells.js';
import {
  REFERRAL_ERROR_CODES as E,
  REFERRAL_FILE_ERROR_CODES,
  REFERRAL_NOTICE_CODES,
  ReferralFileError,
  SKIP_REASONS,
  type ReferralErrorCode,
  type ReferralNoticeCode,
  type SkipReason,
} from './codes.js';
import { applyConfirmedMapping, detectHeader, headerKey, findHeaderRow, headerScore, type ColumnMapping, type ConfirmedMapping, type MappingTarget } from './mapping.js';
import {
  checkBirthDate,
  normaliseCentre,
  normaliseDate,
  normaliseEnpCell,
  normalisePhoneCell,
  normalisePregnancyWeeks,
  normaliseProfile,
  normaliseRegion,
  normaliseSex,
  normaliseSnilsCell,
  normaliseUrgency,
  type Normalised,
} from './normalise.js';

/**
 * The referral-table engine: sheet choice, header detection, mapping, normalisation, row
 * validation, duplicates. Pure: a matrix of cell values in, a classification of every row out.
 */
export type ReferralFieldValue = string | number | null;
export type ReferralFields = Record<ReferralFieldKey, ReferralFieldValue>;

export interface RowIssue {
  field: ReferralFieldKey;
  code: ReferralErrorCode;
  message: string;
}

export interface ReferralRow {
  /** The sheet's own 1-based row number. */
  row: number;
  /** Every field key: the normalised value, or null when empty or invalid. */
  fields: ReferralFields;
  errors: RowIssue[];
  /** Does not make the row invalid (an ICD-10 code missing from the shipped list, say). */
  warnings: RowIssue[];
  /** With `keepRaw`: the text of each cell that had a problem, so the user can fix what they typed. */
  raw?: Partial<Record<ReferralFieldKey, string>>;
}

export interface SkippedRow {
  row: number;
  reason: SkipReason;
}

export interface SheetInfo {
  name: string;
  index: number;
  /** Rows with at least one non-empty cell. */
  filledRows: number;
  /** 1-based, or null when no header was found. */
  headerRow: number | null;
  chosen: boolean;
}

export interface ReferralNotice {
  code: ReferralNoticeCode;
  message: string;
}

export interface ReferralAnalysis {
  sheet: { name: string; index: number };
  sheets: SheetInfo[];
  mapping: ColumnMapping;
  rows: ReferralRow[];
  skipped: SkippedRow[];
  notices: ReferralNotice[];
  summary: { total: number; valid: number; invalid: number; skipped: number };
}

export interface AnalyseOptions {
  /** YYYY-MM-DD; birth dates after it are rejected. Defaults to the current UTC date. */
  today?: string;
  /** The workbook counts serial dates from 1904 (old Mac Excel). */
  date1904?: boolean;
  /** A mapping the user confirmed earlier for this layout. */
  mapping?: ConfirmedMapping;
  /** "error" once the full official ICD-10 directory is loaded; until then an unlisted code is a warning. */
  unknownIcd10?: 'warning' | 'error';
  /** Keep the original text of problem cells on each row (`raw`), for editing them. */
  keepRaw?: boolean;
  /** Called every `progressEvery` rows with rows done and rows in the sheet. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

function countFilled(sheet: SheetMatrix): number {
  let n = 0;
  for (const r of sheet.rows) if (r && r.some((c) => !isEmptyCell(c))) n++;
  return n;
}

/** The sheet with the table: a recognisable header and the most rows under it. */
export function chooseSheet(sheets: readonly SheetMatrix[]): { index: number; infos: SheetInfo[] } | null {
  const infos: SheetInfo[] = sheets.map((s, index) => {
    const h = findHeaderRow(s);
    return { name: s.name, index, filledRows: countFilled(s), headerRow: h ? h.index + 1 : null, chosen: false };
  });
  let best: SheetInfo | null = null;
  let bestScore = -1;
  for (const info of infos) {
    if (info.headerRow === null) continue;
    const score = headerScore(sheets[info.index]!.rows[info.headerRow - 1]);
    const below = info.filledRows;
    // More named columns first; then more rows.
    const rank = score * 1e9 + below;
    if (rank > bestScore) {
      best = info;
      bestScore = rank;
    }
  }
  if (!best) return null;
  best.chosen = true;
  return { index: best.index, infos };
}

const TOTALS = /^(итого|всего|итог|total)(?= |$)/u;

interface RepeatTest {
  /** Two mapped columns and their header keys. */
  keys: [number, string][];
  mappedCount: number;
}

function classify(row: readonly CellValue[] | undefined, rowNumberCols: Set<number>, repeat: RepeatTest): SkipReason | null {
  if (!row) return SKIP_REASONS.BLANK;
  let filled = 0;
  let onlyRowNumber = true;
  let firstText: string | null = null;
  let allIntegers = true;
  const ints: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (isEmptyCell(c)) continue;
    filled++;
    // A template numbers its empty rows; a word in the "№" column is not a number.
    if (!rowNumberCols.has(i) || !(typeof c === 'number' || /^\s*\d+[.)]?\s*$/.test(String(c)))) onlyRowNumber = false;
    if (firstText === null && typeof c === 'string') firstText = c;
    if (typeof c === 'number' && Number.isInteger(c)) ints.push(c);
    else if (typeof c === 'string' && /^\s*\d{1,2}\s*$/.test(c)) ints.push(Number(c));
    else allIntegers = false;
  }
  if (filled === 0 || onlyRowNumber) return SKIP_REASONS.BLANK;
  if (firstText !== null && filled <= 4 && TOTALS.test(fold(firstText))) return SKIP_REASONS.TOTALS;
  // A row of column numbers under the header (1, 2, 3 …), as official forms have.
  if (allIntegers && ints.length >= 3 && ints.every((n, i) => n === ints[0]! + i)) return SKIP_REASONS.HEADER;
  // A header repeated on every printed page: cheap test on two columns first, the full one after.
  if (repeat.keys.length >= 2) {
    let same = 0;
    for (const [col, key] of repeat.keys) if (typeof row[col] === 'string' && headerKey(row[col]) === key) same++;
    if (same === repeat.keys.length && headerScore(row) >= Math.max(3, Math.ceil(repeat.mappedCount / 2))) return SKIP_REASONS.HEADER;
  }
  return null;
}

const NAME_RE = /^[\p{L}][\p{L}\s'’.-]*$/u;
// Control characters are exactly what this check is for.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const MSG_REQUIRED = (header: string) => `Заполните поле «${header}».`;

// Diagnosis codes repeat down a table: their lookups are cached (bounded).
function cached<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args) => {
    const key = args.join('\u0000');
    let r = cache.get(key);
    if (r === undefined && !cache.has(key)) {
      r = fn(...args);
      if (cache.size >= 5000) cache.clear();
      cache.set(key, r);
    }
    return r as R;
  };
}
const icd10Of = cached((s: string) => normaliseIcd10(s));
const icd10Known = cached((code: string) => findIcd10(code) !== undefined);
const icd10Fits = cached((code: string, centre: string, profile: string) => icd10FitsProfile(code, centre, profile));

/** Splits "Иванов Иван Иванович" (and "Мамедов Ильхам Гейдар оглы") into its three parts. */
export function splitFullName(s: string): { lastName: string | null; firstName: string | null; middleName: string | null } {
  const words = s.replace(/[,;]/g, ' ').trim().split(/\s+/).filter(Boolean);
  return { lastName: words[0] ?? null, firstName: words[1] ?? null, middleName: words.length > 2 ? words.slice(2).join(' ') : null };
}

interface RowContext {
  keepRaw: boolean;
  date1904: boolean;
  today: string;
  unknownIcd10: 'warning' | 'error';
}

/** A literal, so every row's fields object has one hidden class. */
function emptyFields(): ReferralFields {
  return {
    lastName: null,
    firstName: null,
    middleName: null,
    sex: null,
    birthDate: null,
    snils: null,
    enp: null,
    phone: null,
    region: null,
    referringOrganization: null,
    attendingPhysician: null,
    centre: null,
    profile: null,
    icd10: null,
    diagnosis: null,
    complaints: null,
    urgency: null,
    pregnancyWeeks: null,
    note: null,
  } satisfies Record<ReferralFieldKey, null>;
}

function validateRow(raw: Map<MappingTarget, CellValue>, sheetRow: number, ctx: RowContext): ReferralRow {
  const fields = emptyFields();
  const errors: RowIssue[] = [];
  const warnings: RowIssue[] = [];
  const issue = (field: ReferralFieldKey, code: ReferralErrorCode, message: string) => errors.push({ field, code, message });
  const take = <T extends string | number>(field: ReferralFieldKey, r: Normalised<T>): T | null => {
    if (r.ok) {
      fields[field] = r.value;
      return r.value;
    }
    issue(field, r.code, r.message);
    return null;
  };

  // Values per field; the combined "ФИО" column fills whichever name parts have no column of their own.
  const value = new Map<ReferralFieldKey, CellValue>();
  for (const [t, v] of raw) if (t !== 'fullName' && t !== 'rowNumber' && !isEmptyCell(v)) value.set(t, v);
  const full = raw.get('fullName');
  if (!isEmptyCell(full ?? null)) {
    const parts = splitFullName(cellText(full ?? null));
    for (const k of ['lastName', 'firstName', 'middleName'] as const) if (!value.has(k) && parts[k]) value.set(k, parts[k]);
    if (!parts.firstName) issue('firstName', E.FULL_NAME_INCOMPLETE, 'В колонке «ФИО» одно слово: укажите фамилию, имя и отчество через пробел.');
  }

  for (const col of REFERRAL_COLUMNS) {
    const key = col.key as ReferralFieldKey;
    const v = value.get(key);
    if (v === undefined) {
      if (col.required && !errors.some((e) => e.field === key)) issue(key, E.REQUIRED, MSG_REQUIRED(col.header));
      continue;
    }
    switch (key) {
      case 'lastName':
      case 'firstName':
      case 'middleName': {
        const s = cellText(v).trim().replace(/\s+/g, ' ');
        if (s.length > (col as { maxLength?: number }).maxLength!) issue(key, E.TOO_LONG, `Слишком длинное значение в поле «${col.header}».`);
        else if (!NAME_RE.test(s)) issue(key, E.NAME_FORMAT, `В поле «${col.header}» допустимы только буквы, пробел, дефис и апостроф.`);
        else fields[key] = s;
        break;
      }
      case 'sex':
        take(key, normaliseSex(v));
        break;
      case 'birthDate': {
        const d = normaliseDate(v, ctx);
        take(key, d.ok ? checkBirthDate(d.value, ctx.today) : d);
        break;
      }
      case 'snils':
        take(key, normaliseSnilsCell(v));
        break;
      case 'enp':
        take(key, normaliseEnpCell(v));
        break;
      case 'phone':
        take(key, normalisePhoneCell(v));
        break;
      case 'region':
        take(key, normaliseRegion(v));
        break;
      case 'centre':
        take(key, normaliseCentre(v));
        break;
      case 'urgency':
        take(key, normaliseUrgency(v));
        break;
      case 'profile':
      case 'icd10':
      case 'pregnancyWeeks':
        break; // after the centre, below
      default: {
        const s = cellText(v).trim();
        const max = (col as { maxLength?: number }).maxLength ?? 2000;
        if (s.length > max) issue(key, E.TOO_LONG, `Слишком длинный текст в поле «${col.header}»: не более ${max} символов.`);
        else if (CONTROL_RE.test(s)) issue(key, E.CONTROL_CHARS, `Текст в поле «${col.header}» содержит управляющие символы: уберите их.`);
        else fields[key] = s;
      }
    }
  }

  let profile: Profile | null = null;
  const profileCell = value.get('profile');
  if (profileCell !== undefined) {
    const r = normaliseProfile(profileCell, typeof fields.centre === 'string' ? fields.centre : null);
    if (r.ok) {
      fields.profile = r.value.code;
      profile = r.value.profile;
    } else issue('profile', r.code, r.message);
  }

  const icdCell = value.get('icd10');
  if (icdCell !== undefined) {
    const code = icd10Of(cellText(icdCell));
    if (!code) issue('icd10', E.ICD10_FORMAT, 'Код МКБ-10 указан неверно: нужна буква и две цифры, например I21 или Q21.0.');
    else {
      fields.icd10 = code;
      if (!icd10Known(code)) {
        const w = { field: 'icd10' as const, code: E.ICD10_UNKNOWN, message: `Кода ${code} нет в справочнике МКБ-10: проверьте код.` };
        if (ctx.unknownIcd10 === 'error') {
          errors.push(w);
          fields.icd10 = null;
        } else warnings.push(w);
      } else if (profile && typeof fields.centre === 'string' && !icd10Fits(code, fields.centre, profile.code)) {
        warnings.push({ field: 'icd10', code: E.ICD10_PROFILE_MISMATCH, message: `Код ${code} обычно не относится к профилю «${profile.name}»: проверьте профиль или диагноз.` });
      }
    }
  }

  const weeksCell = value.get('pregnancyWeeks');
  if (weeksCell !== undefined) take('pregnancyWeeks', normalisePregnancyWeeks(weeksCell));
  else if (profile?.needsPregnancyWeeks) {
    issue('pregnancyWeeks', E.PREGNANCY_WEEKS_REQUIRED, `Для профиля «${profile.name}» укажите срок беременности в неделях.`);
  }

  if (ctx.keepRaw && errors.length > 0) {
    const raw: Partial<Record<ReferralFieldKey, string>> = {};
    for (const e of errors) {
      const v = value.get(e.field);
      if (v !== undefined) raw[e.field] = cellText(v);
    }
    return { row: sheetRow, fields, errors, warnings, raw };
  }
  return { row: sheetRow, fields, errors, warnings };
}

const nameKey = (s: string) => s.toLowerCase().replace(/ё/g, 'е').replace(/[\s'’.-]+/g, '');

/** Duplicate keys of a row: СНИЛС, ЕНП, surname + name + birth date. */
function identityKeys(f: ReferralFields): { field: ReferralFieldKey; key: string; what: string }[] {
  const keys: { field: ReferralFieldKey; key: string; what: string }[] = [];
  if (f.snils) keys.push({ field: 'snils', key: `s:${f.snils}`, what: 'СНИЛС' });
  if (f.enp) keys.push({ field: 'enp', key: `e:${f.enp}`, what: 'полис ОМС' });
  if (f.lastName && f.firstName && f.birthDate) {
    keys.push({ field: 'lastName', key: `n:${nameKey(String(f.lastName))}|${nameKey(String(f.firstName))}|${f.birthDate}`, what: 'фамилия, имя и дата рождения' });
  }
  return keys;
}

export function analyseSheet(sheet: SheetMatrix, mapping: ColumnMapping, options: AnalyseOptions = {}): Omit<ReferralAnalysis, 'sheet' | 'sheets'> {
  const ctx: RowContext = {
    keepRaw: options.keepRaw ?? false,
    date1904: options.date1904 ?? false,
    today: options.today ?? new Date().toISOString().slice(0, 10),
    unknownIcd10: options.unknownIcd10 ?? 'warning',
  };
  const mapped = mapping.columns.filter((c) => c.target !== null) as { index: number; target: MappingTarget; header: string }[];
  const rowNumberCols = new Set(mapped.filter((c) => c.target === 'rowNumber').map((c) => c.index));
  const fieldCols = mapped.filter((c) => c.target !== 'rowNumber');
  const repeat: RepeatTest = { keys: fieldCols.slice(0, 2).map((c) => [c.index, headerKey(c.header)]), mappedCount: fieldCols.length };
  const notices: ReferralNotice[] = [];
  const unmapped = mapping.columns.filter((c) => c.target === null);
  if (unmapped.length) {
    notices.push({ code: REFERRAL_NOTICE_CODES.UNMAPPED_COLUMNS, message: `Колонки не сопоставлены и не импортируются: ${unmapped.map((c) => `«${c.header}»`).join(', ')}. Сопоставьте их вручную, если в них нужные данные.` });
  }
  const targets = new Set(mapped.map((c) => c.target));
  const missing = REFERRAL_COLUMNS.filter((c) => c.required && !targets.has(c.key) && !(targets.has('fullName') && (c.key === 'lastName' || c.key === 'firstName')));
  if (missing.length) {
    notices.push({ code: REFERRAL_NOTICE_CODES.MISSING_REQUIRED_COLUMNS, message: `В таблице нет обязательных колонок: ${missing.map((c) => `«${c.header}»`).join(', ')}.` });
  }

  const rows: ReferralRow[] = [];
  const skipped: SkippedRow[] = [];
  const seen = new Map<string, number>();
  const total = sheet.rows.length;
  const every = options.progressEvery ?? 1000;
  const raw = new Map<MappingTarget, CellValue>();
  for (let i = 0; i < total; i++) {
    if (options.onProgress && i % every === 0) options.onProgress(i, total);
    const row = sheet.rows[i];
    if (i < mapping.headerRow) {
      skipped.push({ row: i + 1, reason: !row || row.every((c) => isEmptyCell(c)) ? SKIP_REASONS.BLANK : SKIP_REASONS.TITLE });
      continue;
    }
    if (i === mapping.headerRow || i === mapping.subHeaderRow) {
      skipped.push({ row: i + 1, reason: SKIP_REASONS.HEADER });
      continue;
    }
    const reason = classify(row, rowNumberCols, repeat);
    if (reason) {
      skipped.push({ row: i + 1, reason });
      continue;
    }
    raw.clear();
    for (const c of mapped) raw.set(c.target, row![c.index] ?? null);
    const result = validateRow(raw, i + 1, ctx);
    const keys = identityKeys(result.fields);
    for (const k of keys) {
      const first = seen.get(k.key);
      if (first !== undefined) {
        result.errors.push({ field: k.field, code: E.DUPLICATE, message: `Этот пациент уже есть в строке ${first} (совпадает ${k.what}): удалите повтор или исправьте данные.` });
        break;
      }
    }
    for (const k of keys) if (!seen.has(k.key)) seen.set(k.key, i + 1);
    rows.push(result);
  }
  options.onProgress?.(total, total);
  const valid = rows.filter((r) => r.errors.length === 0).length;
  return { mapping, rows, skipped, notices, summary: { total: rows.length, valid, invalid: rows.length - valid, skipped: skipped.length } };
}

/** The whole pipeline over a workbook's sheets. Throws `ReferralFileError` NO_TABLE when no sheet has a header. */
export function analyseWorkbook(sheets: readonly SheetMatrix[], options: AnalyseOptions = {}): ReferralAnalysis {
  const choice = chooseSheet(sheets);
  if (!choice) {
    throw new ReferralFileError(
      REFERRAL_FILE_ERROR_CODES.NO_TABLE,
      'В файле не найдена таблица направлений: ни на одном листе нет строки заголовков с колонками «Фамилия», «Дата рождения», «СНИЛС» и т. п. Возьмите шаблон таблицы из программы.',
    );
  }
  const sheet = sheets[choice.index]!;
  const headerIndex = choice.infos[choice.index]!.headerRow! - 1;
  const mapping = applyConfirmedMapping(detectHeader(sheet.rows, headerIndex), options.mapping);
  const result = analyseSheet(sheet, mapping, options);
  const others = choice.infos.filter((s) => !s.chosen && s.headerRow !== null && s.filledRows > 1);
  if (others.length) {
    result.notices.unshift({
      code: REFERRAL_NOTICE_CODES.OTHER_SHEETS_WITH_DATA,
      message: `Импортирован лист «${sheet.name}». На листах ${others.map((s) => `«${s.name}»`).join(', ')} тоже есть таблица: импортируйте их отдельно или перенесите строки на один лист.`,
    });
  }
  return { sheet: { name: sheet.name, index: choice.index }, sheets: choice.infos, ...result };
}
