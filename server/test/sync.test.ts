import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationName, MutationResult, PullResponse } from '../../shared/sync/protocol.js';
import { audienceOf, type Actor } from '../auth/actor.js';
import { toPatient } from '../modules/patients.js';
import { toRequest } from '../modules/requests.js';
import { pullChanges } from '../sync/pull.js';
import { pushMutations } from '../sync/push.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, patientInput, requestInput, type World } from './world.js';

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

const count = async (table: 'patients' | 'consultation_requests') =>
  Number((await server.api.ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

async function push(token: string, clientId: string, mutations: { id: number; name: MutationName; args: unknown }[]) {
  return call<{ results: MutationResult[]; lastMutationId: number }>(server.url, 'POST', '/api/sync/push', { token, body: { clientId, mutations } });
}

describe('push: exactly once', () => {
  it('the same mutation pushed twice creates one row and replays the stored answer', async () => {
    const clientId = crypto.randomUUID();
    const m = { id: 1, name: 'patient.create' as const, args: patientInput() };
    const before = await count('patients');
    const first = await push(world.physicianA.token, clientId, [m]);
    const second = await push(world.physicianA.token, clientId, [m]);
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ id: 1, status: 'applied', replayed: false });
    expect(second.body.results[0]).toMatchObject({ id: 1, status: 'applied', replayed: true });
    expect((second.body.results[0] as { result: unknown }).result).toEqual((first.body.results[0] as { result: unknown }).result);
    expect(await count('patients')).toBe(before + 1);
  });

  it('a batch re-sent after a lost response (simulated timeout) applies nothing twice', async () => {
    const clientId = crypto.randomUUID();
    const p = patientInput();
    const batch = [
      { id: 1, name: 'patient.create' as const, args: p },
      { id: 2, name: 'request.create' as const, args: requestInput(p.id, 'bakulev') },
    ];
    const before = [await count('patients'), await count('consultation_requests')];
    // The client gives up waiting (the response is dropped), then retries the whole batch.
    const controller = new AbortController();
    const lost = fetch(`${server.url}/api/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${world.physicianA.token}` },
      body: JSON.stringify({ clientId, mutations: batch }),
      signal: controller.signal,
    }).catch(() => null);
    controller.abort();
    await lost;
    const retry = await push(world.physicianA.token, clientId, batch);
    expect(retry.status).toBe(200);
    expect(retry.body.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const again = await push(world.physicianA.token, clientId, batch);
    expect(again.body.results.every((r) => r.status === 'applied' && r.replayed)).toBe(true);
    expect(await count('patients')).toBe((before[0] ?? 0) + 1);
    expect(await count('consultation_requests')).toBe((before[1] ?? 0) + 1);
  });

  it('out-of-order: a later mutation waits for the missing earlier one, then both apply once', async () => {
    const clientId = crypto.randomUUID();
    const p = patientInput();
    const m1 = { id: 1, name: 'patient.create' as const, args: p };
    const m2 = { id: 2, name: 'request.create' as const, args: requestInput(p.id, 'bakulev') };
    const before = await count('consultation_requests');
    const early = await push(world.physicianA.token, clientId, [m2]);
    expect(early.body.results[0]).toEqual({ id: 2, status: 'deferred', expected: 1 });
    expect(await count('consultation_requests')).toBe(before);
    const late = await push(world.physicianA.token, clientId, [m1, m2]);
    expect(late.body.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(late.body.lastMutationId).toBe(2);
    // The stale copy of m1 arriving afterwards is a replay, not a second patient.
    const stale = await push(world.physicianA.token, clientId, [m1]);
    expect(stale.body.results[0]).toMatchObject({ status: 'applied', replayed: true });
    expect(await count('consultation_requests')).toBe(before + 1);
  });

  it('a rejected mutation is final: the reason is returned, nothing is written, the replay says the same', async () => {
    const clientId = crypto.randomUUID();
    // Doctor B (Kulakov) cannot take a Bakulev request: it is not visible to them.
    const m = { id: 1, name: 'request.take' as const, args: { id: world.pA.requestId } };
    const first = await push(world.doctorKulakov.token, clientId, [m]);
    expect(first.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' }, replayed: false });
    const replay = await push(world.doctorKulakov.token, clientId, [m]);
    expect(replay.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' }, replayed: true });
    const row = await server.api.ctx.db.kysely.selectFrom('consultation_requests').select('assigned_doctor_id').where('id', '=', world.pA.requestId).executeTakeFirstOrThrow();
    expect(row.assigned_doctor_id).not.toBe(world.doctorKulakov.id);
  });

  it('a conflict between two doctors: the server answer wins and says why', async () => {
    const { requestId } = await import('./world.js').then((m) => m.referral(server, world.manager.actor, 'bakulev'));
    const other = await (await import('../auth/accounts.js')).createUser(
      server.api.ctx.db.kysely,
      { login: 'doc-bakulev-2', password: 'correct-horse-battery', role: 'doctor', fullName: 'Второй врач', centre: 'bakulev' },
      null,
    );
    const otherToken = (await call<{ token: string }>(server.url, 'POST', '/api/auth/login', { body: { login: other.login, password: 'correct-horse-battery' } })).body.token;
    const a = await push(world.doctorBakulev.token, crypto.randomUUID(), [{ id: 1, name: 'request.take', args: { id: requestId } }]);
    const b = await push(otherToken, crypto.randomUUID(), [{ id: 1, name: 'request.take', args: { id: requestId } }]);
    expect(a.body.results[0]?.status).toBe('applied');
    expect(b.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'ALREADY_TAKEN' } });
  });

  it("a client id cannot be reused by another user", async () => {
    const clientId = crypto.randomUUID();
    await push(world.physicianA.token, clientId, [{ id: 1, name: 'patient.create', args: patientInput() }]);
    const res = await push(world.physicianB.token, clientId, [{ id: 1, name: 'patient.create', args: patientInput() }]);
    expect(res.status).toBe(403);
    expect((res.body as unknown as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });
});

describe('pull: convergence', () => {
  type Replica = { cursor: number; rows: Map<string, unknown> };

  async function pullAll(audience: string, replica: Replica, limit: number): Promise<void> {
    for (;;) {
      const res: PullResponse = await pullChanges(server.api.ctx.db.kysely, audience, { since: replica.cursor, limit });
      for (const c of res.changes) {
        const key = `${c.entity}:${c.id}`;
        if (c.op === 'put') replica.rows.set(key, c.data);
        else replica.rows.delete(key);
      }
      expect(res.cursor).toBeGreaterThanOrEqual(replica.cursor);
      replica.cursor = res.cursor;
      if (!res.hasMore) return;
    }
  }

  /** What the actor may see, computed straight from the tables, independently of the sync index. */
  async function groundTruth(actor: Actor): Promise<Map<string, unknown>> {
    const db = server.api.ctx.db.kysely;
    const requests = await db.selectFrom('consultation_requests').selectAll().execute();
    const patients = await db.selectFrom('patients').selectAll().execute();
    const visibleRequests = requests.filter((r) =>
      actor.role === 'manager' ? true : actor.role === 'doctor' ? r.centre === actor.centre : r.referred_by === actor.userId,
    );
    const out = new Map<string, unknown>();
    for (const r of visibleRequests) out.set(`request:${r.id}`, toRequest(r));
    for (const p of patients) {
      const visible =
        actor.role === 'manager' ||
        (actor.role === 'physician' && p.referred_by === actor.userId) ||
        visibleRequests.some((r) => r.patient_id === p.id && (actor.role !== 'physician' || r.referred_by === actor.userId));
      if (visible) out.set(`patient:${p.id}`, toPatient(p));
    }
    return out;
  }

  const actorNames = ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov'] as const;
  type ActorName = (typeof actorNames)[number];

  const op = fc.oneof(
    fc.record({ kind: fc.constant('createReferral' as const), by: fc.constantFrom<ActorName>('physicianA', 'physicianB', 'manager'), centre: fc.constantFrom('bakulev' as const, 'kulakov' as const) }),
    fc.record({ kind: fc.constant('take' as const), by: fc.constantFrom<ActorName>('doctorBakulev', 'doctorKulakov'), pick: fc.nat() }),
    fc.record({ kind: fc.constant('transfer' as const), pick: fc.nat(), centre: fc.constantFrom('bakulev' as const, 'kulakov' as const) }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('rename' as const), by: fc.constantFrom<ActorName>('physicianA', 'manager'), pick: fc.nat() }),
    fc.record({ kind: fc.constant('pull' as const), who: fc.constantFrom<ActorName>(...actorNames), limit: fc.integer({ min: 1, max: 7 }) }),
  );

  it('incremental pulls interleaved with random writes end with exactly the visible set', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const replicas = new Map<ActorName, Replica>(actorNames.map((n) => [n, { cursor: 0, rows: new Map() }]));
        const clients = new Map<ActorName, { id: string; next: number }>(actorNames.map((n) => [n, { id: crypto.randomUUID(), next: 1 }]));
        const created: { patientId: string; requestId: string }[] = [];
        const mutate = async (who: ActorName, name: MutationName, args: unknown) => {
          const c = clients.get(who);
          if (!c) throw new Error('no client');
          const res = await pushMutations(server.api.ctx, world[who].actor, { clientId: c.id, mutations: [{ id: c.next, name, args }] });
          c.next += 1;
          return res.results[0];
        };
        for (const o of ops) {
          const target = created.length ? created[('pick' in o ? o.pick : 0) % created.length] : undefined;
          switch (o.kind) {
            case 'createReferral': {
              const p = patientInput();
              const r = requestInput(p.id, o.centre);
              await mutate(o.by, 'patient.create', p);
              const res = await mutate(o.by, 'request.create', r);
              if (res?.status === 'applied') created.push({ patientId: p.id, requestId: r.id });
              break;
            }
            case 'take':
              if (target) await mutate(o.by, 'request.take', { id: target.requestId });
              break;
            case 'transfer':
              if (target) {
                const profile = requestInput(target.patientId, o.centre).profile;
                await mutate('manager', 'request.transfer', { id: target.requestId, centre: o.centre, profile, reason: 'Ошибка в выборе центра' });
              }
              break;
            case 'cancel':
              if (target) await mutate('manager', 'request.setStatus', { id: target.requestId, status: 'cancelled', reason: 'Пациент отказался' });
              break;
            case 'rename':
              if (target) await mutate(o.by, 'patient.update', { id: target.patientId, patch: { middleName: `Отчество${created.length}` } });
              break;
            case 'pull': {
              const replica = replicas.get(o.who);
              const audience = audienceOf(world[o.who].actor);
              if (replica && audience) await pullAll(audience, replica, o.limit);
              break;
            }
          }
        }
        for (const name of actorNames) {
          const actor = world[name].actor;
          const audience = audienceOf(actor);
          const replica = replicas.get(name);
          if (!audience || !replica) throw new Error('setup');
          await pullAll(audience, replica, 50);
          const truth = await groundTruth(actor);
          expect(new Map([...replica.rows].sort()), `${name} incremental replica`).toEqual(new Map([...truth].sort()));
          const fresh: Replica = { cursor: 0, rows: new Map() };
          await pullAll(audience, fresh, 1000);
          expect(new Map([...fresh.rows].sort()), `${name} replica from 0`).toEqual(new Map([...truth].sort()));
        }
      }),
      { numRuns: Number(process.env.OBLAKO_PROPERTY_RUNS ?? 15) },
    );
  });
});
