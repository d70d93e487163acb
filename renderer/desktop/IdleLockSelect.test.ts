import { describe, expect, it } from 'vitest';
import { idleChoices, idleText } from './IdleLockSelect';

const bounds = { defaultMs: 15 * 60_000, minMs: 60_000, maxMs: 60 * 60_000 };

describe('the idle-time choices in the header', () => {
  it('offers the usual minutes within what the services allow', () => {
    expect(idleChoices({ ...bounds, idleMs: 15 * 60_000 })).toEqual([1, 5, 10, 15, 30, 60].map((m) => m * 60_000));
    expect(idleChoices({ ...bounds, minMs: 5 * 60_000, maxMs: 30 * 60_000, idleMs: 10 * 60_000 })).toEqual([5, 10, 15, 30].map((m) => m * 60_000));
  });

  it('keeps a configured time that is not among them, in order, so the select shows what is in force', () => {
    expect(idleChoices({ ...bounds, idleMs: 5000 })).toEqual([5000, ...[1, 5, 10, 15, 30, 60].map((m) => m * 60_000)]);
    expect(idleChoices({ ...bounds, idleMs: 20 * 60_000 })).toContain(20 * 60_000);
  });

  it('says seconds under a minute and minutes otherwise', () => {
    expect(idleText(5000)).toBe('5 с');
    expect(idleText(15 * 60_000)).toBe('15 мин');
  });
});
