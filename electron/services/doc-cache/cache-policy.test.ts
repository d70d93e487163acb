import { describe, expect, it } from 'vitest';
import type { PatientDocument } from '../../../shared/domain/documents.js';
import { evictionOrder, type CacheRow } from './cache-index.js';
import { planDownloads, prioritise } from './scheduler.js';

const row = (id: string, size: number, o: Partial<CacheRow> = {}): CacheRow => ({
  documentId: id,
  sha256: 'a'.repeat(64),
  size,
  bytesDone: size,
  state: 'cached',
  pinned: false,
  error: null,
  lastAccess: null,
  updatedAt: '2026-11-01T00:00:00.000Z',
  ...o,
});

describe('eviction', () => {
  it('nothing while under the limit', () => {
    expect(evictionOrder([row('a', 10), row('b', 10)], 20)).toEqual([]);
  });

  it('least recently used first (opened, else cached), never pinned, until under the limit', () => {
    const rows = [
      row('pinned-old', 50, { pinned: true, lastAccess: '2026-01-01T00:00:00.000Z' }),
      row('opened-recently', 30, { lastAccess: '2026-11-20T00:00:00.000Z' }),
      row('opened-long-ago', 30, { lastAccess: '2026-10-01T00:00:00.000Z' }),
      row('cached-never-opened', 30, { updatedAt: '2026-11-10T00:00:00.000Z' }),
      row('busy', 30, { lastAccess: '2026-01-02T00:00:00.000Z' }),
    ];
    const out = evictionOrder(rows, 100, { busy: new Set(['busy']) }).map((r) => r.documentId);
    // 170 used: two LRU victims bring it to 110, a third to 80.
    expect(out).toEqual(['opened-long-ago', 'cached-never-opened', 'opened-recently']);
    // Only pinned left over the limit: they stay.
    expect(evictionOrder([row('p1', 80, { pinned: true }), row('p2', 80, { pinned: true })], 100)).toEqual([]);
  });

  it('documents the prefetch wants go last, least urgent first; partial downloads count', () => {
    const rows = [
      row('urgent', 40, { lastAccess: null, updatedAt: '2026-01-01T00:00:00.000Z' }),
      row('later', 40, { updatedAt: '2026-01-01T00:00:00.000Z' }),
      row('opened', 40, { lastAccess: '2026-11-21T00:00:00.000Z' }),
      row('partial', 100, { state: 'queued', bytesDone: 20 }),
    ];
    const wantedRank = new Map([
      ['urgent', 0],
      ['later', 1],
      ['partial', 2],
    ]);
    expect(evictionOrder(rows, 90, { wantedRank }).map((r) => r.documentId)).toEqual(['opened', 'partial']);
    expect(evictionOrder(rows, 30, { wantedRank }).map((r) => r.documentId)).toEqual(['opened', 'partial', 'later', 'urgent']);
  });
});

const doc = (id: string, patientId: string, createdAt = '2026-11-01T00:00:00.000Z', size = 10) =>
  ({ id, patientId, sha256: id.padEnd(64, '0'), size, createdAt }) as unknown as PatientDocument;

describe('download order', () => {
  it('soonest consultation first, then request deadline, then newest document; others left out', () => {
    const docs = [
      doc('due-late', 'p-due-late'),
      doc('no-urgency', 'p-none'),
      doc('consult-later', 'p-consult-later'),
      doc('due-soon', 'p-due-soon'),
      doc('consult-soon-old', 'p-consult-soon', '2026-10-01T00:00:00.000Z'),
      doc('consult-soon-new', 'p-consult-soon', '2026-11-15T00:00:00.000Z'),
    ];
    const out = prioritise(docs, {
      consultations: new Map([
        ['p-consult-soon', '2026-11-23T09:00:00.000Z'],
        ['p-consult-later', '2026-11-25T09:00:00.000Z'],
      ]),
      requests: new Map([
        ['p-due-late', '2026-12-10T00:00:00.000Z'],
        ['p-due-soon', '2026-11-24T00:00:00.000Z'],
        ['p-consult-later', '2026-11-23T00:00:00.000Z'],
      ]),
    });
    expect(out.map((c) => c.id)).toEqual(['consult-soon-new', 'consult-soon-old', 'consult-later', 'due-soon', 'due-late']);
  });

  it('pinned first whatever their size; then what fits in the rest of the limit', () => {
    const candidates = prioritise([doc('a', 'p1', undefined, 60), doc('big', 'p2', undefined, 500), doc('b', 'p3', undefined, 30), doc('c', 'p4', undefined, 20)], {
      consultations: new Map(),
      requests: new Map([
        ['p1', '2026-11-01T00:00:00.000Z'],
        ['p2', '2026-11-02T00:00:00.000Z'],
        ['p3', '2026-11-03T00:00:00.000Z'],
        ['p4', '2026-11-04T00:00:00.000Z'],
      ]),
    });
    const plan = planDownloads(candidates, [{ id: 'pinned-huge', size: 150 }], 250);
    expect(plan.order.map((o) => o.id)).toEqual(['pinned-huge', 'a', 'b']);
    expect([...plan.wantedRank.entries()]).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    // A document alone over the limit is never planned unless pinned.
    expect(planDownloads(candidates, [], 100).order.map((o) => o.id)).toEqual(['a', 'b']);
  });
});
