import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationName, MutationResult, PullResponse } from '../../shared/sync/protocol.js';
import { PUSH_MAX_BODY_BYTES } from '../../shared/sync/protocol.js';
import { REFERRAL_BATCH_MAX_ROWS } from '../../shared/domain/referrals.js';
import { createUser } from '../auth/accounts.js';
import { writeTransaction } from '../context.js';
import { refreshPatientStage } from '../modules/patient-stage.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { PULL_MAX_BATCH_ROWS } from '../sync/pull.js';
import { batchInput, batchRow, buildWorld, referral, referralBatch, type World } from './world.js';

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

type Pushed = { results: MutationResult[]; lastMutationId: number };
const push = (token: string, clientId: string, mutations: { id: number; name: MutationName; args: unknown }[]) =>
  call<Pushed>(server.url, 'POST', '/api/sync/push', { token, body: { clientId, mutations } });
const pull = (token: string, since = 0) => call<PullResponse>(server.url, 'POST', '/api/sync/pull', { token, body: { since, limit: 5000 } });
const batchCount = async () =>
  Number((await server.api.ctx.db.kysely.selectFrom('referral_batches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

describe('referral.submit', () => {
  it('is applied once when pushed twice, and a re-send from another install is the same batch', async () => {
    const clientId = crypto.randomUUID();
    const batch = batchInput(4);
    const before = await batchCount();
    const first = await push(world.physicianA.token, clientId, [{ id: 1, name: 'referral.submit', args: batch }]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.results[0]).toMatchObject({ status: 'applied', replayed: false, result: { id: batch.id, rowCount: 4, status: 'sent' } });
    const second = await push(world.physicianA.token, clientId, [{ id: 1, name: 'referral.submit', args: batch }]);
    expect(second.body.results[0]).toMatchObject({ status: 'applied', replayed: true, result: { id: batch.id } });
    const otherInstall = await push(world.physicianA.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: batch }]);
    expect(otherInstall.body.results[0]).toMatchObject({ status: 'applied', result: { id: batch.id } });
    expect(await batchCount()).toBe(before + 1);

    // One audit event for the submit, with the row count and no row content.
    const events = await server.api.ctx.db.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'referral.submit').where('entity_id', '=', batch.id).execute();
    expect(events.length).toBe(2); // the first push and the other install's push; the replay writes nothing
    const details = JSON.parse(events[0]?.details ?? '{}') as Record<string, unknown>;
    expect(details.rowCount).toBe(4);
    const firstRow = batch.rows[0]?.fields;
    expect(events[0]?.details).not.toContain(firstRow?.snils ?? 'x');
    expect(events[0]?.details).not.toContain(firstRow?.lastName ?? 'x');
  });

  it('a second batch with the same file hash is accepted', async () => {
    const a = batchInput(1);
    const b = batchInput(1, { fileHash: a.fileHash });
    const res = await push(world.physicianA.token, crypto.randomUUID(), [
      { id: 1, name: 'referral.submit', args: a },
      { id: 2, name: 'referral.submit', args: b },
    ]);
    expect(res.body.results.map((r) => r.status)).toEqual(['applied', 'applied']);
  });

  it('a batch with bad rows is rejected whole, with the row numbers and fields in the issues', async () => {
    const batch = batchInput(5);
    batch.rows[1] = batchRow(7, { snils: '11223344596' }); // checksum
    batch.rows[3] = batchRow(12, { centre: 'kulakov', profile: 'fetal_malformations', pregnancyWeeks: null });
    batch.rows[4] = batchRow(15, { region: '99', birthDate: '2999-01-01' });
    const before = await batchCount();
    const res = await push(world.physicianA.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: batch }]);
    const r = res.body.results[0];
    expect(r?.status).toBe('rejected');
    if (r?.status !== 'rejected') throw new Error('not rejected');
    expect(r.error.code).toBe('VALIDATION_FAILED');
    expect(r.error.message).toMatch(/Строка 7/);
    const paths = (r.error.issues ?? []).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['строка 7.snils', 'строка 12.pregnancyWeeks', 'строка 15.region', 'строка 15.birthDate']));
    expect(r.error.issues?.find((i) => i.path === 'строка 7.snils')?.message).toMatch(/^Строка 7, «СНИЛС»: контрольное число/);
    expect(await batchCount()).toBe(before);
  });

  it('a row failing the schema is reported by its row number, not its position', async () => {
    const batch = batchInput(3);
    batch.rows[2] = batchRow(40, { phone: '89161234567' });
    const res = await push(world.physicianA.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: batch }]);
    const r = res.body.results[0];
    if (r?.status !== 'rejected') throw new Error(`expected rejected, got ${JSON.stringify(r)}`);
    expect(r.error.issues?.map((i) => i.path)).toEqual(['строка 40.phone']);
    expect(r.error.message).toMatch(/Строка 40, «Телефон для SMS»/);
  });

  it('physicians submit their own tables; the manager only received files, with their origin; doctors never', async () => {
    const asManager = await push(world.manager.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: batchInput(1) }]);
    expect(asManager.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    const asDoctor = await push(world.doctorBakulev.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: batchInput(1) }]);
    expect(asDoctor.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
    const posing = await push(world.physicianA.token, crypto.randomUUID(), [
      { id: 1, name: 'referral.submit', args: batchInput(1, { origin: { kind: 'file', physicianId: null, region: null, organization: null, referrer: null, receivedAt: null } }) },
    ]);
    expect(posing.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
  });

  it(`a batch of ${REFERRAL_BATCH_MAX_ROWS} rows (over the default 1 MiB body limit) is accepted; over the push limit is refused`, async () => {
    const batch = batchInput(REFERRAL_BATCH_MAX_ROWS);
    const body = { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'referral.submit', args: batch }] };
    expect(JSON.stringify(body).length).toBeGreaterThan(1_048_576);
    const ok = await call<Pushed>(server.url, 'POST', '/api/sync/push', { token: world.physicianA.token, body });
    expect(ok.status).toBe(200);
    expect(ok.body.results[0]).toMatchObject({ status: 'applied', result: { rowCount: REFERRAL_BATCH_MAX_ROWS } });
    const got = await call(server.url, 'GET', `/api/referral-batches/${batch.id}`, { token: world.physicianA.token });
    expect(got.status).toBe(200);
    expect(got.body.rows).toHaveLength(REFERRAL_BATCH_MAX_ROWS);

    const huge = { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'patient.create', args: { note: 'я'.repeat(PUSH_MAX_BODY_BYTES / 2 + 1024) } }] };
    const refused = await call(server.url, 'POST', '/api/sync/push', { token: world.physicianA.token, body: huge });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Other routes keep the default limit.
    const big = await call(server.url, 'POST', '/api/sync/pull', { token: world.physicianA.token, body: { since: 0, pad: 'x'.repeat(1_100_000) } });
    expect(big.status).toBe(413);
  });
});

