import { describe, expect, it } from 'vitest';
import {
  canCancel,
  canJoinCall,
  clock,
  conclusionFileName,
  dayKey,
  groupConclusions,
  groupFreeSlotsByDay,
  localClockIfDifferent,
  newestFirst,
  newId,
  oldestFirst,
  parseWeeks,
  relativeDay,
  sortConsultations,
  unreadIds,
} from './care-model';

const slot = (id: string, startsAt: string, free = true) => ({ id, startsAt, endsAt: new Date(Date.parse(startsAt) + 20 * 60_000).toISOString(), free, doctorName: 'Волков И. П.' });

describe('Moscow time', () => {
  it('formats the clock and the day in Moscow whatever the machine’s zone', () => {
    // 21:30 UTC is 00:30 the next day in Moscow (UTC+3).
    expect(clock('2026-11-24T21:30:00.000Z')).toBe('00:30');
    expect(dayKey('2026-11-24T21:30:00.000Z')).toBe('2026-11-25');
    expect(dayKey('2026-11-24T20:59:00.000Z')).toBe('2026-11-24');
  });

  it('says today and tomorrow by the Moscow calendar', () => {
    const now = new Date('2026-11-24T20:00:00.000Z'); // 23:00 МСК, 24 Nov
    expect(relativeDay('2026-11-24T20:30:00.000Z', now).kind).toBe('today');
    expect(relativeDay('2026-11-24T21:30:00.000Z', now).kind).toBe('tomorrow'); // 00:30 МСК, 25 Nov
    expect(relativeDay('2026-11-26T09:00:00.000Z', now)).toEqual({ kind: 'other', weekday: 'четверг' });
  });

  it('gives the patient’s own clock only when it differs from Moscow', () => {
    expect(localClockIfDifferent('2026-11-25T11:00:00.000Z', 'Europe/Moscow')).toBeNull();
    expect(localClockIfDifferent('2026-11-25T11:00:00.000Z', 'Asia/Yekaterinburg')).toBe('16:00');
    expect(localClockIfDifferent('2026-11-25T11:00:00.000Z', 'Europe/Kaliningrad')).toBe('13:00');
  });
});

describe('duty slots', () => {
  it('keeps free future slots, by Moscow day, in time order', () => {
    const now = new Date('2026-11-24T08:00:00.000Z');
    const days = groupFreeSlotsByDay(
      [
        slot('c', '2026-11-25T07:00:00.000Z'),
        slot('past', '2026-11-24T07:00:00.000Z'),
        slot('b', '2026-11-24T10:20:00.000Z'),
        slot('taken', '2026-11-24T10:40:00.000Z', false),
        slot('a', '2026-11-24T10:00:00.000Z'),
        slot('late', '2026-11-24T21:10:00.000Z'), // 00:10 МСК on the 25th
      ],
      now,
    );
    expect(days.map((d) => [d.day, d.slots.map((s) => s.id)])).toEqual([
      ['2026-11-24', ['a', 'b']],
      ['2026-11-25', ['late', 'c']],
    ]);
    expect(days[0]?.firstStartsAt).toBe('2026-11-24T10:00:00.000Z');
  });

  it('is empty when nothing is free', () => {
    expect(groupFreeSlotsByDay([slot('x', '2026-11-25T07:00:00.000Z', false)], new Date('2026-11-24T00:00:00Z'))).toEqual([]);
  });
});

