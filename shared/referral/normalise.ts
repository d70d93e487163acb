import { CENTRES, findRegion, REGIONS, type Centre, type Profile } from '../reference/index.js';
import { validateEnp, validatePhone, validateSnils } from '../validators/index.js';
import { SEX_VALUES, URGENCY_VALUES } from './columns.js';
import { REFERRAL_ERROR_CODES as E, type ReferralErrorCode } from './codes.js';
import { cellText, fold, type CellValue } from './cells.js';

/**
 * Cell value → the one stored form. Each normaliser takes a non-empty cell and returns the value
 * or a stable code with a Russian message; "required" is the row validator's business.
 */
export type Normalised<T = string> = { ok: true; value: T } | { ok: false; code: ReferralErrorCode; message: string };

/**
 * Enumerated columns repeat the same few texts down 100,000 rows: their verdicts are cached per
 * text (bounded, so a hostile file of unique strings only loses the cache, not memory).
 */
function memo<T>(fn: (text: string) => Normalised<T>): (v: CellValue) => Normalised<T> {
  const cache = new Map<string, Normalised<T>>();
  return (v) => {
    const text = cellText(v);
    let r = cache.get(text);
    if (!r) {
      r = fn(text);
      if (cache.size >= 5000) cache.clear();
      cache.set(text, r);
    }
    return r;
  };
}

const fail = (code: ReferralErrorCode, message: string): { ok: false; code: ReferralErrorCode; message: string } => ({ ok: false, code, message });

// --- dates -------------------------------------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoFromParts(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1000 || y > 9999) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/**
 * An Excel serial day number → YYYY-MM-DD. The 1900 system counts from 1899-12-31 as day 0 and
 * keeps Lotus's phantom 29 Feb 1900 (serial 60); the 1904 system counts from 1904-01-01.
 */
export function excelSerialToIso(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial)) return null;
  const day = Math.floor(serial);
  if (date1904) return day < 0 || day > 2_958_465 ? null : isoFromEpochDays(day - 24_107);
  if (day < 1 || day === 60 || day > 2_958_465) return null;
  // Day 1 is 1900-01-01, i.e. 25,567 days before 1970-01-01; past the phantom day, one fewer.
  return isoFromEpochDays((day < 60 ? day : day - 1) - 25_568);
}

/** Days since 1970-01-01 → YYYY-MM-DD, by arithmetic (Hinnant's civil-from-days): no Date per cell. */
function isoFromEpochDays(z0: number): string {
  const z = z0 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

const MSG_DATE_FORMAT = 'Дата не распознана: укажите её как ДД.ММ.ГГГГ, например 01.02.1980.';
const MSG_DATE_INVALID = 'Такой даты нет в календаре: проверьте день и месяц.';

function twoDigitYear(yy: number, todayYear: number): number {
  const century = Math.floor(todayYear / 100) * 100;
  return century + yy > todayYear ? century - 100 + yy : century + yy;
}

/** Excel serials, Date cells and text `01.02.1980`, `1.2.1980`, `1980-02-01`, `01/02/1980`, `01.02.80`. */
export function normaliseDate(v: CellValue, opts: { date1904?: boolean; today: string }): Normalised {
  const todayYear = Number(opts.today.slice(0, 4));
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 1900 && v <= todayYear + 1) {
      return fail(E.DATE_YEAR_ONLY, 'Указан только год: нужна полная дата в виде ДД.ММ.ГГГГ.');
    }
    const iso = excelSerialToIso(v, opts.date1904);
    return iso ? { ok: true, value: iso } : fail(E.DATE_FORMAT, MSG_DATE_FORMAT);
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return fail(E.DATE_FORMAT, MSG_DATE_FORMAT);
    // A date-only value made at UTC midnight, or at local midnight by a reader that uses local time.
    const utcMidnight = v.getUTCHours() === 0 && v.getUTCMinutes() === 0;
    const iso = utcMidnight
      ? isoFromParts(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate())
      : isoFromParts(v.getFullYear(), v.getMonth() + 1, v.getDate());
    return iso ? { ok: true, value: iso } : fail(E.DATE_INVALID, MSG_DATE_INVALID);
  }
  const s = cellText(v).trim().replace(/\s*г(?:ода|\.)?\s*$/u, '').replace(/\s+/g, '');
  let m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$/.exec(s);
  if (m) {
    const y = m[3]!.length === 2 ? twoDigitYear(Number(m[3]), todayYear) : Number(m[3]);
    const iso = isoFromParts(y, Number(m[2]), Number(m[1]));
    return iso ? { ok: true, value: iso } : fail(E.DATE_INVALID, MSG_DATE_INVALID);
  }
  m = /^(\d{4})[./-](\d{1,2})[./-](\d{1,2})(?:T[\d:.]+Z?)?$/.exec(s);
  if (m) {
    const iso = isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
    return iso ? { ok: true, value: iso } : fail(E.DATE_INVALID, MSG_DATE_INVALID);
  }
  if (/^\d{4}$/.test(s)) return fail(E.DATE_YEAR_ONLY, 'Указан только год: нужна полная дата в виде ДД.ММ.ГГГГ.');
  // A serial typed as text ("29252") is what a CSV round trip leaves behind.
  if (/^\d{5}$/.test(s)) return normaliseDate(Number(s), opts);
  return fail(E.DATE_FORMAT, MSG_DATE_FORMAT);
}