describe('batch visibility', () => {
  let batchA: string;
  let batchB: string;
  beforeAll(async () => {
    const a = batchInput(2);
    const b = batchInput(2);
    await push(world.physicianA.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: a }]);
    await push(world.physicianB.token, crypto.randomUUID(), [{ id: 1, name: 'referral.submit', args: b }]);
    batchA = a.id;
    batchB = b.id;
  });

  const pulledBatches = async (token: string) =>
    (await pull(token)).body.changes.filter((c) => c.op === 'put' && c.entity === 'batch').map((c) => c.id);

  it('physician B sees neither by pull nor by HTTP the batch of physician A', async () => {
    const b = await pulledBatches(world.physicianB.token);
    expect(b).toContain(batchB);
    expect(b).not.toContain(batchA);
    const one = await call(server.url, 'GET', `/api/referral-batches/${batchA}`, { token: world.physicianB.token });
    expect(one.status).toBe(404);
    const list = await call<{ items: { id: string }[] }>(server.url, 'GET', '/api/referral-batches?limit=500', { token: world.physicianB.token });
    expect(list.body.items.map((i) => i.id)).not.toContain(batchA);
    expect(list.body.items.map((i) => i.id)).toContain(batchB);
  });

  it(`a pull page carries at most ${PULL_MAX_BATCH_ROWS} batch rows (at least one batch); the rest comes next`, async () => {
    const physician = await createUser(server.api.ctx.db.kysely, { login: 'phys-big', password: 'correct-horse-battery', role: 'physician', fullName: 'Врач с большими таблицами', centre: null }, null);
    const actor = { userId: physician.id, role: 'physician' as const, centre: null, patientId: null, isDuty: false, sessionId: 't', mustChangePassword: false };
    const big = [batchInput(4000), batchInput(4000), batchInput(4000)];
    for (const b of big) await referralBatch(server, actor, b);
    const token = await loginAs(server.url, 'phys-big', 'correct-horse-battery');
    const first = await pull(token);
    expect(first.body.changes.map((c) => c.id)).toEqual([big[0]?.id, big[1]?.id]);
    expect(first.body.hasMore).toBe(true);
    const second = await pull(token, first.body.cursor);
    expect(second.body.changes.map((c) => c.id)).toEqual([big[2]?.id]);
    expect(second.body.hasMore).toBe(false);
  });

  it('the pulled batch carries its rows and the physician name', async () => {
    const res = await pull(world.physicianA.token);
    const put = res.body.changes.find((c) => c.op === 'put' && c.entity === 'batch' && c.id === batchA);
    if (!put || put.op !== 'put' || put.entity !== 'batch') throw new Error('batch not pulled');
    expect(put.data.rows).toHaveLength(2);
    expect(put.data.physicianName).toBe('phys-a');
  });

  it('doctors see no batches; the manager sees all, with paging', async () => {
    expect(await pulledBatches(world.doctorBakulev.token)).toEqual([]);
    expect(await pulledBatches(world.doctorKulakov.token)).toEqual([]);
    const m = await pulledBatches(world.manager.token);
    expect(m).toEqual(expect.arrayContaining([batchA, batchB]));
    const page1 = await call<{ items: { id: string; rows?: unknown }[]; total: number }>(server.url, 'GET', '/api/referral-batches?limit=1&offset=0', { token: world.manager.token });
    const page2 = await call<{ items: { id: string }[]; total: number }>(server.url, 'GET', '/api/referral-batches?limit=1&offset=1', { token: world.manager.token });
    expect(page1.body.total).toBeGreaterThanOrEqual(2);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.items[0]?.rows).toBeUndefined();
    expect(page2.body.items[0]?.id).not.toBe(page1.body.items[0]?.id);
    const doc = await call(server.url, 'GET', '/api/referral-batches', { token: world.doctorBakulev.token });
    expect(doc.status).toBe(403);
  });
});

