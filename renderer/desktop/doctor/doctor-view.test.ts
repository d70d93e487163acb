import { describe, expect, it } from 'vitest';
import { activeFilterCount, cacheView, currentConclusion, NO_FILTERS, queueInput } from './doctor-view';

const cache = (over: object) => ({ documentId: 'd', state: 'cached' as const, size: 1000, bytesDone: 1000, pinned: false, error: null, lastAccess: null, ...over });

describe('doctor view logic', () => {
  it('shows the cache state of a document', () => {
    expect(cacheView(null, 10)).toEqual({ kind: 'absent' });
    expect(cacheView(cache({}), 1000)).toEqual({ kind: 'cached' });
    expect(cacheView(cache({ pinned: true }), 1000)).toEqual({ kind: 'pinned' });
    expect(cacheView(cache({ state: 'downloading', bytesDone: 456 }), 1000)).toEqual({ kind: 'downloading', percent: 45 });
    expect(cacheView(cache({ state: 'downloading', bytesDone: 1000 }), 1000)).toEqual({ kind: 'downloading', percent: 99 });
    expect(cacheView(cache({ state: 'failed' }), 1000)).toEqual({ kind: 'failed' });
  });

  it('turns the filter form into the queue input', () => {
    expect(queueInput(NO_FILTERS, '', 0, 50)).toEqual({ limit: 50, offset: 0 });
    const f = { ...NO_FILTERS, profile: 'rhythm_disorders', documents: 'incomplete' as const, overdue: true, mine: true };
    expect(queueInput(f, 'иванов', 2, 50)).toEqual({ limit: 50, offset: 100, q: 'иванов', profile: 'rhythm_disorders', documentsComplete: false, overdue: true, mine: true });
    expect(activeFilterCount(f)).toBe(4);
  });

  it('finds the version in force', () => {
    expect(currentConclusion([])).toBeNull();
    expect(currentConclusion([{ version: 1, supersededBy: 'x' }, { version: 2, supersededBy: null }])?.version).toBe(2);
  });
});