describe('consultations', () => {
  const c = (status: 'scheduled' | 'completed' | 'cancelled', startsAt: string) => ({ status, startsAt, endsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString() });
  const start = '2026-11-25T11:00:00.000Z';
  const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000);

  it('shows the call button from 10 min before to 60 min after the start', () => {
    expect(canJoinCall(c('scheduled', start), at(-11))).toBe(false);
    expect(canJoinCall(c('scheduled', start), at(-10))).toBe(true);
    expect(canJoinCall(c('scheduled', start), at(0))).toBe(true);
    expect(canJoinCall(c('scheduled', start), at(60))).toBe(true);
    expect(canJoinCall(c('scheduled', start), at(61))).toBe(false);
    expect(canJoinCall(c('cancelled', start), at(0))).toBe(false);
    expect(canJoinCall(c('completed', start), at(5))).toBe(false);
  });

  it('lets a scheduled consultation be cancelled until it ends', () => {
    expect(canCancel(c('scheduled', start), at(-1000))).toBe(true);
    expect(canCancel(c('scheduled', start), at(29))).toBe(true);
    expect(canCancel(c('scheduled', start), at(30))).toBe(false);
    expect(canCancel(c('cancelled', start), at(-1000))).toBe(false);
  });

  it('puts upcoming first (soonest first), then the rest newest first', () => {
    const now = new Date('2026-11-24T12:00:00.000Z');
    const items = [
      { id: 'old', ...c('completed', '2026-11-01T10:00:00.000Z') },
      { id: 'later', ...c('scheduled', '2026-11-28T10:00:00.000Z') },
      { id: 'cancelled', ...c('cancelled', '2026-11-26T10:00:00.000Z') },
      { id: 'soon', ...c('scheduled', '2026-11-25T10:00:00.000Z') },
      { id: 'missed', ...c('scheduled', '2026-11-20T10:00:00.000Z') },
    ];
    expect(sortConsultations(items, now).map((x) => x.id)).toEqual(['soon', 'later', 'cancelled', 'missed', 'old']);
  });
});

describe('conclusions', () => {
  const v = (id: string, requestId: string, version: number, issuedAt: string, supersededBy: string | null = null) => ({ id, requestId, version, issuedAt, supersededBy });

  it('picks the version in force and lists the corrected ones, newest request first', () => {
    const groups = groupConclusions([
      v('r1v1', 'r1', 1, '2026-11-01T10:00:00Z', 'r1v2'),
      v('r2v1', 'r2', 1, '2026-11-10T10:00:00Z'),
      v('r1v2', 'r1', 2, '2026-11-12T10:00:00Z', 'r1v3'),
      v('r1v3', 'r1', 3, '2026-11-15T10:00:00Z'),
    ]);
    expect(groups.map((g) => [g.requestId, g.current.id, g.superseded.map((s) => s.id)])).toEqual([
      ['r1', 'r1v3', ['r1v2', 'r1v1']],
      ['r2', 'r2v1', []],
    ]);
  });

  it('falls back to the highest version when every one says it is superseded', () => {
    const [g] = groupConclusions([v('a', 'r', 1, '2026-11-01T10:00:00Z', 'b'), v('b', 'r', 2, '2026-11-02T10:00:00Z', 'x')]);
    expect(g?.current.id).toBe('b');
    expect(g?.superseded.map((s) => s.id)).toEqual(['a']);
  });

  it('names the file by Moscow date and version', () => {
    expect(conclusionFileName({ version: 2, issuedAt: '2026-11-24T22:00:00.000Z' })).toBe('заключение-2026-11-25-v2.pdf');
  });
});

describe('lists and ids', () => {
  it('orders by createdAt and finds unread', () => {
    const xs = [
      { id: 'a', createdAt: '2026-11-01T10:00:00Z', readAt: null },
      { id: 'b', createdAt: '2026-11-03T10:00:00Z', readAt: '2026-11-03T11:00:00Z' },
      { id: 'c', createdAt: '2026-11-02T10:00:00Z', readAt: null },
    ];
    expect(newestFirst(xs).map((x) => x.id)).toEqual(['b', 'c', 'a']);
    expect(oldestFirst(xs).map((x) => x.id)).toEqual(['a', 'c', 'b']);
    expect(unreadIds(xs)).toEqual(['a', 'c']);
  });

  it('makes a v4 UUID with or without crypto.randomUUID', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(newId()).toMatch(re);
    const insecure = { getRandomValues: <T extends ArrayBufferView | null>(a: T) => globalThis.crypto.getRandomValues(a as Uint8Array) as unknown as T };
    const ids = new Set(Array.from({ length: 50 }, () => newId(insecure)));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(re);
  });

  it('reads pregnancy weeks as a whole number 1–45', () => {
    expect(parseWeeks(' 24 ')).toEqual({ ok: true, value: 24 });
    expect(parseWeeks('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseWeeks('0')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseWeeks('46')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseWeeks('12.5')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseWeeks('двадцать')).toEqual({ ok: false, reason: 'invalid' });
  });
});
