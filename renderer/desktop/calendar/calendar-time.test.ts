import { describe, expect, it } from 'vitest';
import { addDays, groupByDay, localDate, rangeOf, timeRange, toInstant, weekDays, weekStart } from './calendar-time';

describe('calendar time helpers', () => {
  it('weeks start on Monday', () => {
    expect(weekStart(new Date(2026, 10, 22, 15))).toBe('2026-11-16'); // a Sunday
    expect(weekStart(new Date(2026, 10, 23, 0, 5))).toBe('2026-11-23'); // a Monday
    expect(weekDays('2026-11-23')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
  });

  it('turns local date and time into an instant and back, refusing nonsense', () => {
    const iso = toInstant('2026-11-25', '14:30');
    expect(iso).not.toBeNull();
    const d = new Date(iso ?? '');
    expect([localDate(d), d.getHours(), d.getMinutes()]).toEqual(['2026-11-25', 14, 30]);
    expect(toInstant('2026-02-31', '10:00')).toBeNull();
    expect(toInstant('2026-11-25', '')).toBeNull();
    expect(timeRange(toInstant('2026-11-25', '09:05') ?? '', toInstant('2026-11-25', '09:50') ?? '')).toBe('09:05–09:50');
  });

  it('groups by local day, sorted, every day present', () => {
    const days = weekDays('2026-11-23');
    const a = { startsAt: toInstant('2026-11-24', '12:00') ?? '' };
    const b = { startsAt: toInstant('2026-11-24', '09:00') ?? '' };
    const g = groupByDay(days, [a, b]);
    expect(g.size).toBe(7);
    expect(g.get('2026-11-24')).toEqual([b, a]);
    expect(g.get('2026-11-23')).toEqual([]);
    const r = rangeOf('2026-11-23', 7);
    expect(Date.parse(r.to) - Date.parse(r.from)).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
  });
});
