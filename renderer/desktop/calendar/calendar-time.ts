/**
 * Week and local-time arithmetic of the calendar screens (the doctor's computer's time zone).
 * Dates travel as `YYYY-MM-DD` and times as `HH:MM`, the values of native date and time inputs.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of a local day. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `HH:MM` of a local time. */
export function localTime(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local midnight of a `YYYY-MM-DD` day. */
export function dayStart(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

export function addDays(date: string, days: number): string {
  const d = dayStart(date);
  d.setDate(d.getDate() + days);
  return localDate(d);
}

/** The Monday of the week holding `d` (weeks start on Monday in Russia). */
export function weekStart(d: Date): string {
  const day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const offset = (day.getDay() + 6) % 7;
  day.setDate(day.getDate() - offset);
  return localDate(day);
}

/** The seven days of the week from its Monday. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** [from, to) of local days as ISO instants, for `calendar.list`. */
export function rangeOf(firstDay: string, days: number): { from: string; to: string } {
  return { from: dayStart(firstDay).toISOString(), to: dayStart(addDays(firstDay, days)).toISOString() };
}

/** A local date and time as an ISO instant; null when either is not a valid value. */
export function toInstant(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return null;
  const [h, min] = time.split(':').map(Number);
  const d = dayStart(date);
  d.setHours(h ?? 0, min ?? 0, 0, 0);
  return Number.isNaN(d.getTime()) || localDate(d) !== date ? null : d.toISOString();
}

/** The local day an instant falls on. */
export function dayOf(iso: string): string {
  return localDate(new Date(iso));
}

/** «10:00–10:30» in local time. */
export function timeRange(startsAt: string, endsAt: string): string {
  return `${localTime(new Date(startsAt))}–${localTime(new Date(endsAt))}`;
}

export function minutesBetween(startsAt: string, endsAt: string): number {
  return Math.round((Date.parse(endsAt) - Date.parse(startsAt)) / 60_000);
}

/** Items grouped by local day, each day's items by start; days in `days` order (all present). */
export function groupByDay<T extends { startsAt: string }>(days: readonly string[], items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>(days.map((d) => [d, []]));
  for (const item of [...items].sort((a, b) => a.startsAt.localeCompare(b.startsAt))) out.get(dayOf(item.startsAt))?.push(item);
  return out;
}