describe('patient stage and scheduling', () => {
  const patientFromPull = async (token: string, since: number, id: string) => {
    const res = await pull(token, since);
    const put = res.body.changes.find((c) => c.op === 'put' && c.entity === 'patient' && c.id === id);
    return { patient: put && put.op === 'put' && put.entity === 'patient' ? put.data : undefined, cursor: res.body.cursor };
  };

  it('moves to scheduled after scheduling, and the physician pull delivers the new stage', async () => {
    const { patientId, requestId } = await referral(server, world.physicianA.actor, 'bakulev');
    const start = await patientFromPull(world.physicianA.token, 0, patientId);
    expect(start.patient?.stage).toBe('imported');
    expect(start.patient).toMatchObject({ batchId: null, batchRow: null });

    const res = await push(world.doctorBakulev.token, crypto.randomUUID(), [
      { id: 1, name: 'request.schedule', args: { id: requestId, startsAt: inHours(30), durationMinutes: 30 } },
    ]);
    expect(res.body.results[0]).toMatchObject({ status: 'applied', result: { status: 'scheduled', assignedDoctorId: world.doctorBakulev.id } });
    const after = await patientFromPull(world.physicianA.token, start.cursor, patientId);
    expect(after.patient?.stage).toBe('scheduled');
    const http = await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.physicianA.token });
    expect(http.body.stage).toBe('scheduled');
    const row = await server.api.ctx.db.kysely.selectFrom('consultations').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
    expect(Date.parse(row.ends_at) - Date.parse(row.starts_at)).toBe(30 * 60_000);
    const audit = await server.api.ctx.db.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'request.schedule').where('entity_id', '=', requestId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.patient_id).toBe(patientId);
  });

  it('take moves the stage to under_review; cancel to cancelled', async () => {
    const { patientId, requestId } = await referral(server, world.physicianA.actor, 'bakulev');
    await call(server.url, 'POST', `/api/requests/${requestId}/take`, { token: world.doctorBakulev.token });
    expect((await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.manager.token })).body.stage).toBe('under_review');
    await push(world.manager.token, crypto.randomUUID(), [{ id: 1, name: 'request.setStatus', args: { id: requestId, status: 'cancelled', reason: 'Отказ пациента' } }]);
    expect((await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.manager.token })).body.stage).toBe('cancelled');
  });

  it('without a request status: credentials SMS, then sign-in, then complete documents', async () => {
    const { patientId, requestId } = await referral(server, world.physicianA.actor, 'bakulev');
    const db = server.api.ctx.db.kysely;
    const stage = () => writeTransaction(server.api.ctx, (w) => refreshPatientStage(w, patientId));
    expect(await stage()).toBe('imported');
    await db.insertInto('sms_outbox').values({ id: crypto.randomUUID(), phone: '+79160000000', body: 'логин и пароль', status: 'queued', attempts: 0, provider_message_id: null, error: null, created_at: new Date().toISOString(), sent_at: null, patient_id: patientId, kind: 'credentials' }).execute();
    expect(await stage()).toBe('credentials_sent');
    const login = `pt-${crypto.randomBytes(3).toString('hex')}`;
    await createUser(db, { login, password: 'correct-horse-battery', role: 'patient', fullName: 'Пациент', centre: null, patientId }, null);
    await loginAs(server.url, login, 'correct-horse-battery');
    // The sign-in itself moves the stage; the physician sees it without any other write.
    expect((await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.physicianA.token })).body.stage).toBe('signed_in');
    expect(await stage()).toBe('signed_in');
    for (const t of ['discharge_summary', 'ecg', 'echo']) {
      await db.insertInto('documents').values({ id: crypto.randomUUID(), patient_id: patientId, request_id: requestId, doc_type: t, file_name: `${t}.pdf`, mime: 'application/pdf', size: 10, sha256: '0'.repeat(64), uploaded_by: null, created_at: new Date().toISOString(), deleted_at: null }).execute();
    }
    expect(await stage()).toBe('documents_complete');
    const p = await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.physicianA.token });
    expect(p.body.stage).toBe('documents_complete');
  });

  it("refuses an overlapping consultation of the same doctor, in Russian; other times and other doctors' slots are fine", async () => {
    const one = await referral(server, world.manager.actor, 'bakulev');
    const two = await referral(server, world.manager.actor, 'bakulev');
    const three = await referral(server, world.manager.actor, 'bakulev');
    const at = inHours(100);
    const first = await call(server.url, 'POST', `/api/requests/${one.requestId}/schedule`, { token: world.doctorBakulev.token, body: { startsAt: at, durationMinutes: 60 } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.status).toBe('scheduled');
    const clash = await call(server.url, 'POST', `/api/requests/${two.requestId}/schedule`, { token: world.doctorBakulev.token, body: { startsAt: new Date(Date.parse(at) + 30 * 60_000).toISOString(), durationMinutes: 15 } });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('CONFLICT');
    expect(clash.body.error.message).toMatch(/уже назначена консультация/);
    // Nothing of the refused booking remains.
    expect((await call(server.url, 'GET', `/api/requests/${two.requestId}`, { token: world.manager.token })).body.status).toBe('new');
    // Back to back is not an overlap.
    const next = await call(server.url, 'POST', `/api/requests/${two.requestId}/schedule`, { token: world.doctorBakulev.token, body: { startsAt: new Date(Date.parse(at) + 60 * 60_000).toISOString(), durationMinutes: 15 } });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    // Already scheduled: a second booking for the same request is refused.
    const again = await call(server.url, 'POST', `/api/requests/${one.requestId}/schedule`, { token: world.doctorBakulev.token, body: { startsAt: inHours(300), durationMinutes: 15 } });
    expect(again.body.error.code).toBe('INVALID_STATE');
    // The past and odd durations are validation errors.
    const past = await call(server.url, 'POST', `/api/requests/${three.requestId}/schedule`, { token: world.doctorBakulev.token, body: { startsAt: inHours(-1), durationMinutes: 30 } });
    expect(past.body.error.code).toBe('VALIDATION_FAILED');
    const long = await call(server.url, 'POST', `/api/requests/${three.requestId}/schedule`, { token: world.doctorBakulev.token, body: { startsAt: inHours(400), durationMinutes: 180 } });
    expect(long.body.error.code).toBe('VALIDATION_FAILED');
    // A doctor of another centre cannot see the request at all.
    const other = await push(world.doctorKulakov.token, crypto.randomUUID(), [{ id: 1, name: 'request.schedule', args: { id: three.requestId, startsAt: inHours(500), durationMinutes: 30 } }]);
    expect(other.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
  });
});
