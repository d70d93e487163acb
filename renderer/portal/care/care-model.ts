import { newDraftKey } from '../../common/chat/chat-source';
/**
 * Pure helpers of the care pages (no React, no fetch): times in Moscow, slots by day, when the
 * call button shows, which conclusion version is current, notifications newest first.
 */

/** The centres work by Moscow time; a patient in another zone also sees their own clock. */
export const CENTRE_TIME_ZONE = 'Europe/Moscow';
const LOCALE = 'ru-RU';

/** The call button shows from 10 minutes before the start until an hour after it. */
export const JOIN_BEFORE_MS = 10 * 60_000;
export const JOIN_AFTER_MS = 60 * 60_000;

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(timeZone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(opts)}`;
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, { ...opts, timeZone });
    fmtCache.set(key, f);
  }
  return f;
}

/** `YYYY-MM-DD` of the instant in a time zone (Moscow by default). */
export function dayKey(iso: string, timeZone = CENTRE_TIME_ZONE): string {
  const parts = fmt(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** «14:30» in a time zone. */
export function clock(iso: string, timeZone = CENTRE_TIME_ZONE): string {
  return fmt(timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** «25 ноября» (with the year only when it is not the current one). */
export function dayMonth(iso: string, now: Date, timeZone = CENTRE_TIME_ZONE): string {
  const sameYear = dayKey(iso, timeZone).slice(0, 4) === dayKey(now.toISOString(), timeZone).slice(0, 4);
  return fmt(timeZone, sameYear ? { day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));
}

/** «понедельник» */
export function weekday(iso: string, timeZone = CENTRE_TIME_ZONE): string {
  return fmt(timeZone, { weekday: 'long' }).format(new Date(iso));
}

const addDays = (key: string, n: number): string => {
  const d = new Date(`${key}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/** «Сегодня», «Завтра» or the weekday, for the day the instant falls on in Moscow. */
export function relativeDay(iso: string, now: Date, timeZone = CENTRE_TIME_ZONE): { kind: 'today' | 'tomorrow' | 'other'; weekday: string } {
  const key = dayKey(iso, timeZone);
  const today = dayKey(now.toISOString(), timeZone);
  if (key === today) return { kind: 'today', weekday: weekday(iso, timeZone) };
  if (key === addDays(today, 1)) return { kind: 'tomorrow', weekday: weekday(iso, timeZone) };
  return { kind: 'other', weekday: weekday(iso, timeZone) };
}

/** The patient's own time zone (the browser's), or Moscow when the browser does not say. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || CENTRE_TIME_ZONE;
  } catch {
    return CENTRE_TIME_ZONE;
  }
}

/**
 * The patient's clock at that instant when it differs from Moscow's («16:30»), else null: a
 * patient in Yekaterinburg should not have to add two hours in their head.
 */
export function localClockIfDifferent(iso: string, timeZone: string): string | null {
  const moscow = clock(iso, CENTRE_TIME_ZONE);
  const local = clock(iso, timeZone);
  return moscow === local ? null : local;
}

export interface SlotLike {
  id: string;
  startsAt: string;
  endsAt: string;
  free: boolean;
  doctorName: string;
}

export interface SlotDay<S extends SlotLike> {
  /** `YYYY-MM-DD` in Moscow. */
  day: string;
  /** The first slot's start, to label the day. */
  firstStartsAt: string;
  slots: S[];
}

/** Free slots that have not started yet, by Moscow day, in time order. */
export function groupFreeSlotsByDay<S extends SlotLike>(slots: readonly S[], now: Date): SlotDay<S>[] {
  const free = slots.filter((s) => s.free && Date.parse(s.startsAt) > now.getTime()).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const days: SlotDay<S>[] = [];
  for (const s of free) {
    const day = dayKey(s.startsAt);
    const last = days[days.length - 1];
    if (last && last.day === day) last.slots.push(s);
    else days.push({ day, firstStartsAt: s.startsAt, slots: [s] });
  }
  return days;
}

