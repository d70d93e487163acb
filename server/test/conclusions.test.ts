import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conclusion, ConclusionContent, ConclusionIssue, ConclusionVerification } from '../../shared/domain/conclusions.js';
import type { MutationName, MutationResult } from '../../shared/sync/protocol.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, type World } from './world.js';

/**
 * Issuing conclusions through the sync push, as the desktop does: who may, versions and
 * corrections, immutability, the effects (request, stage, notifications, SMS), the PDF download
 * per role, and public verification by code and by file.
 */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
  await server.api.ctx.db.kysely.updateTable('users').set({ post: 'врач — сердечно-сосудистый хирург' }).where('id', '=', world.doctorBakulev.id).execute();
});
afterAll(async () => server?.close());

type Pushed = { results: MutationResult[]; lastMutationId: number };
const push = (token: string, clientId: string, mutations: { id: number; name: MutationName; args: unknown }[]) =>
  call<Pushed>(server.url, 'POST', '/api/sync/push', { token, body: { clientId, mutations } });

/** One `conclusion.issue` from a fresh install; the single result. */
async function issue(token: string, args: ConclusionIssue): Promise<MutationResult> {
  const res = await push(token, crypto.randomUUID(), [{ id: 1, name: 'conclusion.issue', args }]);
  expect(res.status).toBe(200);
  return res.body.results[0]!;
}

function applied(r: MutationResult): Conclusion {
  if (r.status !== 'applied') throw new Error(`not applied: ${JSON.stringify(r)}`);
  return r.result as Conclusion;
}

function rejectedCode(r: MutationResult): string {
  if (r.status !== 'rejected') throw new Error(`not rejected: ${JSON.stringify(r)}`);
  return r.error.code;
}

function content(overrides: Partial<ConclusionContent> = {}): ConclusionContent {
  return {
    complaints: 'Давящие боли за грудиной при ходьбе.',
    anamnesis: 'Болеет с 2019 года.',
    documentsReviewed: [{ documentId: null, title: 'Выписка № 12 от 01.11.2026' }],
    mainDiagnosis: { icd10: 'I25.1', text: 'Атеросклеротическая болезнь сердца' },
    secondaryDiagnoses: [],
    conclusion: 'Показано аортокоронарное шунтирование.',
    recommendations: 'Приём статинов.',
    outcome: 'conclusion',
    proposedDates: [],
    ...overrides,
  };
}

function issueArgs(requestId: string, overrides: Partial<ConclusionIssue> = {}): ConclusionIssue {
  return { id: crypto.randomUUID(), requestId, consultationId: null, content: content(), correctsId: null, ...overrides };
}

