import { describe, expect, it } from 'vitest';
import { formatBps, verdictOf } from './precheck.js';

describe('pre-call verdict', () => {
  it('says video, audio or chat by the slower direction', () => {
    expect(verdictOf({ downBps: 20_000_000, upBps: 10_000_000, rttMs: 20 })).toBe('video');
    expect(verdictOf({ downBps: 20_000_000, upBps: 600_000, rttMs: 20 })).toBe('audio');
    expect(verdictOf({ downBps: 200_000, upBps: 10_000_000, rttMs: 20 })).toBe('chat');
    // HTTP timing reads slow: 1.3 Mbit/s measured is a 2 Mbit/s link.
    expect(verdictOf({ downBps: 1_300_000, upBps: 1_300_000, rttMs: 80 })).toBe('video');
  });
  it('formats rates in Russian', () => {
    expect(formatBps(1_800_000)).toBe('1,8 Мбит/с');
    expect(formatBps(420_000)).toBe('420 кбит/с');
  });
});
