import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationName } from '../../shared/sync/protocol.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { batchInput, batchRow, buildWorld, type World } from './world.js';

/**
 * The manager's intake of received files (`referral.submit` with `origin.kind = 'file'`): the
 * origin and the rows that failed validation are kept with the batch, the same file taken in
 * twice is recognised, and a re-sent table with two corrected rows imports only those two: the
 * rest are skipped as re-sends, not turned into second requests.
 */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

const db = () => server.api.ctx.db.kysely;

interface PushResult {
  results: { id: number; status: string; result?: { id: string }; error?: { code: string; message: string; issues?: { path: string; message: string }[] } }[];
}
const push = (token: string, mutations: { id: number; name: MutationName; args: unknown }[]) =>
  call<PushResult>(server.url, 'POST', '/api/sync/push', { token, body: { clientId: crypto.randomUUID(), mutations } });

const origin = { kind: 'file', physicianId: null, region: '16', organization: 'ГАУЗ «Городская больница № 7»', referrer: 'Петров П. П.', receivedAt: '2026-11-20T09:30:00.000Z' } as const;

interface Progress {
  status: string;
  running: boolean;
  done: number;
  total: number;
  created: number;
  linked: number;
  skipped: number;
  rejected: number;
  error: string | null;
  rows: { row: number; outcome: string; reason: string | null }[];
}

async function importAll(batchId: string): Promise<Progress> {
  const started = await call(server.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: world.manager.token });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  // The job runs on in the server: await its end by its own report, not by a fixed delay.
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await call<Progress>(server.url, 'GET', `/api/referral-batches/${batchId}/import`, { token: world.manager.token });
    if (!res.body.running && (res.body.status === 'imported' || res.body.error)) return res.body;
    if (Date.now() > until) throw new Error(`import did not finish: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a file received by the manager', () => {
  it('is taken in with its origin and rejected rows; the summary and the batch carry them', async () => {
    const input = batchInput(2, {
      fileHash: crypto.randomBytes(32).toString('hex'),
      origin,
      rejectedRows: [{ row: 9, label: 'Иванов И. И.', reason: 'Строка 9, «СНИЛС»: неверная контрольная сумма.' }],
    });
    const res = await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: input }]);
    expect(res.body.results[0], JSON.stringify(res.body)).toMatchObject({ status: 'applied' });

    const batch = await call(server.url, 'GET', `/api/referral-batches/${input.id}`, { token: world.manager.token });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({
      source: 'file',
      submittedBy: world.manager.actor.userId,
      physicianId: world.manager.actor.userId,
      region: '16',
      organization: origin.organization,
      referrer: origin.referrer,
      receivedAt: origin.receivedAt,
      rejectedRows: [{ row: 9, label: 'Иванов И. И.' }],
    });
    const list = await call<{ items: { id: string; source: string; rejectedCount: number }[] }>(server.url, 'GET', '/api/referral-batches', { token: world.manager.token });
    expect(list.body.items.find((b) => b.id === input.id)).toMatchObject({ source: 'file', rejectedCount: 1 });
  });

  it('the same file taken in twice is refused with CONFLICT naming the first batch; nothing is stored', async () => {
    const fileHash = crypto.randomBytes(32).toString('hex');
    const first = batchInput(1, { fileHash, origin });
    expect((await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: first }])).body.results[0]?.status).toBe('applied');
    const again = batchInput(1, { fileHash, origin });
    const res = await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: again }]);
    const r = res.body.results[0];
    expect(r).toMatchObject({ status: 'rejected', error: { code: 'CONFLICT' } });
    expect(r?.error?.message).toContain('уже получен');
    expect(r?.error?.issues).toEqual([{ path: 'batchId', message: first.id }]);
    expect(await db().selectFrom('referral_batches').select('id').where('id', '=', again.id).executeTakeFirst()).toBeUndefined();
  });

  it('attributed to a physician account, the physician sees it; a non-physician account is refused', async () => {
    const input = batchInput(1, { fileHash: crypto.randomBytes(32).toString('hex'), origin: { ...origin, physicianId: world.physicianB.actor.userId } });
    expect((await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: input }])).body.results[0]?.status).toBe('applied');
    const seen = await call(server.url, 'GET', `/api/referral-batches/${input.id}`, { token: world.physicianB.token });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ physicianId: world.physicianB.actor.userId, submittedBy: world.manager.actor.userId, source: 'file' });
    expect((await call(server.url, 'GET', `/api/referral-batches/${input.id}`, { token: world.physicianA.token })).status).toBe(404);

    const wrong = batchInput(1, { fileHash: crypto.randomBytes(32).toString('hex'), origin: { ...origin, physicianId: world.doctorBakulev.actor.userId } });
    const res = await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: wrong }]);
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
  });
});

describe('a re-sent table with two corrected rows', () => {
  it('imports the two new rows and skips the rest as re-sends: no second patient, no second request', async () => {
    const original = batchInput(0, { fileHash: crypto.randomBytes(32).toString('hex'), origin });
    original.rows = [2, 3, 4, 5].map((n) => batchRow(n));
    expect((await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: original }])).body.results[0]?.status).toBe('applied');
    expect(await importAll(original.id)).toMatchObject({ status: 'imported', created: 4, linked: 0, skipped: 0, rejected: 0 });

    // The re-send: the same four rows, plus rows 6 and 7 that the physician corrected and added.
    const resent = batchInput(0, { fileHash: crypto.randomBytes(32).toString('hex'), origin });
    resent.rows = [...original.rows, batchRow(6), batchRow(7)];
    expect((await push(world.manager.token, [{ id: 1, name: 'referral.submit', args: resent }])).body.results[0]?.status).toBe('applied');

    const dup = await call<{ rows: { row: number; defaultDecision: string | null; candidates: { openRequestId: string | null }[] }[]; undecided: number[] }>(
      server.url, 'GET', `/api/referral-batches/${resent.id}/duplicates`, { token: world.manager.token },
    );
    expect(dup.status).toBe(200);
    expect(dup.body.undecided).toEqual([]);
    for (const n of [2, 3, 4, 5]) {
      const row = dup.body.rows.find((r) => r.row === n);
      expect(row?.defaultDecision, `row ${n}`).toBe('skip');
      expect(row?.candidates[0]?.openRequestId, `row ${n}`).toBeTruthy();
    }
    expect(dup.body.rows.filter((r) => r.defaultDecision === 'create').map((r) => r.row)).toEqual([6, 7]);

    const patientsBefore = await db().selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const done = await importAll(resent.id);
    expect(done).toMatchObject({ status: 'imported', created: 2, linked: 0, skipped: 4, rejected: 0 });
    expect(done.rows.filter((r) => r.outcome === 'skipped').every((r) => r.reason?.includes('Повторная отправка'))).toBe(true);
    const patientsAfter = await db().selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(patientsAfter.n)).toBe(Number(patientsBefore.n) + 2);
    // Each СНИЛС of the two tables belongs to exactly one patient with exactly one request.
    for (const r of resent.rows) {
      const ps = await db().selectFrom('patients').select('id').where('snils', '=', r.fields.snils).execute();
      expect(ps, `СНИЛС of row ${r.row}`).toHaveLength(1);
      const reqs = await db().selectFrom('consultation_requests').select('id').where('patient_id', '=', ps[0]?.id ?? '').execute();
      expect(reqs, `requests of row ${r.row}`).toHaveLength(1);
    }
  });
});
