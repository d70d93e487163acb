import fc from 'fast-check';
import { expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

it('backoff grows exponentially, stays within [ceiling/2, ceiling] and never exceeds the cap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const ceiling = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 30));
      const d = backoffDelay(attempt, 1000, 30_000, () => r);
      return d >= Math.floor(ceiling / 2) && d <= ceiling;
    }),
  );
  expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
  expect(backoffDelay(3, 1000, 30_000, () => 0.999999)).toBe(8000);
});
