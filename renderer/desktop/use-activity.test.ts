import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActivityReporter } from './use-activity';

describe('the activity reporter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports the first activity at once, then at most once per interval, with the last one trailing', () => {
    const sent: number[] = [];
    const r = createActivityReporter(() => sent.push(Date.now()), 15_000);
    const start = Date.now();
    r.activity();
    expect(sent).toEqual([start]);
    // A burst of input: nothing more until the window ends, then exactly one report.
    for (let i = 0; i < 100; i++) {
      vi.advanceTimersByTime(100);
      r.activity();
    }
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    expect(sent).toEqual([start, start + 15_000]);
    // Quiet: no reports without input.
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(2);
    r.activity();
    expect(sent).toHaveLength(3);
    r.stop();
  });

  it('drops a pending trailing report when stopped (the shell unmounts on lock)', () => {
    const report = vi.fn();
    const r = createActivityReporter(report, 15_000);
    r.activity();
    r.activity();
    r.stop();
    vi.advanceTimersByTime(30_000);
    expect(report).toHaveBeenCalledTimes(1);
  });
});