export interface ConsultationLike {
  startsAt: string;
  endsAt: string;
  status: 'scheduled' | 'completed' | 'cancelled';
}

/** The call button shows for a scheduled consultation from 10 min before its start to 60 min after. */
export function canJoinCall(c: ConsultationLike, now: Date): boolean {
  if (c.status !== 'scheduled') return false;
  const start = Date.parse(c.startsAt);
  const t = now.getTime();
  return t >= start - JOIN_BEFORE_MS && t <= start + JOIN_AFTER_MS;
}

/** A scheduled consultation that has not ended yet can still be cancelled by the patient. */
export function canCancel(c: ConsultationLike, now: Date): boolean {
  return c.status === 'scheduled' && Date.parse(c.endsAt) > now.getTime();
}

/** Upcoming (scheduled, not ended) first by start; then the rest, newest first. */
export function sortConsultations<C extends ConsultationLike>(items: readonly C[], now: Date): C[] {
  const upcoming = items.filter((c) => c.status === 'scheduled' && Date.parse(c.endsAt) > now.getTime());
  const rest = items.filter((c) => !upcoming.includes(c));
  upcoming.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  rest.sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
  return [...upcoming, ...rest];
}

export interface ConclusionLike {
  id: string;
  requestId: string;
  version: number;
  issuedAt: string;
  supersededBy: string | null;
}

export interface ConclusionGroup<C extends ConclusionLike> {
  requestId: string;
  /** The version in force (not superseded; the highest version if the data disagree). */
  current: C;
  /** Earlier versions that a correction replaced, newest first. */
  superseded: C[];
}

/** Conclusions by request: the current version and the corrected ones; newest request first. */
export function groupConclusions<C extends ConclusionLike>(items: readonly C[]): ConclusionGroup<C>[] {
  const byRequest = new Map<string, C[]>();
  for (const c of items) byRequest.set(c.requestId, [...(byRequest.get(c.requestId) ?? []), c]);
  const groups: ConclusionGroup<C>[] = [];
  for (const [requestId, list] of byRequest) {
    const sorted = [...list].sort((a, b) => b.version - a.version);
    const current = sorted.find((c) => c.supersededBy === null) ?? sorted[0];
    if (!current) continue;
    groups.push({ requestId, current, superseded: sorted.filter((c) => c !== current) });
  }
  return groups.sort((a, b) => Date.parse(b.current.issuedAt) - Date.parse(a.current.issuedAt));
}

/** «заключение-2026-11-25-v2.pdf»: a name that sorts and says which version. */
export function conclusionFileName(c: { version: number; issuedAt: string }): string {
  return `заключение-${dayKey(c.issuedAt)}-v${c.version}.pdf`;
}

/** Newest first. */
export function newestFirst<T extends { createdAt: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** Oldest first (a chat reads top to bottom). */
export function oldestFirst<T extends { createdAt: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
}

/** Ids of the unread ones. */
export function unreadIds(items: readonly { id: string; readAt: string | null }[]): string[] {
  return items.filter((n) => n.readAt === null).map((n) => n.id);
}

/**
 * A v4 UUID made on the client, so a double tap or a retry is the same application/message.
 * `crypto.randomUUID` exists only in secure contexts (https, localhost); a portal opened over
 * plain http on a clinic's network still has `getRandomValues`.
 */
export const newId = newDraftKey;

/** Pregnancy weeks typed by the patient: a whole number 1–45, or null with a reason. */
export function parseWeeks(raw: string): { ok: true; value: number } | { ok: false; reason: 'empty' | 'invalid' } {
  const s = raw.trim();
  if (!s) return { ok: false, reason: 'empty' };
  if (!/^\d{1,2}$/.test(s)) return { ok: false, reason: 'invalid' };
  const n = Number(s);
  return n >= 1 && n <= 45 ? { ok: true, value: n } : { ok: false, reason: 'invalid' };
}
