import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnp, makeSnils } from '../demo/seed.js';
import { cancelBatchImport, commitBatchImport, importProgress } from '../modules/batch-import.js';
import { listSmsOutbox } from '../modules/sms-outbox.js';
import { maskSecrets } from '../sms/gateway.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { batchInput, batchRow, buildWorld, referral, referralBatch, type World } from './world.js';

/**
 * The manager's bulk import through the HTTP API: patients, requests, accounts and SMS from a
 * batch; idempotent re-commit; duplicates by each rule and the manager's decisions; the one-time
 * password's life; bad decisions refused without a trace.
 */
let server: TestServer;
let world: World;

beforeAll(async () => {
  // Demo mode: the SMS outbox route shows the text, so the test can read the credentials.
  server = await startTestServer({ demo: true });
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

const db = () => server.api.ctx.db.kysely;

interface Progress {
  status: string;
  running: boolean;
  total: number;
  done: number;
  created: number;
  linked: number;
  skipped: number;
  rejected: number;
  error: string | null;
  rows: { row: number; outcome: string; patientId: string | null; requestId: string | null; reason: string | null }[];
}

async function waitImported(batchId: string): Promise<Progress> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await call<Progress>(server.url, 'GET', `/api/referral-batches/${batchId}/import`, { token: world.manager.token });
    expect(res.status).toBe(200);
    if (!res.body.running && (res.body.status === 'imported' || res.body.error)) return res.body;
    if (Date.now() > until) throw new Error(`import of ${batchId} did not finish: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const count = async (table: 'patients' | 'consultation_requests' | 'users' | 'sms_outbox' | 'batch_import_rows' | 'batch_import_decisions') =>
  Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('commit of a referral batch', () => {
  let batchId = '';

  it('creates patients, requests, patient accounts and credentials SMS', async () => {
    const input = batchInput(5);
    input.rows[1] = batchRow(3, { centre: 'kulakov', profile: 'fetal_malformations', icd10: 'O35.0', pregnancyWeeks: 22, complaints: 'Нет', note: 'Срочно' });
    batchId = (await referralBatch(server, world.physicianA.actor, input)).id;
    const before = { patients: await count('patients'), requests: await count('consultation_requests'), users: await count('users'), sms: await count('sms_outbox') };

    const started = await call<Progress>(server.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: world.manager.token });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(['importing', 'imported']).toContain(started.body.status);
    expect(started.body.total).toBe(5);
    const done = await waitImported(batchId);
    expect(done).toMatchObject({ status: 'imported', total: 5, done: 5, created: 5, linked: 0, skipped: 0, rejected: 0, error: null });
    expect(done.rows.map((r) => r.row)).toEqual(input.rows.map((r) => r.row));

    expect(await count('patients')).toBe(before.patients + 5);
    expect(await count('consultation_requests')).toBe(before.requests + 5);
    expect(await count('users')).toBe(before.users + 5);
    expect(await count('sms_outbox')).toBe(before.sms + 5);

    const patients = await db().selectFrom('patients').selectAll().where('batch_id', '=', batchId).orderBy('batch_row').execute();
    expect(patients.map((p) => Number(p.batch_row))).toEqual(input.rows.map((r) => r.row));
    for (const p of patients) {
      expect(p.referred_by).toBe(world.physicianA.id);
      expect(p.created_by).toBe(world.manager.id);
      expect(p.stage).toBe('credentials_sent');
    }
    const kulakovRow = done.rows.find((r) => r.row === 3);
    const req = await db().selectFrom('consultation_requests').selectAll().where('id', '=', kulakovRow?.requestId ?? '').executeTakeFirstOrThrow();
    expect(req).toMatchObject({ source: 'referral', centre: 'kulakov', profile: 'fetal_malformations', icd10: 'O35.0', complaints: 'Нет', note: 'Срочно', status: 'new', referred_by: world.physicianA.id });
    expect(Number(req.pregnancy_weeks)).toBe(22);
    const dueDays = (Date.parse(req.due_at) - Date.parse(req.created_at)) / 86_400_000;
    expect(dueDays).toBeGreaterThanOrEqual(2);
    expect(dueDays).toBeLessThanOrEqual(4);

    const users = await db().selectFrom('users').selectAll().where('patient_id', 'in', patients.map((p) => p.id)).execute();
    expect(users).toHaveLength(5);
    for (const u of users) {
      expect(u.login).toMatch(/^p\d{8}$/);
      expect(u.role).toBe('patient');
      expect(u.password_kind).toBe('one_time');
      expect(u.password_hash).toMatch(/^s256\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
      expect(Number(u.must_change_password)).toBe(1);
    }
    const sms = await db().selectFrom('sms_outbox').selectAll().where('patient_id', 'in', patients.map((p) => p.id)).execute();
    expect(sms).toHaveLength(5);
    for (const m of sms) {
      expect(m.kind).toBe('credentials');
      expect(m.status).toBe('queued');
      expect(m.body).toContain('Облако здоровья');
      expect(m.body).toContain('http://127.0.0.1:8780/');
    }
    // The log file has every message, the passwords masked.
    const logLines = fs.readFileSync(path.join(server.db.dataDir, 'sms-outbox.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; patientId: string });
    for (const m of sms) {
      const line = logLines.find((l) => l.patientId === m.patient_id);
      expect(line?.text).toBe(maskSecrets(m.body));
      const secret = /пароль ([a-z2-9]{16})/.exec(m.body)?.[1] ?? '';
      expect(secret).toHaveLength(16);
      expect(line?.text).not.toContain(secret);
    }

    // The batch is imported, and the physician's pull delivers the new status.
    const batch = await call<{ status: string }>(server.url, 'GET', `/api/referral-batches/${batchId}`, { token: world.physicianA.token });
    expect(batch.body.status).toBe('imported');
    const pull = await call<{ changes: { entity: string; id: string; op: string; data?: { status?: string } }[] }>(server.url, 'POST', '/api/sync/pull', { token: world.physicianA.token, body: { since: 0, limit: 1000 } });
    const pulled = pull.body.changes.find((c) => c.entity === 'batch' && c.id === batchId);
    expect(pulled?.op).toBe('put');

    // Audit: start, one event per chunk with counts only, end.
    const events = await db().selectFrom('audit_events').select(['action', 'details']).where('entity_id', '=', batchId).where('action', 'like', 'referral.import.%').orderBy('seq').execute();
    expect(events.map((e) => e.action)).toEqual(['referral.import.start', 'referral.import.chunk', 'referral.import.end']);
    expect(JSON.parse(events[1]?.details ?? '{}')).toEqual({ rows: 5, created: 5, linked: 0, skipped: 0, rejected: 0 });
    for (const e of events) expect(e.details ?? '').not.toContain('Строкова');
  });

  it('a second commit (a double click, a retry) creates nothing', async () => {
    const before = { patients: await count('patients'), requests: await count('consultation_requests'), users: await count('users'), sms: await count('sms_outbox'), rows: await count('batch_import_rows') };
    const [a, b] = await Promise.all([
      call<Progress>(server.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: world.manager.token }),
      call<Progress>(server.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: world.manager.token }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body).toMatchObject({ status: 'imported', done: 5, created: 5 });
    expect(await count('patients')).toBe(before.patients);
    expect(await count('consultation_requests')).toBe(before.requests);
    expect(await count('users')).toBe(before.users);
    expect(await count('sms_outbox')).toBe(before.sms);
    expect(await count('batch_import_rows')).toBe(before.rows);
  });

  it('a double click on a fresh batch imports it once', async () => {
    const id = (await referralBatch(server, world.physicianB.actor, batchInput(30))).id;
    const before = await count('patients');
    const res = await Promise.all(Array.from({ length: 4 }, () => call<Progress>(server.url, 'POST', `/api/referral-batches/${id}/commit`, { token: world.manager.token })));
    for (const r of res) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitImported(id);
    expect(done).toMatchObject({ done: 30, created: 30 });
    expect(await count('patients')).toBe(before + 30);
  });

  it('the patient signs in once with the SMS password, must replace it, and it is spent', async () => {
    const outbox = await call<{ items: { patientId: string; kind: string; text: string; masked: boolean }[] }>(server.url, 'GET', '/api/sms-outbox?limit=500', { token: world.manager.token });
    expect(outbox.status).toBe(200);
    const patient = await db().selectFrom('patients').select('id').where('batch_id', '=', batchId).orderBy('batch_row').executeTakeFirstOrThrow();
    const message = outbox.body.items.find((m) => m.patientId === patient.id && m.kind === 'credentials');
    expect(message?.masked).toBe(false);
    const m = /логин (p\d{8}) пароль ([a-z2-9]{16})/.exec(message?.text ?? '');
    expect(m, message?.text).not.toBeNull();
    const [, login = '', secret = ''] = m ?? [];

    const first = await call<{ token: string; user: { mustChangePassword: boolean; patientId: string } }>(server.url, 'POST', '/api/auth/login', { body: { login, password: secret } });
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ mustChangePassword: true, patientId: patient.id });
    const token = first.body.token;
    const blocked = await call(server.url, 'GET', `/api/patients/${patient.id}`, { token });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    // Accepted once: a second sign-in with the same one-time password fails.
    const again = await call(server.url, 'POST', '/api/auth/login', { body: { login, password: secret } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('INVALID_CREDENTIALS');
    // The session it opened may replace it.
    const changed = await call(server.url, 'POST', '/api/auth/change-password', { token, body: { currentPassword: secret, newPassword: 'моё-новое-пароль-123' } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await call(server.url, 'GET', `/api/patients/${patient.id}`, { token })).status).toBe(200);
    expect((await call(server.url, 'POST', '/api/auth/login', { body: { login, password: secret } })).status).toBe(401);
    const next = await call<{ user: { mustChangePassword: boolean } }>(server.url, 'POST', '/api/auth/login', { body: { login, password: 'моё-новое-пароль-123' } });
    expect(next.status).toBe(200);
    expect(next.body.user.mustChangePassword).toBe(false);
    const row = await db().selectFrom('users').select(['password_kind', 'password_hash']).where('login', '=', login).executeTakeFirstOrThrow();
    expect(row.password_kind).toBe('argon2id');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const stage = await db().selectFrom('patients').select('stage').where('id', '=', patient.id).executeTakeFirstOrThrow();
    expect(stage.stage).toBe('signed_in');
  });

  it('cancelled between chunks: whole chunks only, the batch is open again, a new commit finishes it', async () => {
    const id = (await referralBatch(server, world.physicianA.actor, batchInput(40))).id;
    const ctx = { ...server.api.ctx, config: { ...server.api.ctx.config, importChunkRows: 7 } };
    const handle = await commitBatchImport(ctx, world.manager.actor, id, { undecided: 'refuse' });
    expect(cancelBatchImport(id)).toBe(true);
    await handle.finished;
    const p = await importProgress(db(), id);
    expect(p.status).toBe('sent');
    expect(p.running).toBe(false);
    expect(p.done % 7).toBe(0);
    expect(p.done).toBeLessThan(40);
    const made = await db().selectFrom('patients').select('id').where('batch_id', '=', id).execute();
    expect(made).toHaveLength(p.created);
    const again = await commitBatchImport(ctx, world.manager.actor, id, { undecided: 'refuse' });
    await again.finished;
    expect(await importProgress(db(), id)).toMatchObject({ status: 'imported', done: 40, created: 40 });
    expect(cancelBatchImport(id)).toBe(false);
  });

  it('outside demo mode the outbox masks passwords', async () => {
    const page = await listSmsOutbox(db(), world.manager.actor, { limit: 500, offset: 0, demo: false });
    expect(page.items.length).toBeGreaterThan(0);
    for (const m of page.items.filter((x) => x.kind === 'credentials')) {
      expect(m.masked).toBe(true);
      expect(m.text).toMatch(/пароль ••••••••/);
      expect(m.text).not.toMatch(/пароль [a-z2-9]{16}/);
    }
  });
});

describe('duplicates and decisions', () => {
  it('finds candidates by each rule and honours the decisions', async () => {
    const snils = makeSnils(Math.random);
    const enp = makeEnp(Math.random);
    const bySnils = await referral(server, world.physicianB.actor, 'bakulev', { snils });
    const byEnp = await referral(server, world.physicianB.actor, 'bakulev', { enp });
    const ident = { lastName: 'Дублева', firstName: 'Ольга', birthDate: '1979-09-09', phone: '+79161112233' };
    const byIdentity = await referral(server, world.physicianB.actor, 'bakulev', { ...ident, sex: 'female' });

    const input = batchInput(0);
    // To another centre than the candidates' open requests: a new request, so `link` by default.
    const toKulakov = { centre: 'kulakov', profile: 'fetal_malformations', icd10: 'O35.0', pregnancyWeeks: 22 } as const;
    input.rows = [
      batchRow(2, { snils, ...toKulakov }),
      batchRow(3, { enp, ...toKulakov }),
      batchRow(4, { ...ident, middleName: null }),
      batchRow(5),
      batchRow(6),
    ];
    const id = (await referralBatch(server, world.physicianA.actor, input)).id;

    const dup = await call<{ rows: { row: number; candidates: { id: string; why: string[] }[]; defaultDecision: string | null; defaultPatientId: string | null }[]; undecided: number[] }>(
      server.url, 'GET', `/api/referral-batches/${id}/duplicates`, { token: world.manager.token },
    );
    expect(dup.status, JSON.stringify(dup.body)).toBe(200);
    const row = (n: number) => dup.body.rows.find((r) => r.row === n);
    expect(row(2)?.candidates.map((c) => [c.id, c.why])).toEqual([[bySnils.patientId, ['snils']]]);
    expect(row(2)).toMatchObject({ defaultDecision: 'link', defaultPatientId: bySnils.patientId });
    expect(row(3)?.candidates.map((c) => [c.id, c.why])).toEqual([[byEnp.patientId, ['enp']]]);
    expect(row(3)).toMatchObject({ defaultDecision: 'link', defaultPatientId: byEnp.patientId });
    expect(row(4)?.candidates.map((c) => [c.id, c.why])).toEqual([[byIdentity.patientId, ['name_birth_phone']]]);
    expect(row(4)?.defaultDecision).toBeNull();
    expect(row(5)).toMatchObject({ candidates: [], defaultDecision: 'create' });
    expect(dup.body.undecided).toEqual([4]);

    // An undecided duplicate refuses the commit, and nothing starts.
    const refused = await call(server.url, 'POST', `/api/referral-batches/${id}/commit`, { token: world.manager.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INVALID_STATE');
    expect(refused.body.error.message).toContain('4');
    const still = await call<{ status: string }>(server.url, 'GET', `/api/referral-batches/${id}`, { token: world.manager.token });
    expect(still.body.status).toBe('sent');

    // Bad decisions: refused whole, nothing written.
    const decisionsBefore = await count('batch_import_decisions');
    const post = (decisions: unknown) => call(server.url, 'POST', `/api/referral-batches/${id}/decisions`, { token: world.manager.token, body: { decisions } });
    const unknownRow = await post([{ row: 6, decision: 'skip' }, { row: 99, decision: 'skip' }]);
    expect(unknownRow.status).toBe(400);
    expect(unknownRow.body.error.code).toBe('VALIDATION_FAILED');
    const noPatient = await post([{ row: 6, decision: 'skip' }, { row: 4, decision: 'link', patientId: crypto.randomUUID() }]);
    expect(noPatient.status).toBe(404);
    expect(noPatient.body.error.code).toBe('NOT_FOUND');
    const linkWithout = await post([{ row: 4, decision: 'link' }]);
    expect(linkWithout.status).toBe(400);
    expect(linkWithout.body.error.code).toBe('VALIDATION_FAILED');
    const twice = await post([{ row: 6, decision: 'skip' }, { row: 6, decision: 'create' }]);
    expect(twice.status).toBe(400);
    const badKind = await post([{ row: 6, decision: 'merge' }]);
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.code).toBe('VALIDATION_FAILED');
    expect(await count('batch_import_decisions')).toBe(decisionsBefore);

    const saved = await post([{ row: 4, decision: 'link', patientId: byIdentity.patientId }, { row: 6, decision: 'skip' }]);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toEqual({ saved: 2 });

    const patientsBefore = await count('patients');
    const started = await call(server.url, 'POST', `/api/referral-batches/${id}/commit`, { token: world.manager.token });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const done = await waitImported(id);
    expect(done).toMatchObject({ status: 'imported', total: 5, done: 5, created: 1, linked: 3, skipped: 1, rejected: 0 });
    const outcome = (n: number) => done.rows.find((r) => r.row === n);
    expect(outcome(2)).toMatchObject({ outcome: 'linked', patientId: bySnils.patientId });
    expect(outcome(3)).toMatchObject({ outcome: 'linked', patientId: byEnp.patientId });
    expect(outcome(4)).toMatchObject({ outcome: 'linked', patientId: byIdentity.patientId });
    expect(outcome(5)?.outcome).toBe('created');
    expect(outcome(6)).toMatchObject({ outcome: 'skipped', patientId: null, requestId: null });
    expect(await count('patients')).toBe(patientsBefore + 1);

    // A link attaches a new referral request to the existing patient, referred by this batch's physician.
    const requests = await db().selectFrom('consultation_requests').selectAll().where('patient_id', '=', byIdentity.patientId).orderBy('created_at').execute();
    expect(requests).toHaveLength(2);
    expect(requests.find((r) => r.id === outcome(4)?.requestId)).toMatchObject({ source: 'referral', referred_by: world.physicianA.id });
    // …and physician A now sees that patient (through the request they referred).
    const seen = await call(server.url, 'GET', `/api/patients/${byIdentity.patientId}`, { token: world.physicianA.token });
    expect(seen.status).toBe(200);
    // A linked patient gets no new account or SMS.
    const accounts = await db().selectFrom('users').select('id').where('patient_id', '=', byIdentity.patientId).execute();
    expect(accounts).toHaveLength(0);

    // After the import, decisions are closed.
    const late = await post([{ row: 6, decision: 'create' }]);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('INVALID_STATE');
  });

  it('two rows of one batch with the same СНИЛС make one patient', async () => {
    const snils = makeSnils(Math.random);
    const input = batchInput(0);
    input.rows = [batchRow(2, { snils }), batchRow(3, { snils })];
    const id = (await referralBatch(server, world.physicianA.actor, input)).id;
    expect((await call(server.url, 'POST', `/api/referral-batches/${id}/commit`, { token: world.manager.token })).status).toBe(200);
    const done = await waitImported(id);
    expect(done).toMatchObject({ created: 1, linked: 1 });
    expect(done.rows[1]?.patientId).toBe(done.rows[0]?.patientId);
  });

  it('a physician cannot read or commit the import; a batch nobody may see is 404', async () => {
    const id = (await referralBatch(server, world.physicianA.actor, batchInput(1))).id;
    const phys = await call(server.url, 'POST', `/api/referral-batches/${id}/commit`, { token: world.physicianA.token });
    expect(phys.status).toBe(403);
    const missing = await call(server.url, 'POST', `/api/referral-batches/${crypto.randomUUID()}/commit`, { token: world.manager.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const token = await loginAs(server.url, world.manager.login, 'correct-horse-battery');
    expect((await call(server.url, 'GET', `/api/referral-batches/${id}/import`, { token })).body.status).toBe('sent');
  });
});
