import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalStore } from './local-store.js';
import { patient, tempDir, testStoreKey } from './test-fixtures.js';

/**
 * Any interleaving of local changes, pulls (possibly older than the local change), tombstones and
 * server answers keeps the rule: a row with pending changes shows the latest local change; a
 * row without shows the server's latest known copy (or is gone).
 */
const IDS = ['5d4c1a7e-6a0b-4c1e-9a40-000000000001', '5d4c1a7e-6a0b-4c1e-9a40-000000000002', '5d4c1a7e-6a0b-4c1e-9a40-000000000003'];

type Op =
  | { kind: 'local'; id: number }
  | { kind: 'pull'; id: number }
  | { kind: 'tombstone'; id: number }
  | { kind: 'answer'; applied: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('local' as const), id: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('pull' as const), id: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('tombstone' as const), id: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('answer' as const), applied: fc.boolean() }),
);

let t: ReturnType<typeof tempDir>;
beforeAll(() => (t = tempDir()));
afterAll(() => t.cleanup());

let run = 0;
it('pending rows keep their local version; settled rows follow the server', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const store = LocalStore.open(path.join(t.dir, `p${run++}.sqlite`), testStoreKey());
      try {
        const known = new Map<string, string | null>();
        const outbox: { mid: number; id: string; value: string }[] = [];
        let counter = 0;
        let cursor = 0;
        const row = (id: string, lastName: string) => patient({ id, lastName });
        for (const o of ops) {
          if (o.kind === 'local') {
            const id = IDS[o.id] ?? '';
            const value = `Локальный${++counter}`;
            const mid = store.mutate({ name: 'patient.update', args: {}, summary: 's', entity: 'patient', entityId: id, optimistic: { entity: 'patient', data: row(id, value) } });
            outbox.push({ mid, id, value });
          } else if (o.kind === 'pull') {
            const id = IDS[o.id] ?? '';
            const value = `Серверный${++counter}`;
            store.applyPull([{ op: 'put', entity: 'patient', id, data: row(id, value) }], ++cursor);
            known.set(id, value);
          } else if (o.kind === 'tombstone') {
            const id = IDS[o.id] ?? '';
            store.applyPull([{ op: 'del', entity: 'patient', id }], ++cursor);
            known.set(id, null);
          } else {
            const first = outbox.shift();
            if (!first) continue;
            if (o.applied) {
              store.applyPushResults([{ id: first.mid, status: 'applied', result: row(first.id, first.value), replayed: false }], first.mid);
              known.set(first.id, first.value);
            } else {
              store.applyPushResults([{ id: first.mid, status: 'rejected', error: { code: 'CONFLICT', message: 'Нет' }, replayed: false }], first.mid);
            }
          }
          for (const id of IDS) {
            const pending = outbox.filter((e) => e.id === id);
            const expected = pending.length > 0 ? (pending.at(-1)?.value ?? null) : (known.get(id) ?? null);
            expect(store.getPatient(id)?.lastName ?? null).toBe(expected);
            expect(store.isPending('patient', id)).toBe(pending.length > 0);
          }
        }
        expect(store.pendingCount()).toBe(outbox.length);
      } finally {
        store.close();
      }
    }),
    { numRuns: 150 },
  );
  // 150 stores, each opened through every migration with synchronous=FULL: seconds on a busy machine.
}, 30_000);
