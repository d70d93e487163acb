import { LOCALE } from './index';

/** Locale-aware formatting of what the services send (ISO dates, ISO instants, stored identifiers). */

const dateFmt = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const dateTimeFmt = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeFmt = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit' });

/** A calendar date (YYYY-MM-DD) as 01.02.1980; read as UTC so no time zone shifts the day. */
export function formatDate(isoDate: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDate : dateFmt.format(d);
}

/** An instant in the user's time zone: just the time if it is today, else date and time. */
export function formatInstant(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === now.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFmt.format(d);
}

/** СНИЛС is stored as 11 digits; people read it as 123-456-789 01. */
export function formatSnils(digits: string | null): string | null {
  if (!digits) return null;
  return /^\d{11}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9)}` : digits;
}

export function fullName(p: { lastName: string; firstName: string; middleName: string | null }): string {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');
}
