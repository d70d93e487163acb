import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../auth/accounts.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { call, createTestDatabase, loginAs, type TestDatabase } from './harness.js';
import { envFor, spawnServer } from './processes.js';
import { PASSWORD, patientInput } from './world.js';

/**
 * kill -9 of the central API during a stream of pushes: every mutation the server acknowledged
 * is there after restart, and re-sending the in-flight ones applies nothing twice.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const conn = openDatabase(db.database);
  await migrateToLatest(conn);
  await createUser(conn.kysely, { login: 'crash-phys', password: PASSWORD, role: 'physician', fullName: 'Врач' }, null);
  await conn.close();
});
afterAll(async () => db?.drop());

describe('kill -9 during pushes', () => {
  it('loses no acknowledged mutation and duplicates nothing', async () => {
    const env = envFor(db);
    const first = await spawnServer(env);
    const token = await loginAs(first.url, 'crash-phys', PASSWORD);
    // Three clients push concurrently, each its own numbered stream, until the process dies.
    const streams = Array.from({ length: 3 }, () => ({
      clientId: crypto.randomUUID(),
      mutations: Array.from({ length: 150 }, (_, i) => ({ id: i + 1, name: 'patient.create' as const, args: patientInput() })),
    }));
    const acknowledged = new Set<string>();
    let killed = false;
    const worker = async (stream: (typeof streams)[number]) => {
      for (let next = 0; next < stream.mutations.length; next += 3) {
        const batch = stream.mutations.slice(next, next + 3);
        let res;
        try {
          res = await call<{ results: { id: number; status: string }[] }>(first.url, 'POST', '/api/sync/push', { token, body: { clientId: stream.clientId, mutations: batch } });
        } catch {
          return; // connection refused or reset: the server is gone
        }
        if (res.status !== 200) return;
        for (const r of res.body.results) {
          const m = stream.mutations[r.id - 1];
          if (r.status === 'applied' && m) acknowledged.add(m.args.id);
        }
        if (!killed && acknowledged.size >= 60) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(streams.map(worker));
    await first.exited;
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(60);

    const second = await spawnServer(env);
    try {
      const token2 = await loginAs(second.url, 'crash-phys', PASSWORD);
      // Every acknowledged mutation's patient is in the database.
      const pulled = new Set<string>();
      let since = 0;
      for (;;) {
        const res = await call<{ changes: { op: string; entity: string; id: string }[]; cursor: number; hasMore: boolean }>(second.url, 'POST', '/api/sync/pull', { token: token2, body: { since, limit: 1000 } });
        for (const c of res.body.changes) if (c.entity === 'patient' && c.op === 'put') pulled.add(c.id);
        since = res.body.cursor;
        if (!res.body.hasMore) break;
      }
      for (const id of acknowledged) expect(pulled.has(id), `acknowledged patient ${id} lost`).toBe(true);
      // Re-send every stream from the start, as clients that lost their responses would:
      // replays first, then the rest applies; each mutation exactly once.
      for (const stream of streams) {
        for (let i = 0; i < stream.mutations.length; i += 50) {
          const res = await call<{ results: { id: number; status: string }[] }>(second.url, 'POST', '/api/sync/push', { token: token2, body: { clientId: stream.clientId, mutations: stream.mutations.slice(i, i + 50) } });
          expect(res.status).toBe(200);
          expect(res.body.results.every((r) => r.status === 'applied')).toBe(true);
        }
      }
      const conn = openDatabase(db.database);
      try {
        const n = await conn.kysely.selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(n.n)).toBe(450);
        const applied = await conn.kysely.selectFrom('sync_mutations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(applied.n)).toBe(450);
      } finally {
        await conn.close();
      }
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  });
});
