import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MutationResult, PullResponse, PushRequest, PushResponse } from '../../../shared/sync/protocol.js';
import { RequestTimeoutError, SLOW_LINK_MESSAGE, type ApiClient } from '../api/http-client.js';
import { EventBus } from '../rpc/events.js';
import { LocalStore } from '../store/local-store.js';
import { patient, tempDir, testStoreKey } from '../store/test-fixtures.js';
import { SyncEngine } from './engine.js';

/** The engine against a scripted central API: what it sends, and how it reacts to answers. */
let t: ReturnType<typeof tempDir>;
let store: LocalStore;
let engine: SyncEngine | null;
beforeEach(() => {
  t = tempDir();
  store = LocalStore.open(path.join(t.dir, 'store.sqlite'), testStoreKey());
  engine = null;
});
afterEach(async () => {
  await engine?.stop();
  store.close();
  t.cleanup();
});

interface FakeApi {
  pushes: PushRequest[];
  pulls: number[];
  onPush?(req: PushRequest): PushResponse;
  onPull?(limit: number): PullResponse;
}

function fakeApi(f: FakeApi): ApiClient {
  return {
    baseUrl: 'http://127.0.0.1:1',
    call: async (name: string, body: unknown) => {
      await Promise.resolve();
      if (name === 'syncPush') {
        const req = body as PushRequest;
        f.pushes.push(req);
        if (f.onPush) return f.onPush(req);
        const results: MutationResult[] = req.mutations.map((m) => ({ id: m.id, status: 'applied', replayed: false }));
        return { results, lastMutationId: req.mutations.at(-1)?.id ?? 0 };
      }
      if (name === 'syncPull') {
        const limit = (body as { limit: number }).limit;
        f.pulls.push(limit);
        return f.onPull ? f.onPull(limit) : { changes: [], cursor: 0, hasMore: false };
      }
      return { status: 'ok' };
    },
  } as unknown as ApiClient;
}

function newEngine(api: ApiClient, bus = new EventBus(), extra: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {}): SyncEngine {
  // A long periodic pull and backoff: the test drives each attempt with syncNow().
  engine = new SyncEngine({ store, api, bus, token: () => 't', onUnauthenticated: () => undefined, pokes: false, retryBaseMs: 60_000, retryMaxMs: 60_000, ...extra });
  return engine;
}

const create = (args: Record<string, unknown> = {}) => {
  const p = patient();
  return store.mutate({ name: 'patient.create', args: { id: p.id, ...args }, summary: 's', entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } });
};

describe('SyncEngine', () => {
  it('an error outside the attempt (the store failing) is caught, reported and retried, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const f: FakeApi = { pushes: [], pulls: [] };
      const e = newEngine(fakeApi(f), new EventBus(), { retryBaseMs: 5, retryMaxMs: 20 });
      const original = store.pendingCount.bind(store);
      let failures = 1;
      store.pendingCount = () => {
        if (failures-- > 0) throw new Error('disk I/O error');
        return original();
      };
      e.start();
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      // Retried after the backoff: the next attempt went through.
      expect(f.pulls.length).toBeGreaterThan(0);
      expect((await e.syncNow()).state).toBe('online');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('cuts pushes by size: several big changes never travel in one request', async () => {
    const big = 'я'.repeat(300_000); // ~600 KB each
    create();
    create({ note: big });
    create({ note: big });
    create();
    const f: FakeApi = { pushes: [], pulls: [] };
    const e = newEngine(fakeApi(f));
    e.start();
    const s = await e.syncNow();
    expect(s.pending).toBe(0);
    expect(f.pushes.map((p) => p.mutations.map((m) => m.id))).toEqual([[1, 2], [3, 4]]);
    for (const p of f.pushes) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('a store older than the server knows becomes a new client and its new change is applied, not dropped as a replay', async () => {
    // The server has applied 1…6 from this client; the store (restored from a backup) is at 4.
    const oldClient = store.clientId;
    const applied = new Map<string, number[]>([[oldClient, [1, 2, 3, 4, 5, 6]]]);
    const f: FakeApi = {
      pushes: [],
      pulls: [],
      onPush(req) {
        const done = applied.get(req.clientId) ?? [];
        applied.set(req.clientId, done);
        const results: MutationResult[] = [];
        for (const m of req.mutations) {
          if (m.id <= done.length) results.push({ id: m.id, status: 'applied', replayed: true });
          else {
            done.push(m.id);
            results.push({ id: m.id, status: 'applied', replayed: false });
          }
        }
        return { results, lastMutationId: done.length };
      },
    };
    for (let i = 0; i < 3; i++) create();
    store.applyPushResults([1, 2, 3].map((id) => ({ id, status: 'applied' as const, replayed: false })), 3);
    store.applyPull([], 77);
    create();
    const e = newEngine(fakeApi(f));
    e.start();
    const s = await e.syncNow();
    expect(s.pending).toBe(0);
    expect(store.clientId).not.toBe(oldClient);
    // Under the new client id the change is mutation 1 and was really applied.
    expect(applied.get(store.clientId)).toEqual([1]);
    expect(f.pushes.at(-1)).toMatchObject({ clientId: store.clientId, mutations: [{ id: 1 }] });
    expect(store.cursor).toBe(0);
  });

  it('after a pull timed out, pages are halved and the error says the line is slow; back to normal after a success', async () => {
    let slow = true;
    const f: FakeApi = {
      pushes: [],
      pulls: [],
      onPull(limit) {
        if (slow && limit > 500) throw new RequestTimeoutError();
        return { changes: [], cursor: 0, hasMore: false };
      },
    };
    const e = newEngine(fakeApi(f), new EventBus(), { pullLimit: 2000 });
    e.start();
    const first = await e.syncNow();
    // The start's attempt asked for 2000 and timed out, this one for 1000 and timed out too.
    expect(f.pulls).toEqual([2000, 1000]);
    expect(first.lastError?.message).toBe(SLOW_LINK_MESSAGE);
    expect(first.state).toBe('online');
    const second = await e.syncNow();
    expect(f.pulls).toEqual([2000, 1000, 500]);
    expect(second.lastError).toBeNull();
    slow = false;
    await e.syncNow();
    expect(f.pulls).toEqual([2000, 1000, 500, 2000]);
  });

  it('mutate runs `also` in the change\'s transaction and emits only after the commit', async () => {
    const bus = new EventBus();
    const inTx: boolean[] = [];
    bus.subscribe((event) => {
      if (event === 'data.changed') inTx.push(store.db.inTransaction);
    });
    const e = newEngine(fakeApi({ pushes: [], pulls: [] }), bus);
    e.start();
    const p = patient();
    let alsoInTx: boolean | null = null;
    e.mutate({ name: 'patient.create', args: { id: p.id }, summary: 's', entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } }, () => {
      alsoInTx = store.db.inTransaction;
    });
    expect(alsoInTx).toBe(true);
    expect(inTx).toEqual([false]);
  });
});
