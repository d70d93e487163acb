import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDraft, getDraft, markDraftSent } from './drafts.js';
import { LocalStore } from './local-store.js';
import { listPatients, requestQueue, statusCounts } from './queries.js';
import { searchPattern } from './search.js';
import { patient, request, tempDir, testStoreKey } from './test-fixtures.js';

let t: ReturnType<typeof tempDir>;
let store: LocalStore;
beforeEach(() => {
  t = tempDir();
  store = LocalStore.open(path.join(t.dir, 'store.sqlite'), testStoreKey());
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const createLocally = (p = patient()) => {
  const id = store.mutate({ name: 'patient.create', args: { id: p.id }, summary: 's', entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } });
  return { p, id };
};

describe('LocalStore writes', () => {
  it('numbers mutations 1, 2, 3 and writes the optimistic row with its outbox entry', () => {
    expect(createLocally().id).toBe(1);
    expect(createLocally().id).toBe(2);
    const { p, id } = createLocally();
    expect(id).toBe(3);
    expect(store.getPatient(p.id)).toEqual(p);
    expect(store.pendingCount()).toBe(3);
  });

  it('makes the client id once: a UUID', () => {
    expect(store.clientId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a pull does not clobber a row with a pending change; the server copy is kept for rollback', () => {
    const base = patient({ lastName: 'Старый' });
    store.applyPull([{ op: 'put', entity: 'patient', id: base.id, data: base }], 1);
    store.mutate({ name: 'patient.update', args: {}, summary: 's', entity: 'patient', entityId: base.id, optimistic: { entity: 'patient', data: { ...base, lastName: 'Локальный' } } });
    store.applyPull([{ op: 'put', entity: 'patient', id: base.id, data: { ...base, lastName: 'Серверный' } }], 2);
    expect(store.getPatient(base.id)?.lastName).toBe('Локальный');
    const out = store.applyPushResults([{ id: 1, status: 'rejected', error: { code: 'CONFLICT', message: 'Нет' }, replayed: false }], 1);
    expect(out.rejections).toHaveLength(1);
    expect(store.getPatient(base.id)?.lastName).toBe('Серверный');
    expect(store.rejections()[0]?.error.code).toBe('CONFLICT');
    expect(store.pendingCount()).toBe(0);
  });

  it('a refused create disappears; an applied one takes the server answer', () => {
    const a = createLocally();
    const b = createLocally();
    const serverB = { ...b.p, referredBy: null, updatedAt: new Date(Date.now() + 1000).toISOString() };
    store.applyPushResults(
      [
        { id: a.id, status: 'rejected', error: { code: 'DUPLICATE_PATIENT', message: 'Дубль' }, replayed: false },
        { id: b.id, status: 'applied', result: serverB, replayed: true },
      ],
      b.id,
    );
    expect(store.getPatient(a.p.id)).toBeNull();
    expect(store.getPatient(b.p.id)).toEqual(serverB);
    expect(store.lastAcknowledged).toBe(b.id);
    expect(store.pendingCount()).toBe(0);
  });

  it('stops at a deferred answer and renumbers from what the server expects', () => {
    createLocally();
    createLocally();
    store.applyPushResults([{ id: 1, status: 'applied', result: undefined, replayed: false }], 1);
    const out = store.applyPushResults([{ id: 2, status: 'deferred', expected: 1 }], 0);
    expect(out.deferredExpected).toBe(1);
    store.renumberOutbox(1);
    expect(store.outbox(10).map((o) => o.id)).toEqual([1]);
    expect(createLocally().id).toBe(2);
  });

  it('a tombstone removes a row; for a pending row it only drops the server copy', () => {
    const p = patient();
    const q = patient();
    store.applyPull([
      { op: 'put', entity: 'patient', id: p.id, data: p },
      { op: 'put', entity: 'patient', id: q.id, data: q },
    ], 2);
    store.mutate({ name: 'patient.update', args: {}, summary: 's', entity: 'patient', entityId: q.id, optimistic: { entity: 'patient', data: { ...q, firstName: 'Пётр' } } });
    store.applyPull([
      { op: 'del', entity: 'patient', id: p.id },
      { op: 'del', entity: 'patient', id: q.id },
    ], 4);
    expect(store.getPatient(p.id)).toBeNull();
    expect(store.getPatient(q.id)?.firstName).toBe('Пётр');
    store.applyPushResults([{ id: 1, status: 'rejected', error: { code: 'NOT_FOUND', message: 'Нет' }, replayed: false }], 1);
    expect(store.getPatient(q.id)).toBeNull();
  });
});

describe('LocalStore sync bookkeeping', () => {
  it('a new rejection with a reused mutation id never replaces one the user has not dismissed', () => {
    createLocally();
    store.applyPushResults([{ id: 1, status: 'rejected', error: { code: 'CONFLICT', message: 'Первый' }, replayed: false }], 1);
    store.renumberOutbox(1);
    store.setMeta('next_mutation_id', '1');
    createLocally();
    store.applyPushResults([{ id: 1, status: 'rejected', error: { code: 'CONFLICT', message: 'Второй' }, replayed: false }], 1);
    expect(store.rejections().map((r) => r.error.message)).toEqual(['Второй', 'Первый']);
  });

  it('a refused referral table unlocks its draft in the same transaction and keeps the reasons', () => {
    const batchId = crypto.randomUUID();
    const draft = createDraft(store, { title: 'Т', fileName: null, fileHash: null, rows: [] });
    const now = new Date().toISOString();
    store.mutate(
      {
        name: 'referral.submit',
        args: { id: batchId },
        summary: 'Таблица',
        entity: 'batch',
        entityId: batchId,
        optimistic: { entity: 'batch', data: { id: batchId, physicianId: crypto.randomUUID(), status: 'sent', createdAt: now, updatedAt: now } as never },
      },
      () => markDraftSent(store, draft.id, batchId),
    );
    expect(getDraft(store, draft.id).sentBatchId).toBe(batchId);
    const issues = [{ path: 'строка 3.snils', message: 'Пациент с таким СНИЛС уже есть' }];
    const out = store.applyPushResults([{ id: 1, status: 'rejected', error: { code: 'VALIDATION_FAILED', message: 'Ошибки в строках', issues }, replayed: false }], 1);
    expect(out.rejections[0]?.issues).toEqual(issues);
    expect(store.rejections()[0]?.issues).toEqual(issues);
    expect(getDraft(store, draft.id)).toMatchObject({ sentBatchId: null, sentAt: null });
    expect(store.getBatch(batchId)).toBeNull();
  });

  it('mutate runs `also` in the same transaction: if it throws, nothing is queued', () => {
    const p = patient();
    expect(() =>
      store.mutate({ name: 'patient.create', args: {}, summary: 's', entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } }, () => {
        expect(store.db.inTransaction).toBe(true);
        throw new Error('draft is gone');
      }),
    ).toThrow('draft is gone');
    expect(store.pendingCount()).toBe(0);
    expect(store.getPatient(p.id)).toBeNull();
  });

  it('a stale store becomes a new client: new id, outbox from 1, full re-pull', () => {
    const before = store.clientId;
    for (let i = 0; i < 5; i++) createLocally();
    store.applyPushResults([1, 2, 3].map((id) => ({ id, status: 'applied' as const, replayed: false })), 3);
    store.applyPull([], 99);
    const clientId = store.startAsNewClient();
    expect(clientId).not.toBe(before);
    expect(store.clientId).toBe(clientId);
    expect(store.getMeta('client_id')).toBe(clientId);
    expect(store.outbox(10).map((o) => o.id)).toEqual([1, 2]);
    expect(store.nextMutationId).toBe(3);
    expect(store.lastAcknowledged).toBe(0);
    expect(store.cursor).toBe(0);
  });

  it('renumbering for a server restored from a backup pulls everything again', () => {
    createLocally();
    createLocally();
    store.applyPull([], 50);
    store.applyPushResults([{ id: 1, status: 'deferred', expected: 1 }], 0);
    store.setMeta('next_mutation_id', '10');
    store.sql('UPDATE outbox SET id = id + 5').run();
    store.renumberOutbox(1);
    expect(store.outbox(10).map((o) => o.id)).toEqual([1, 2]);
    expect(store.cursor).toBe(0);
  });

  it('push batches are cut by size: stop before the budget, a single larger change goes alone', () => {
    const big = 'я'.repeat(300_000); // 600 000 bytes
    for (const text of ['a', 'b', big, big, 'c']) {
      const p = patient();
      store.mutate({ name: 'patient.create', args: { text }, summary: 's', entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } });
    }
    const sizes = (maxBytes: number) => store.outboxBatch(maxBytes, 100).map((o) => o.id);
    expect(sizes(1024 * 1024)).toEqual([1, 2, 3]);
    store.applyPushResults([1, 2, 3].map((id) => ({ id, status: 'applied' as const, replayed: false })), 3);
    expect(sizes(1024 * 1024)).toEqual([4, 5]);
    expect(sizes(1000)).toEqual([4]);
    expect(store.outboxBatch(1024 * 1024, 1).map((o) => o.id)).toEqual([4]);
  });
});

