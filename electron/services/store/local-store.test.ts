import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStore } from './local-store.js';
import { listPatients, requestQueue, statusCounts } from './queries.js';
import { searchPattern } from './search.js';
import { patient, request, tempDir } from './test-fixtures.js';

let t: ReturnType<typeof tempDir>;
let store: LocalStore;
beforeEach(() => {
  t = tempDir();
  store = LocalStore.open(path.join(t.dir, 'store.sqlite'));
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