export function checkBirthDate(iso: string, today: string): Normalised {
  if (iso > today) return fail(E.DATE_IN_FUTURE, 'Дата рождения в будущем: проверьте год.');
  if (iso < '1900-01-01') return fail(E.DATE_TOO_OLD, 'Дата рождения раньше 1900 года: проверьте год.');
  return { ok: true, value: iso };
}

// --- identifiers -------------------------------------------------------------------------------

/** A number cell loses leading zeros: 01234567890 arrives as 1234567890. */
function digitsOf(v: CellValue, width: number): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return cellText(v).padStart(width, '0');
  return cellText(v).trim();
}

export function normaliseSnilsCell(v: CellValue): Normalised {
  const r = validateSnils(digitsOf(v, 11).replace(/[\s._‐–—-]/g, ''));
  return r.ok ? r : fail(E[r.code], r.message);
}

export function normaliseEnpCell(v: CellValue): Normalised {
  // Excel keeps 15 significant digits: a 16-digit number typed into a number cell lost its last one.
  if (typeof v === 'number' && v >= 1e15) {
    return fail(E.ENP_LOST_DIGITS, 'Номер полиса записан в ячейке как число, и Excel отбросил последнюю цифру: сделайте ячейку текстовой и введите номер заново.');
  }
  const r = validateEnp(digitsOf(v, 16).replace(/[\s._‐–—-]/g, ''));
  return r.ok ? r : fail(E[r.code], r.message);
}

/**
 * libphonenumber's full metadata costs ~50 µs a number, too slow for 100,000 rows. Whether a
 * Russian number is valid and mobile is decided by its first six national digits (the longest
 * leading-digit pattern in the RU metadata, 9300xx…), so the verdict is cached per prefix and the
 * number itself is the canonical +7 form the validator would have returned.
 */
const PHONE_VERDICT = new Map<string, { ok: true } | { ok: false; code: 'PHONE_FORMAT' | 'PHONE_NOT_MOBILE'; message: string }>();

function canonicalRu(input: string): string | null {
  let digits = input.replace(/[^\d+]/g, '');
  if (/^8\d{10}$/.test(digits)) digits = `+7${digits.slice(1)}`;
  else if (/^7\d{10}$/.test(digits)) digits = `+${digits}`;
  else if (/^\d{10}$/.test(digits)) digits = `+7${digits}`;
  return /^\+7\d{10}$/.test(digits) ? digits : null;
}

function validatePhoneFast(input: string): ReturnType<typeof validatePhone> {
  const canonical = canonicalRu(input);
  if (!canonical) return validatePhone(input);
  const key = canonical.slice(0, 8);
  let verdict = PHONE_VERDICT.get(key);
  if (!verdict) {
    const r = validatePhone(canonical);
    if (r.ok && r.value !== canonical) return r;
    verdict = r.ok ? { ok: true } : r;
    if (PHONE_VERDICT.size < 100_000) PHONE_VERDICT.set(key, verdict);
  }
  return verdict.ok ? { ok: true, value: canonical } : verdict;
}

