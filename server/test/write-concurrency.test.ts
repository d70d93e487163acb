import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult, PullResponse } from '../../shared/sync/protocol.js';
import type { AuditInput } from '../audit/audit-log.js';
import { verifyAuditChain } from '../audit/audit-log.js';
import { auditWriterFor } from '../audit/audit-writer.js';
import { writeTransaction } from '../context.js';
import { PG_CONCURRENT_WRITERS, writeGateFor } from '../db/write-gate.js';
import { call, startTestServer, TEST_DB, type TestServer } from './harness.js';
import { envFor, runAdmin } from './processes.js';
import { buildWorld, patientInput, referral, type World } from './world.js';

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

async function pull(token: string, since: number) {
  const r = await call<PullResponse>(server.url, 'POST', '/api/sync/pull', { token, body: { since, limit: 50 } });
  expect(r.status).toBe(200);
  return r.body;
}

describe('concurrent writers and pullers', () => {
  it('a puller that pulls while writers commit never skips a change', async () => {
    const writers = 60;
    let writing = true;
    const cursors: number[][] = [];
    // Each puller keeps its own cursor and set, as a desktop does, and pulls without pause while
    // the writes land: a change committed after a pull with a number below its cursor is lost.
    const pullers = [0, 1, 2, 3].map(async (n) => {
      const seen = new Set<string>();
      const mine: number[] = [];
      cursors[n] = mine;
      let since = 0;
      for (;;) {
        const stillWriting = writing;
        const page = await pull(world.manager.token, since);
        for (const c of page.changes) if (c.entity === 'patient' && c.op === 'put') seen.add(c.id);
        expect(page.cursor).toBeGreaterThanOrEqual(since);
        since = page.cursor;
        mine.push(since);
        if (!stillWriting && !page.hasMore) return seen;
      }
    });
    // Half through the domain layer, half as pushed mutations (the desktop's path).
    const created: string[] = [];
    const writes = Array.from({ length: writers }, async (_, i) => {
      if (i % 2 === 0) {
        const r = await referral(server, world.physicianA.actor, 'bakulev');
        created.push(r.patientId);
        return;
      }
      const p = patientInput();
      const r = await call<{ results: MutationResult[] }>(server.url, 'POST', '/api/sync/push', {
        token: world.physicianB.token,
        body: { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'patient.create', args: p }] },
      });
      expect(r.body.results[0]?.status).toBe('applied');
      created.push(p.id);
    });
    await Promise.all(writes);
    writing = false;
    const seen = await Promise.all(pullers);

    expect(created).toHaveLength(writers);
    for (const s of seen) {
      const missing = created.filter((id) => !s.has(id));
      expect(missing).toEqual([]);
    }
    // The pullers did pull in the middle of the writes, not only once at the end.
    expect(Math.max(...cursors.map((c) => c.length))).toBeGreaterThan(2);
  });

  it('write transactions are bounded: at most PG_CONCURRENT_WRITERS at once on PostgreSQL (a nested one does not wait for its caller), one at a time on SQLite', async () => {
    const ctx = server.api.ctx;
    let inside = 0;
    let most = 0;
    const jobs = Array.from({ length: 20 }, () =>
      writeTransaction(ctx, async (w) => {
        inside += 1;
        most = Math.max(most, inside);
        // A few round trips, so that unbounded transactions would overlap on the pool's 10 connections.
        for (let k = 0; k < 3; k++) await w.tx.selectFrom('patients').select('id').limit(1).execute();
        inside -= 1;
      }),
    );
    await Promise.all(jobs);
    // SQLite has one connection: its transactions never overlap, and it needs no gate.
    expect(most).toBe(TEST_DB === 'postgres' ? PG_CONCURRENT_WRITERS : 1);
    expect(writeGateFor(ctx.db)?.running ?? 0).toBe(0);
    if (TEST_DB !== 'postgres') return;

    // Every slot taken by callers that each start a nested write: none may wait for a slot.
    const nested = await Promise.all(
      Array.from({ length: PG_CONCURRENT_WRITERS }, () =>
        writeTransaction(ctx, async () => writeTransaction(ctx, async (inner) => (await inner.tx.selectFrom('users').select('id').limit(1).execute()).length)),
      ),
    );
    expect(nested).toEqual(Array.from({ length: PG_CONCURRENT_WRITERS }, () => 1));
  });
});

describe('audit group commit', () => {
  const event = (tag: string, over: Partial<AuditInput> = {}): AuditInput => ({
    actor: world.manager.actor,
    action: 'test.read',
    entity: 'test',
    entityId: tag,
    result: 'ok',
    ...over,
  });

  it('concurrent reads and writes append to one chain that verifies, each read on record when its append resolves', async () => {
    const db = server.api.ctx.db;
    const before = Number((await db.kysely.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
    const writer = auditWriterFor(db);
    const tags = Array.from({ length: 200 }, () => crypto.randomUUID());
    const onRecord: boolean[] = [];
    const reads = tags.map(async (tag) => {
      await writer.append([event(tag)]);
      const row = await db.kysely.selectFrom('audit_events').select('seq').where('entity_id', '=', tag).executeTakeFirst();
      onRecord.push(row !== undefined);
    });
    // Writers appending inside their own transactions at the same time, on the same chain head.
    const writes = Array.from({ length: 20 }, () => referral(server, world.physicianA.actor, 'bakulev'));
    await Promise.all([...reads, ...writes]);

    expect(onRecord).toEqual(tags.map(() => true));
    const rows = await db.kysely.selectFrom('audit_events').select(['entity_id', 'at']).where('action', '=', 'test.read').where('entity_id', 'in', tags).execute();
    expect(rows).toHaveLength(tags.length);
    // Batched: appends issued together shared transactions (one `at` per transaction).
    expect(new Set(rows.map((r) => r.at)).size).toBeLessThan(tags.length);

    const result = await verifyAuditChain(db.kysely);
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(before + tags.length);
    const cli = await runAdmin(envFor(server.db), ['verify-audit', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true });
  });

  it('an event that cannot be stored fails its own request only, not the others in its batch', async () => {
    const db = server.api.ctx.db;
    const writer = auditWriterFor(db);
    const tags = Array.from({ length: 30 }, () => crypto.randomUUID());
    const bad = 15;
    const outcomes = await Promise.allSettled(
      tags.map((tag, i) =>
        // A null action breaks the NOT NULL column: the whole batch's INSERT fails.
        writer.append([i === bad ? event(tag, { action: null as unknown as string }) : event(tag)]),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(tags.map((_, i) => (i === bad ? 'rejected' : 'fulfilled')));
    const stored = await db.kysely.selectFrom('audit_events').select('entity_id').where('entity_id', 'in', tags).execute();
    expect(stored.map((r) => r.entity_id).sort()).toEqual(tags.filter((_, i) => i !== bad).sort());
    expect((await verifyAuditChain(db.kysely)).ok).toBe(true);
  });

  it('a pull is audited before it is answered', async () => {
    const page = await pull(world.physicianA.token, 0);
    const ev = await server.api.ctx.db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'sync.pull')
      .where('actor_id', '=', world.physicianA.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(ev.details ?? '{}')).toMatchObject({ since: 0, cursor: page.cursor, changes: page.changes.length });
  });
});
