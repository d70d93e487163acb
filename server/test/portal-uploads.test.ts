import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_MAX_BYTES } from '../../shared/domain/documents.js';
import { UPLOAD_CHUNK_BYTES } from '../../shared/domain/portal.js';
import { buildCentralApi, type CentralApi } from '../http/app.js';
import { CONSENT_VERSION } from '../modules/consent.js';
import { sweepStaleUploads } from '../modules/uploads.js';
import { call, createTestDatabase, loginAs, testConfig, type TestDatabase, type TestServer } from './harness.js';
import { buildWorld, PASSWORD, pdfBytes, uploadPath, type World } from './world.js';

/**
 * Consent before a patient's upload, and resumable chunked uploads: the limit checked at the
 * start, resume after a dropped chunk, survival of a restart, a renamed program refused at the
 * first chunk. The server is built by hand so the restart test can build it again on the same
 * database and data directory.
 */
let db: TestDatabase;
let api: CentralApi;
let server: TestServer;
let world: World;

async function listen(): Promise<void> {
  api = await buildCentralApi(testConfig(db));
  const url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  server = { api, url, db, close: async () => api.close() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  await listen();
  world = await buildWorld(server);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

/** A PDF-looking file of `size` bytes, unique. */
function pdfOf(size: number): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% ${crypto.randomUUID()}\n`, 'latin1');
  return Buffer.concat([head, crypto.randomBytes(size - head.length)]);
}
const start = (token: string, patientId: string, body: Record<string, unknown>) => call(server.url, 'POST', `/api/patients/${patientId}/uploads`, { token, body });
const chunk = (token: string, id: string, offset: number, bytes: Uint8Array) => call(server.url, 'PUT', `/api/uploads/${id}?offset=${offset}`, { token, bytes });
const complete = (token: string, id: string) => call(server.url, 'POST', `/api/uploads/${id}/complete`, { token });
const partFile = (id: string) => path.join(db.dataDir, 'uploads', `${id}.part`);

async function sendAll(token: string, id: string, file: Buffer, from = 0): Promise<void> {
  for (let off = from; off < file.length; off += UPLOAD_CHUNK_BYTES) {
    const r = await chunk(token, id, off, file.subarray(off, off + UPLOAD_CHUNK_BYTES));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.received).toBe(Math.min(file.length, off + UPLOAD_CHUNK_BYTES));
  }
}

describe('consent before upload', () => {
  it('refuses both upload routes until the patient consents to the current text', async () => {
    const t = world.patientA.token;
    const single = await call(server.url, 'POST', uploadPath(world.pA.patientId, { consent: false }), { token: t, bytes: pdfBytes() });
    expect(single.status).toBe(403);
    expect(single.body.error.code).toBe('CONSENT_REQUIRED');
    expect(single.body.error.message).toMatch(/согласие на обработку персональных данных/);
    const chunked = await start(t, world.pA.patientId, { id: crypto.randomUUID(), type: 'ecg', fileName: 'ЭКГ.pdf', size: 1000 });
    expect(chunked.status).toBe(403);
    expect(chunked.body.error.code).toBe('CONSENT_REQUIRED');

    const text = await call(server.url, 'GET', '/api/consent/text');
    expect(text.body.version).toBe(CONSENT_VERSION);
    expect(text.body.text).toMatch(/отозвать согласие/);
    expect((await call(server.url, 'GET', '/api/me/consent', { token: t })).body).toEqual({ version: null, at: null, current: false });
    const stale = await call(server.url, 'POST', '/api/me/consent', { token: t, body: { version: '2020-01', agree: true } });
    expect(stale.status).toBe(409);
    const given = await call(server.url, 'POST', '/api/me/consent', { token: t, body: { version: CONSENT_VERSION, agree: true } });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ version: CONSENT_VERSION, current: true });
    const rows = await api.ctx.db.kysely.selectFrom('patient_consents').selectAll().where('patient_id', '=', world.pA.patientId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.user_id).toBe(world.patientA.id);
    const audited = await api.ctx.db.kysely.selectFrom('audit_events').select('action').where('action', '=', 'consent.give').where('patient_id', '=', world.pA.patientId).execute();
    expect(audited).toHaveLength(1);

    expect((await call(server.url, 'POST', uploadPath(world.pA.patientId, { consent: false }), { token: t, bytes: pdfBytes() })).status).toBe(200);
    expect((await start(t, world.pA.patientId, { id: crypto.randomUUID(), type: 'ecg', fileName: 'ЭКГ.pdf', size: 1000 })).status).toBe(200);
  });
});

describe('chunked upload', () => {
  it('refuses a file over the limit at the start, before a byte is sent', async () => {
    const id = crypto.randomUUID();
    const r = await start(world.patientA.token, world.pA.patientId, { id, type: 'ct_mri', fileName: 'КТ.dcm', size: DOCUMENT_MAX_BYTES + 1 });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(r.body.error.message).toMatch(/принимаются файлы до 50 МБ/);
    expect(await api.ctx.db.kysely.selectFrom('upload_sessions').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect(fs.existsSync(partFile(id))).toBe(false);
  });

  it('uploads in chunks, records the document like the single-shot route, completes idempotently', async () => {
    const t = world.patientA.token;
    const file = pdfOf(2 * UPLOAD_CHUNK_BYTES + 12345);
    const id = crypto.randomUUID();
    const s = await start(t, world.pA.patientId, { id, type: 'discharge_summary', fileName: 'Выписка.pdf', size: file.length });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body).toMatchObject({ id, received: 0, chunkBytes: UPLOAD_CHUNK_BYTES, state: 'open', documentId: null });
    await sendAll(t, id, file);
    const done = await complete(t, id);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ id, patientId: world.pA.patientId, type: 'discharge_summary', mime: 'application/pdf', size: file.length, uploadedByRole: 'patient' });
    expect(done.body.sha256).toBe(crypto.createHash('sha256').update(file).digest('hex'));
    expect(fs.existsSync(partFile(id))).toBe(false);
    const content = await fetch(`${server.url}/api/documents/${id}/content`, { headers: { authorization: `Bearer ${t}` } });
    expect(Buffer.from(await content.arrayBuffer()).equals(file)).toBe(true);
    const again = await complete(t, id);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
    expect((await call(server.url, 'GET', `/api/uploads/${id}`, { token: t })).body).toMatchObject({ state: 'complete', documentId: id, received: file.length });
    const docs = await api.ctx.db.kysely.selectFrom('documents').select('id').where('id', '=', id).execute();
    expect(docs).toHaveLength(1);
    const audit = await api.ctx.db.kysely.selectFrom('audit_events').select(['action', 'result']).where('entity_id', '=', id).where('action', '=', 'document.upload').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
    // Starting the same id again returns the finished session.
    const restart = await start(t, world.pA.patientId, { id, type: 'discharge_summary', fileName: 'Выписка.pdf', size: file.length });
    expect(restart.body).toMatchObject({ state: 'complete', documentId: id });
  });

  it('resumes after a dropped chunk: a wrong offset is told the received count, a repeat is acknowledged', async () => {
    const t = world.patientA.token;
    const file = pdfOf(3 * UPLOAD_CHUNK_BYTES);
    const id = crypto.randomUUID();
    await start(t, world.pA.patientId, { id, type: 'ecg', fileName: 'ЭКГ.pdf', size: file.length });
    expect((await chunk(t, id, 0, file.subarray(0, UPLOAD_CHUNK_BYTES))).status).toBe(200);
    // The second chunk was lost on the way; the client sends the third.
    const skipped = await chunk(t, id, 2 * UPLOAD_CHUNK_BYTES, file.subarray(2 * UPLOAD_CHUNK_BYTES));
    expect(skipped.status).toBe(409);
    expect(skipped.body.error.code).toBe('CONFLICT');
    expect(skipped.body.error.message).toContain(`с позиции ${UPLOAD_CHUNK_BYTES}`);
    // The answer to the first chunk was lost; the client sends it again: acknowledged, nothing appended.
    const repeat = await chunk(t, id, 0, file.subarray(0, UPLOAD_CHUNK_BYTES));
    expect(repeat.status).toBe(200);
    expect(repeat.body.received).toBe(UPLOAD_CHUNK_BYTES);
    // Starting again (same id) tells where to continue.
    const resumed = await start(t, world.pA.patientId, { id, type: 'ecg', fileName: 'ЭКГ.pdf', size: file.length });
    expect(resumed.body.received).toBe(UPLOAD_CHUNK_BYTES);
    const early = await complete(t, id);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/не полностью/);
    await sendAll(t, id, file, UPLOAD_CHUNK_BYTES);
    const done = await complete(t, id);
    expect(done.status).toBe(200);
    expect(done.body.sha256).toBe(crypto.createHash('sha256').update(file).digest('hex'));
  });

  it('refuses a renamed program at the first chunk and closes the session', async () => {
    const t = world.patientA.token;
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), crypto.randomBytes(4000)]);
    const id = crypto.randomUUID();
    expect((await start(t, world.pA.patientId, { id, type: 'ecg', fileName: 'ЭКГ.pdf', size: exe.length })).status).toBe(200);
    const r = await chunk(t, id, 0, exe);
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(r.body.error.message).toMatch(/PDF, JPEG, PNG или DICOM/);
    expect(fs.existsSync(partFile(id))).toBe(false);
    const next = await chunk(t, id, 0, pdfOf(1000));
    expect(next.status).toBe(415);
    expect((await complete(t, id)).status).toBe(415);
    const audit = await api.ctx.db.kysely.selectFrom('audit_events').select('result').where('entity_id', '=', id).where('action', '=', 'document.upload.chunk').execute();
    expect(audit.map((a) => a.result)).toContain('error');
  });

  it('keeps sessions to their uploader; a physician uploads for a consented patient of theirs', async () => {
    const file = pdfOf(5000);
    const id = crypto.randomUUID();
    const s = await start(world.physicianA.token, world.pA.patientId, { id, type: 'ecg', fileName: 'ЭКГ.pdf', size: file.length });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect((await call(server.url, 'GET', `/api/uploads/${id}`, { token: world.patientB.token })).status).toBe(404);
    expect((await chunk(world.manager.token, id, 0, file)).status).toBe(404);
    expect((await chunk(world.physicianA.token, id, 0, file)).status).toBe(200);
    const done = await complete(world.physicianA.token, id);
    expect(done.status).toBe(200);
    expect(done.body.uploadedByRole).toBe('physician');
    expect(done.body.consentBasis).toMatch(/Согласие пациента в личном кабинете/);
    // Patient B has not consented: their physician is told what to do instead.
    const b = await start(world.physicianB.token, world.pB.patientId, { id: crypto.randomUUID(), type: 'ecg', fileName: 'ЭКГ.pdf', size: 100 });
    expect(b.status).toBe(403);
    expect(b.body.error.code).toBe('CONSENT_REQUIRED');
    // Another physician's patient: 403, as for the single-shot route.
    expect((await start(world.physicianB.token, world.pA.patientId, { id: crypto.randomUUID(), type: 'ecg', fileName: 'ЭКГ.pdf', size: 100 })).status).toBe(403);
  });

  it('survives a server restart: what was received stays, the upload continues', async () => {
    const file = pdfOf(2 * UPLOAD_CHUNK_BYTES + 10);
    const id = crypto.randomUUID();
    let t = world.patientA.token;
    await start(t, world.pA.patientId, { id, type: 'ecg', fileName: 'ЭКГ.pdf', size: file.length });
    expect((await chunk(t, id, 0, file.subarray(0, UPLOAD_CHUNK_BYTES))).status).toBe(200);
    await api.close();
    await listen();
    expect(await sweepStaleUploads(api.ctx)).toBe(0);
    t = await loginAs(server.url, world.patientA.login, PASSWORD);
    const status = await call(server.url, 'GET', `/api/uploads/${id}`, { token: t });
    expect(status.status).toBe(200);
    expect(status.body.received).toBe(UPLOAD_CHUNK_BYTES);
    await sendAll(t, id, file, UPLOAD_CHUNK_BYTES);
    expect((await complete(t, id)).status).toBe(200);
  });

  it('sweeps sessions left open for a day, with their temporary files', async () => {
    const t = await loginAs(server.url, world.patientA.login, PASSWORD);
    const id = crypto.randomUUID();
    await start(t, world.pA.patientId, { id, type: 'ecg', fileName: 'ЭКГ.pdf', size: 5000 });
    expect((await chunk(t, id, 0, pdfOf(5000).subarray(0, 1000))).status).toBe(200);
    expect(fs.existsSync(partFile(id))).toBe(true);
    expect(await sweepStaleUploads(api.ctx, Date.now() + 25 * 3_600_000)).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(partFile(id))).toBe(false);
    expect((await call(server.url, 'GET', `/api/uploads/${id}`, { token: t })).status).toBe(404);
  });
});