/** One phone, or several in one cell ("8 912 …, 8 922 …"): the first mobile one wins. */
export function normalisePhoneCell(v: CellValue): Normalised {
  const s = cellText(v).trim();
  const whole = validatePhoneFast(s);
  if (whole.ok) return whole;
  const parts = s.split(/[,;/]|\s{2,}|\s+или\s+/u).map((p) => p.trim()).filter(Boolean);
  if (parts.length > 1) {
    for (const p of parts) {
      const r = validatePhoneFast(p);
      if (r.ok) return r;
    }
  }
  return fail(E[whole.code], whole.message);
}

// --- enumerations ------------------------------------------------------------------------------

function synonymTable<K extends string>(values: Record<K, { label: string; synonyms: readonly string[] }>): Map<string, K> {
  const map = new Map<string, K>();
  for (const key of Object.keys(values) as K[]) {
    map.set(fold(key), key);
    map.set(fold(values[key].label), key);
    for (const s of values[key].synonyms) map.set(fold(s), key);
  }
  return map;
}

const SEX = synonymTable(SEX_VALUES);
// Common typing variants beyond the spec's list.
for (const [s, k] of [['мужчина', 'male'], ['муж пол', 'male'], ['мальчик', 'male'], ['женщина', 'female'], ['жен пол', 'female'], ['девочка', 'female']] as const) SEX.set(s, k);
const URGENCY = synonymTable(URGENCY_VALUES);
for (const [s, k] of [['плановый', 'planned'], ['планов', 'planned'], ['в плановом порядке', 'planned'], ['неотложный', 'urgent'], ['неотл', 'urgent'], ['экстренная', 'urgent'], ['срочный', 'urgent']] as const) URGENCY.set(s, k);

export const normaliseSex = memo((text): Normalised<'male' | 'female'> => {
  const k = SEX.get(fold(text));
  return k ? { ok: true, value: k } : fail(E.SEX_UNKNOWN, 'Пол не распознан: укажите «м» или «ж».');
});

export const normaliseUrgency = memo((text): Normalised<'planned' | 'urgent'> => {
  const k = URGENCY.get(fold(text));
  return k ? { ok: true, value: k } : fail(E.URGENCY_UNKNOWN, 'Срочность не распознана: укажите «плановая» или «неотложная».');
});

// Words that say what kind of subject it is; they are often shortened or left out.
const REGION_KIND_WORDS = new Set(['республика', 'респ', 'область', 'обл', 'край', 'автономный', 'автономная', 'округ', 'ао', 'г', 'город', 'федерального', 'значения']);
const regionCore = (s: string) =>
  fold(s)
    .split(' ')
    .filter((w) => w && !REGION_KIND_WORDS.has(w))
    .join(' ');
const REGION_BY_CORE = new Map<string, string | null>();
for (const r of REGIONS) {
  const core = regionCore(r.name);
  // Two subjects with the same core (Алтай: republic and krai) are told apart only by the kind word.
  REGION_BY_CORE.set(core, REGION_BY_CORE.has(core) ? null : r.code);
}

/** By code ("16"), by full name, or by the name without its kind ("Татарстан", "Респ. Татарстан"). */
export const normaliseRegion = memo((text): Normalised => {
  const s = text.trim();
  const exact = findRegion(s);
  if (exact) return { ok: true, value: exact.code };
  const code = REGION_BY_CORE.get(regionCore(s));
  if (code) return { ok: true, value: code };
  return fail(E.REGION_UNKNOWN, 'Регион не найден в справочнике субъектов РФ: выберите его из списка в шаблоне.');
});

const CENTRE_GENERIC = new Set(['нмиц', 'им', 'имени', 'фгбу', 'минздрава', 'россии', 'национальный', 'медицинский', 'исследовательский', 'центр', 'академика', 'a', 'а', 'н', 'в', 'и']);
/** Distinctive words of a centre's names: its eponym's stem and the short-name abbreviation. */
function centreKeywords(c: Centre): string[] {
  const words = fold(c.shortName)
    .split(' ')
    .filter((w) => w.length > 1 && !CENTRE_GENERIC.has(w));
  // "бакулева" → "бакулев": the stem matches every case ending.
  return words.map((w) => (/[ауы]$/.test(w) && w.length > 5 ? w.slice(0, -1) : w));
}
const CENTRE_EXACT = new Map<string, Centre>();
for (const c of CENTRES) for (const n of [c.code, c.shortName, c.fullName]) CENTRE_EXACT.set(fold(n), c);
const CENTRE_KEYS = CENTRES.map((c) => ({ centre: c as Centre, keys: centreKeywords(c) }));