async function getPdf(token: string, id: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${server.url}/api/conclusions/${id}/pdf`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const verifyPdf = (bytes: Uint8Array) =>
  call<ConclusionVerification>(server.url, 'POST', '/api/conclusions/verify', { bytes, headers: { 'content-type': 'application/octet-stream' } });
const verifyCode = (code: string) => call<ConclusionVerification>(server.url, 'GET', `/api/conclusions/verify/${code}`);
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const db = () => server.api.ctx.db.kysely;

let first: Conclusion;
let second: Conclusion;

describe('conclusion.issue', () => {
  it('refuses a doctor of another centre, a physician, and a manager', async () => {
    expect(rejectedCode(await issue(world.doctorKulakov.token, issueArgs(world.pA.requestId)))).toBe('NOT_FOUND');
    expect(rejectedCode(await issue(world.physicianA.token, issueArgs(world.pA.requestId)))).toBe('FORBIDDEN');
    expect(rejectedCode(await issue(world.manager.token, issueArgs(world.pA.requestId)))).toBe('FORBIDDEN');
    const rows = await db().selectFrom('conclusions').select('id').where('request_id', '=', world.pA.requestId).execute();
    expect(rows).toEqual([]);
  });

  it('refuses invalid content with the field named', async () => {
    const r = await issue(world.doctorBakulev.token, issueArgs(world.pA.requestId, { content: content({ conclusion: '' }) }));
    expect(rejectedCode(r)).toBe('VALIDATION_FAILED');
    const invitation = await issue(world.doctorBakulev.token, issueArgs(world.pA.requestId, { content: content({ outcome: 'invitation', proposedDates: [] }) }));
    expect(rejectedCode(invitation)).toBe('VALIDATION_FAILED');
    const foreignDoc = await issue(
      world.doctorBakulev.token,
      issueArgs(world.pA.requestId, { content: content({ documentsReviewed: [{ documentId: crypto.randomUUID(), title: 'ЭКГ' }] }) }),
    );
    expect(rejectedCode(foreignDoc)).toBe('VALIDATION_FAILED');
  });

  it('issues version 1 with a PDF, a code, and moves the request and the patient stage', async () => {
    const args = issueArgs(world.pA.requestId);
    const clientId = crypto.randomUUID();
    const res = await push(world.doctorBakulev.token, clientId, [{ id: 1, name: 'conclusion.issue', args }]);
    first = applied(res.body.results[0]!);
    expect(first).toMatchObject({
      id: args.id,
      requestId: world.pA.requestId,
      patientId: world.pA.patientId,
      centre: 'bakulev',
      version: 1,
      outcome: 'conclusion',
      doctorId: world.doctorBakulev.id,
      doctorName: 'doc-bakulev',
      doctorPost: 'врач — сердечно-сосудистый хирург',
      supersededBy: null,
      correctsId: null,
    });
    expect(first.verificationCode).toMatch(/^[0-9a-f]{64}$/);
    expect(first.pdfSha256).toMatch(/^[0-9a-f]{64}$/);

    const request = await db().selectFrom('consultation_requests').select(['status', 'assigned_doctor_id']).where('id', '=', world.pA.requestId).executeTakeFirstOrThrow();
    expect(request).toEqual({ status: 'conclusion_issued', assigned_doctor_id: world.doctorBakulev.id });
    const patient = await db().selectFrom('patients').select('stage').where('id', '=', world.pA.patientId).executeTakeFirstOrThrow();
    expect(patient.stage).toBe('conclusion_issued');

    // A replay of the same push is the stored answer; a re-send from another install is the same conclusion.
    const replay = await push(world.doctorBakulev.token, clientId, [{ id: 1, name: 'conclusion.issue', args }]);
    expect(replay.body.results[0]).toMatchObject({ status: 'applied', replayed: true });
    expect(applied(await issue(world.doctorBakulev.token, args))).toEqual(first);
    const rows = await db().selectFrom('conclusions').select('id').where('request_id', '=', world.pA.requestId).execute();
    expect(rows).toHaveLength(1);
  });

  it('tells the patient and the referring physician, and queues one SMS without medical details', async () => {
    const notes = await db().selectFrom('notifications').selectAll().where('kind', '=', 'conclusion.issued').execute();
    const byUser = new Map(notes.map((n) => [n.user_id, JSON.parse(n.payload) as Record<string, unknown>]));
    expect([...byUser.keys()].sort()).toEqual([world.patientA.id, world.physicianA.id].sort());
    for (const payload of byUser.values()) {
      expect(payload).toMatchObject({ patientId: world.pA.patientId, requestId: world.pA.requestId, conclusionId: first.id, title: 'Готово заключение' });
    }
    const sms = await db().selectFrom('sms_outbox').selectAll().where('patient_id', '=', world.pA.patientId).where('kind', '=', 'conclusion').execute();
    expect(sms).toHaveLength(1);
    expect(sms[0]!.body).toBe(`Облако здоровья: готово заключение по вашей консультации. Войдите: ${server.api.ctx.config.publicUrl}`);
    expect(sms[0]!.status).toBe('queued');
    // The outbox gateway's after-commit step wrote its log line.
    const log = fs.readFileSync(path.join(server.db.dataDir, 'sms-outbox.log'), 'utf8');
    expect(log).toContain(sms[0]!.id);
  });

  it('refuses a second conclusion that is not a correction', async () => {
    expect(rejectedCode(await issue(world.doctorBakulev.token, issueArgs(world.pA.requestId)))).toBe('CONFLICT');
  });

  it('issues a correction as version 2; the corrected version is kept and marked superseded', async () => {
    second = applied(await issue(world.doctorBakulev.token, issueArgs(world.pA.requestId, { correctsId: first.id, content: content({ recommendations: 'Приём статинов; контроль через месяц.' }) })));
    expect(second).toMatchObject({ version: 2, correctsId: first.id, supersededBy: null });
    expect(second.verificationCode).not.toBe(first.verificationCode);
    const old = await db().selectFrom('conclusions').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(old.superseded_by).toBe(second.id);
    expect(old.verification_code).toBe(first.verificationCode);
    expect(old.pdf_sha256).toBe(first.pdfSha256);

    // Only the current version can be corrected.
    expect(rejectedCode(await issue(world.doctorBakulev.token, issueArgs(world.pA.requestId, { correctsId: first.id })))).toBe('CONFLICT');
    // A correction that points at another request's conclusion is refused.
    expect(rejectedCode(await issue(world.doctorBakulev.token, issueArgs(world.pA.requestId, { correctsId: crypto.randomUUID() })))).toBe('VALIDATION_FAILED');

    const sms = await db().selectFrom('sms_outbox').select('body').where('patient_id', '=', world.pA.patientId).where('kind', '=', 'conclusion').execute();
    expect(sms.map((s) => s.body)).toContain(`Облако здоровья: заключение по вашей консультации обновлено. Войдите: ${server.api.ctx.config.publicUrl}`);
  });

  it('never changes an issued version: re-issuing its id with other content is refused and nothing moves', async () => {
    const before = await db().selectFrom('conclusions').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    const r = await issue(world.doctorBakulev.token, { id: first.id, requestId: world.pA.requestId, consultationId: null, content: content({ conclusion: 'Подменённый текст.' }), correctsId: null });
    expect(rejectedCode(r)).toBe('CONFLICT');
    const other = await issue(world.doctorBakulev.token, { id: second.id, requestId: world.pA.requestId, consultationId: null, content: content({ recommendations: 'Приём статинов; контроль через месяц.' }), correctsId: null });
    expect(rejectedCode(other)).toBe('CONFLICT');
    const after = await db().selectFrom('conclusions').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    const pdf = await getPdf(world.patientA.token, first.id);
    expect(sha256(pdf.bytes)).toBe(first.pdfSha256);
  });

  it('an invitation moves the request to «invited»; a past consultation makes it a video consultation', async () => {
    const now = new Date();
    const consultationId = crypto.randomUUID();
    await db()
      .insertInto('consultations')
      .values({
        id: consultationId,
        request_id: world.pB.requestId,
        doctor_id: world.doctorKulakov.id,
        starts_at: new Date(now.getTime() - 3_600_000).toISOString(),
        ends_at: new Date(now.getTime() - 1_800_000).toISOString(),
        status: 'completed',
        cancel_reason: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        cancelled_by: null,
        rescheduled_from: null,
        reminder_sent_at: null,
      })
      .execute();
    // A consultation of another request is refused.
    expect(rejectedCode(await issue(world.doctorKulakov.token, issueArgs(world.pB.requestId, { consultationId: crypto.randomUUID() })))).toBe('VALIDATION_FAILED');
    const c = applied(
      await issue(
        world.doctorKulakov.token,
        issueArgs(world.pB.requestId, { consultationId, content: content({ mainDiagnosis: { icd10: 'C53.9', text: 'Новообразование шейки матки' }, outcome: 'invitation', proposedDates: ['2026-12-01'] }) }),
      ),
    );
    expect(c).toMatchObject({ outcome: 'invitation', consultationId, centre: 'kulakov' });
    const request = await db().selectFrom('consultation_requests').select('status').where('id', '=', world.pB.requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('invited');
    const stage = await db().selectFrom('patients').select('stage').where('id', '=', world.pB.patientId).executeTakeFirstOrThrow();
    expect(stage.stage).toBe('invited');
    const pdf = await getPdf(world.patientB.token, c.id);
    const file = path.join(server.db.dataDir, 'invitation.pdf');
    fs.writeFileSync(file, pdf.bytes);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('дистанционно, видеосвязь');
    expect(text).toContain('Приглашение на очный приём');
    expect(text).toContain('01.12.2026');
  });
});

describe('reading conclusions', () => {
  it('the PDF goes to the patient, the referring physician, the centre doctor and the manager; 404 for everyone else', async () => {
    for (const who of [world.patientA, world.physicianA, world.doctorBakulev, world.manager]) {
      const res = await getPdf(who.token, first.id);
      expect(res.status, who.login).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(sha256(res.bytes)).toBe(first.pdfSha256);
    }
    for (const who of [world.patientB, world.physicianB, world.doctorKulakov]) {
      expect((await getPdf(who.token, first.id)).status, who.login).toBe(404);
    }
    expect((await getPdf(world.admin.token, first.id)).status).toBe(403);
    expect((await getPdf(world.patientA.token, crypto.randomUUID())).status).toBe(404);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: (await getPdf(world.patientA.token, second.id)).bytes, encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('(исправленная версия 2)');
    expect(text).toContain('заочно, по документам');
    expect(text).toContain('врач — сердечно-сосудистый хирург');
  });

  it('lists every version within the role’s sight', async () => {
    const mine = await call<{ items: Conclusion[] }>(server.url, 'GET', `/api/conclusions?requestId=${world.pA.requestId}`, { token: world.patientA.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((c) => [c.version, c.supersededBy])).toEqual([
      [1, second.id],
      [2, null],
    ]);
    const other = await call<{ items: Conclusion[] }>(server.url, 'GET', '/api/conclusions', { token: world.patientB.token });
    expect(other.body.items.every((c) => c.patientId === world.pB.patientId)).toBe(true);
    expect(other.body.items).toHaveLength(1);
    const doctor = await call<{ items: Conclusion[] }>(server.url, 'GET', '/api/conclusions', { token: world.doctorKulakov.token });
    expect(doctor.body.items.map((c) => c.centre)).toEqual(['kulakov']);
  });

  it('syncs issued versions to the audiences of the request', async () => {
    const pulled = await call<{ changes: { entity: string; id: string; op: string }[] }>(server.url, 'POST', '/api/sync/pull', { token: world.physicianA.token, body: { since: 0, limit: 5000 } });
    const ids = pulled.body.changes.filter((c) => c.entity === 'conclusion' && c.op === 'put').map((c) => c.id);
    expect(ids.sort()).toEqual([first.id, second.id].sort());
  });
});

describe('verification (public)', () => {
  it('by code: valid, superseded flagged, unknown refused with a reason', async () => {
    const current = await verifyCode(second.verificationCode);
    expect(current.status).toBe(200);
    expect(current.body).toEqual({ valid: true, conclusionId: second.id, version: 2, issuedAt: second.issuedAt, centre: 'bakulev', superseded: false, reason: null });
    const old = await verifyCode(first.verificationCode);
    expect(old.body).toMatchObject({ valid: true, conclusionId: first.id, version: 1, superseded: true });
    expect(old.body.reason).toMatch(/исправленной версией/);
    const unknown = await verifyCode('0'.repeat(64));
    expect(unknown.body).toMatchObject({ valid: false, conclusionId: null, superseded: false });
    expect(unknown.body.reason).toMatch(/не выдавалось/);
  });

  it('by file: the original is accepted; a changed byte or a re-saved copy is not', async () => {
    const original = (await getPdf(world.patientA.token, second.id)).bytes;
    const ok = await verifyPdf(original);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, conclusionId: second.id, version: 2, superseded: false });

    const tampered = Buffer.from(original);
    const at = Math.floor(tampered.length / 2);
    tampered[at] = tampered[at]! ^ 0x01;
    const changed = await verifyPdf(tampered);
    expect(changed.body).toMatchObject({ valid: false, conclusionId: null });
    expect(changed.body.reason).toMatch(/^Файл не совпадает с выданным заключением/);

    // Opened and saved again by a PDF tool (pdf-lib stamps its producer and the time, as tools do):
    // the same pages, other bytes.
    const resaved = await (await PDFDocument.load(original)).save();
    expect(Buffer.from(resaved).equals(original)).toBe(false);
    expect((await verifyPdf(resaved)).body.valid).toBe(false);
    const notPdf = await verifyPdf(Buffer.from('просто текст'));
    expect(notPdf.body.valid).toBe(false);
  });
});