describe('local queries', () => {
  it('list patients with the latest request, search by name, СНИЛС, phone, and filter by status', () => {
    const ivanov = patient({ lastName: 'Иванов', snils: '11223344595', phone: '+79161112233' });
    const petrova = patient({ lastName: 'Петрова', firstName: 'Ёлка', middleName: 'Сергеевна', sex: 'female', phone: '+79169998877' });
    const old = request(ivanov.id, { status: 'consulted', createdAt: '2024-01-01T00:00:00.000Z' });
    const latest = request(ivanov.id, { status: 'new', createdAt: '2025-01-01T00:00:00.000Z' });
    store.applyPull(
      [
        { op: 'put', entity: 'patient', id: ivanov.id, data: ivanov },
        { op: 'put', entity: 'patient', id: petrova.id, data: petrova },
        { op: 'put', entity: 'request', id: old.id, data: old },
        { op: 'put', entity: 'request', id: latest.id, data: latest },
      ],
      4,
    );
    const all = listPatients(store, { limit: 10, offset: 0 });
    expect(all.total).toBe(2);
    expect(all.items.map((r) => r.patient.lastName)).toEqual(['Иванов', 'Петрова']);
    expect(all.items[0]?.latestRequest?.id).toBe(latest.id);
    expect(all.items[1]?.latestRequest).toBeNull();
    expect(listPatients(store, { limit: 10, offset: 0, q: 'иван' }).items.map((r) => r.patient.id)).toEqual([ivanov.id]);
    expect(listPatients(store, { limit: 10, offset: 0, q: 'елка' }).items.map((r) => r.patient.id)).toEqual([petrova.id]);
    expect(listPatients(store, { limit: 10, offset: 0, q: '112-233-445 95' }).items.map((r) => r.patient.id)).toEqual([ivanov.id]);
    expect(listPatients(store, { limit: 10, offset: 0, q: '8 916 999-88-77' }).items.map((r) => r.patient.id)).toEqual([petrova.id]);
    expect(listPatients(store, { limit: 10, offset: 0, status: 'consulted' }).total).toBe(0);
    expect(listPatients(store, { limit: 10, offset: 0, status: 'new' }).items.map((r) => r.patient.id)).toEqual([ivanov.id]);
    expect(statusCounts(store)).toMatchObject({ new: 1, none: 1, consulted: 0 });
    const queue = requestQueue(store, { limit: 10, offset: 0 });
    expect(queue.total).toBe(2);
    expect(queue.items[0]?.patient?.id).toBe(ivanov.id);
  });

  it('search patterns treat LIKE wildcards as text', () => {
    expect(searchPattern('50%_')).toBe('%50\\%\\_%');
    expect(searchPattern('   ')).toBeNull();
  });
});