export function findCentreByText(text: string): Centre | undefined {
  const f = fold(text);
  const exact = CENTRE_EXACT.get(f);
  if (exact) return exact;
  const words = f.split(' ');
  const hits = CENTRE_KEYS.filter(({ keys }) => keys.some((k) => words.some((w) => w.startsWith(k))));
  return hits.length === 1 ? hits[0]!.centre : undefined;
}

export const normaliseCentre = memo((text): Normalised => {
  const c = findCentreByText(text);
  return c ? { ok: true, value: c.code } : fail(E.CENTRE_UNKNOWN, 'Центр не распознан: укажите «НМИЦ ССХ им. А.Н. Бакулева» или «НМИЦ АГП им. В.И. Кулакова».');
});

function profileMatches(p: Profile, f: string): 'exact' | 'prefix' | null {
  const name = fold(p.name);
  if (f === name || f === fold(p.code)) return 'exact';
  // "Врождённые пороки сердца" typed as "ВПС" is not guessed; a cut-off or extended name is.
  if (f.length >= 6 && (name.startsWith(f) || f.startsWith(name))) return 'prefix';
  return null;
}

function findProfileIn(profiles: readonly Profile[], f: string): Profile | undefined {
  const exact = profiles.filter((p) => profileMatches(p, f) === 'exact');
  if (exact.length === 1) return exact[0];
  const prefix = profiles.filter((p) => profileMatches(p, f) === 'prefix');
  return prefix.length === 1 ? prefix[0] : undefined;
}

/** A profile by name (or code) within the row's centre; without a known centre, across all. */
type ProfileMatch = Normalised<{ code: string; profile: Profile; centre: string }>;
const PROFILE_CACHE = new Map<string, ProfileMatch>();

export function normaliseProfile(v: CellValue, centreCode: string | null): ProfileMatch {
  const key = `${centreCode ?? ''}\u0000${cellText(v)}`;
  let r = PROFILE_CACHE.get(key);
  if (!r) {
    r = profileUncached(cellText(v), centreCode);
    if (PROFILE_CACHE.size >= 5000) PROFILE_CACHE.clear();
    PROFILE_CACHE.set(key, r);
  }
  return r;
}

function profileUncached(text: string, centreCode: string | null): ProfileMatch {
  const f = fold(text);
  if (centreCode) {
    const centre = CENTRES.find((c) => c.code === centreCode)!;
    const p = findProfileIn(centre.profiles, f);
    if (p) return { ok: true, value: { code: p.code, profile: p, centre: centre.code } };
    const elsewhere = CENTRES.filter((c) => c.code !== centreCode && findProfileIn(c.profiles, f));
    if (elsewhere.length) {
      return fail(E.PROFILE_NOT_IN_CENTRE, `Этот профиль относится к центру «${elsewhere[0]!.shortName}», а не к «${centre.shortName}»: исправьте центр или профиль.`);
    }
    return fail(E.PROFILE_UNKNOWN, `Профиль не найден среди профилей центра «${centre.shortName}»: выберите его из списка в шаблоне.`);
  }
  const all = CENTRES.flatMap((c) => {
    const p = findProfileIn(c.profiles, f);
    return p ? [{ code: p.code, profile: p, centre: c.code as string }] : [];
  });
  if (all.length === 1) return { ok: true, value: all[0]! };
  return fail(E.PROFILE_UNKNOWN, 'Профиль не распознан: выберите его из списка в шаблоне.');
}

/** Whole weeks of pregnancy, 1–42; "22 нед.", "22,0" accepted. */
export function normalisePregnancyWeeks(v: CellValue): Normalised<number> {
  const n = typeof v === 'number' ? v : Number(/^\s*(\d{1,2})(?:[.,]0+)?\s*(?:н|нед|недел[ьи]|недель)?\.?\s*$/iu.exec(cellText(v))?.[1] ?? NaN);
  if (!Number.isInteger(n) || n < 1 || n > 42) {
    return fail(E.PREGNANCY_WEEKS_RANGE, 'Срок беременности — целое число недель от 1 до 42.');
  }
  return { ok: true, value: n };
}
