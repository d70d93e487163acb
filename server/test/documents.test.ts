import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientDocument } from '../../shared/domain/documents.js';
import type { PullResponse } from '../../shared/sync/protocol.js';
import { BlobStore } from '../documents/blob-store.js';
import { parseRange } from '../modules/documents.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, CONSENT_BASIS, patientInput, pdfBytes, requestInput, uploadPath, type World } from './world.js';

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

const docsDir = () => path.join(server.db.dataDir, 'documents');

/** Every file under the document store, temp files included. */
function filesOnDisk(dir = docsDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOnDisk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const upload = (token: string, patientId: string, bytes: Uint8Array, q: Parameters<typeof uploadPath>[1] = {}) =>
  call<PatientDocument & { error?: { code: string; message: string } }>(server.url, 'POST', uploadPath(patientId, q), { token, bytes });

async function pull(token: string, since = 0): Promise<PullResponse> {
  const res = await call<PullResponse>(server.url, 'POST', '/api/sync/pull', { token, body: { since, limit: 5000 } });
  expect(res.status).toBe(200);
  return res.body;
}
const pulledDocs = (p: PullResponse) => p.changes.flatMap((c) => (c.op === 'put' && c.entity === 'document' ? [c.data] : []));

async function documentRows(patientId: string) {
  return server.api.ctx.db.kysely.selectFrom('documents').selectAll().where('patient_id', '=', patientId).execute();
}

async function auditOf(action: string, entityId?: string) {
  return server.api.ctx.db.kysely
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .$if(entityId !== undefined, (q) => q.where('entity_id', '=', entityId ?? ''))
    .orderBy('seq')
    .execute();
}

describe('documents: upload on the patient’s behalf', () => {
  it('stores the referring physician’s upload once by hash, with consent, and the centre’s doctors see it', async () => {
    const bytes = pdfBytes('ct-study');
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const first = await upload(world.physicianA.token, world.pA.patientId, bytes, { type: 'ct_mri', fileName: 'КТ грудной клетки.pdf' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      patientId: world.pA.patientId,
      type: 'ct_mri',
      fileName: 'КТ грудной клетки.pdf',
      mime: 'application/pdf',
      size: bytes.length,
      sha256,
      uploadedBy: world.physicianA.id,
      uploadedByRole: 'physician',
      uploadedByName: world.physicianA.login,
      consentBasis: CONSENT_BASIS,
    });
    expect(first.body.consentAt).not.toBeNull();
    const final = path.join(docsDir(), sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    expect(fs.readFileSync(final).equals(bytes)).toBe(true);

    // The same bytes again (another attachment of the same file): a second record, one file.
    const second = await upload(world.physicianA.token, world.pA.patientId, bytes, { type: 'ct_mri', fileName: 'копия.pdf' });
    expect(second.status).toBe(200);
    expect(second.body.id).not.toBe(first.body.id);
    expect(filesOnDisk().filter((f) => path.basename(f) === sha256)).toHaveLength(1);
    expect(filesOnDisk().filter((f) => path.relative(docsDir(), f).startsWith(`tmp${path.sep}`))).toEqual([]);

    // The consent is on record in the database: who recorded it, when, on what basis.
    const row = (await documentRows(world.pA.patientId)).find((r) => r.id === first.body.id);
    expect(row).toMatchObject({ consent_recorded_by: world.physicianA.id, consent_basis: CONSENT_BASIS, uploaded_by_role: 'physician' });

    // The centre's doctor pulls the metadata, marked as uploaded by the physician.
    const seen = pulledDocs(await pull(world.doctorBakulev.token)).find((d) => d.id === first.body.id);
    expect(seen).toMatchObject({ uploadedByRole: 'physician', consentBasis: CONSENT_BASIS, sha256, uploadedByName: world.physicianA.login });
    // The other centre does not.
    expect(pulledDocs(await pull(world.doctorKulakov.token)).map((d) => d.id)).not.toContain(first.body.id);

    const audit = await auditOf('document.upload', first.body.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: world.physicianA.id, patient_id: world.pA.patientId, result: 'ok' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ sha256, consent: { basis: CONSENT_BASIS, recordedBy: world.physicianA.id } });
  });

  it('refuses another physician (403), and a physician without the consent', async () => {
    const before = (await documentRows(world.pA.patientId)).length;
    const other = await upload(world.physicianB.token, world.pA.patientId, pdfBytes());
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe('FORBIDDEN');
    const noConsent = await upload(world.physicianA.token, world.pA.patientId, pdfBytes(), { consent: false });
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.error?.code).toBe('VALIDATION_FAILED');
    expect(noConsent.body.error?.message).toMatch(/согласие/);
    const tooShort = await upload(world.physicianA.token, world.pA.patientId, pdfBytes(), { basis: 'ok' });
    expect(tooShort.status).toBe(400);
    expect((await documentRows(world.pA.patientId)).length).toBe(before);
    // A doctor does not upload at all.
    expect((await upload(world.doctorBakulev.token, world.pA.patientId, pdfBytes())).status).toBe(403);
  });

  it('rejects a renamed executable by its bytes: no row, no file', async () => {
    const filesBefore = filesOnDisk();
    const rowsBefore = (await documentRows(world.pA.patientId)).length;
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    const res = await upload(world.physicianA.token, world.pA.patientId, exe, { fileName: 'выписка.pdf', type: 'discharge_summary' });
    expect(res.status).toBe(415);
    expect(res.body.error?.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(res.body.error?.message).toMatch(/PDF, JPEG, PNG или DICOM/);
    expect((await documentRows(world.pA.patientId)).length).toBe(rowsBefore);
    expect(filesOnDisk()).toEqual(filesBefore);
    const refused = (await auditOf('document.upload')).filter((e) => e.result === 'error');
    expect(refused.length).toBeGreaterThan(0);
    expect(JSON.parse(refused.at(-1)?.details ?? '{}')).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });

    // Declared as JSON, or empty: refused too.
    const json = await call(server.url, 'POST', uploadPath(world.pA.patientId), { token: world.physicianA.token, body: { a: 1 } });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const empty = await upload(world.physicianA.token, world.pA.patientId, new Uint8Array());
    expect(empty.status).toBe(400);
    expect(filesOnDisk()).toEqual(filesBefore);
  });

  it('accepts JPEG, PNG and DICOM by their signatures, and keeps only the last part of a file name', async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(64)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(64)]);
    const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), crypto.randomBytes(64)]);
    const cases: [Buffer, string][] = [[jpeg, 'image/jpeg'], [png, 'image/png'], [dicom, 'application/dicom']];
    for (const [bytes, mime] of cases) {
      const res = await upload(world.manager.token, world.pB.patientId, bytes, { type: 'ct_mri', fileName: '../../etc/снимок.bin' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.mime).toBe(mime);
      expect(res.body.fileName).toBe('снимок.bin');
      // The manager may record a consent but need not.
      expect(res.body.uploadedByRole).toBe('manager');
    }
  });

  it('a retried upload with the same id is the same document; other bytes under that id conflict', async () => {
    const id = crypto.randomUUID();
    const bytes = pdfBytes();
    const a = await upload(world.physicianA.token, world.pA.patientId, bytes, { id });
    const b = await upload(world.physicianA.token, world.pA.patientId, bytes, { id });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect((await documentRows(world.pA.patientId)).filter((r) => r.id === id)).toHaveLength(1);
    const c = await upload(world.physicianA.token, world.pA.patientId, pdfBytes(), { id });
    expect(c.status).toBe(409);
  });

  it('moves the patient to documents_complete when the profile’s checklist is covered', async () => {
    const { patientId } = await createPatientAndRequest();
    // Ischemic heart disease (Bakulev): discharge summary, ECG and echo are required; CT optional.
    for (const type of ['discharge_summary', 'ecg']) expect((await upload(world.physicianA.token, patientId, pdfBytes(), { type })).status).toBe(200);
    expect((await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.manager.token })).body.stage).not.toBe('documents_complete');
    expect((await upload(world.physicianA.token, patientId, pdfBytes(), { type: 'echo' })).status).toBe(200);
    expect((await call(server.url, 'GET', `/api/patients/${patientId}`, { token: world.manager.token })).body.stage).toBe('documents_complete');
  });

  it('documents follow the patient’s visibility: a new request at a centre brings them to its doctors', async () => {
    const created = await call<{ id: string }>(server.url, 'POST', '/api/patients', { token: world.physicianA.token, body: patientInput() });
    expect(created.status).toBe(200);
    const patientId = created.body.id;
    const doc = await upload(world.physicianA.token, patientId, pdfBytes());
    expect(doc.status).toBe(200);
    const { cursor } = await pull(world.doctorKulakov.token);
    expect((await call(server.url, 'GET', `/api/documents/${doc.body.id}/content`, { token: world.doctorKulakov.token })).status).toBe(404);
    const request = await call(server.url, 'POST', '/api/requests', { token: world.physicianA.token, body: requestInput(patientId, 'kulakov') });
    expect(request.status).toBe(200);
    const after = await pull(world.doctorKulakov.token, cursor);
    expect(pulledDocs(after).map((d) => d.id)).toContain(doc.body.id);
    expect((await call(server.url, 'GET', `/api/documents/${doc.body.id}/content`, { token: world.doctorKulakov.token })).status).toBe(200);
    // A later edit of the patient does not re-send the unchanged document.
    const again = await pull(world.doctorKulakov.token, after.cursor);
    expect(pulledDocs(again)).toEqual([]);
  });
});

async function createPatientAndRequest() {
  const created = await call<{ id: string }>(server.url, 'POST', '/api/patients', { token: world.physicianA.token, body: patientInput() });
  const req = await call(server.url, 'POST', '/api/requests', { token: world.physicianA.token, body: requestInput(created.body.id, 'bakulev') });
  expect(req.status).toBe(200);
  return { patientId: created.body.id };
}

describe('documents: reading the bytes', () => {
  let doc: PatientDocument;
  let bytes: Buffer;

  beforeAll(async () => {
    bytes = Buffer.concat([pdfBytes('range'), crypto.randomBytes(5000)]);
    const res = await upload(world.physicianA.token, world.pA.patientId, bytes, { type: 'echo' });
    expect(res.status).toBe(200);
    doc = res.body;
  });

  const get = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/documents/${doc.id}/content`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  it('serves the whole file with ETag = SHA-256 and Accept-Ranges, audited as a read', async () => {
    const res = await get(world.doctorBakulev.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${doc.sha256}"`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(bytes)).toBe(true);
    expect(crypto.createHash('sha256').update(body).digest('hex')).toBe(doc.sha256);
    const reads = await auditOf('document.read', doc.id);
    expect(reads.at(-1)).toMatchObject({ actor_id: world.doctorBakulev.id, patient_id: world.pA.patientId, result: 'ok' });
  });

  it('answers a Range with 206 and exactly those bytes', async () => {
    const res = await get(world.physicianA.token, { range: 'bytes=100-1099' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(res.headers.get('etag')).toBe(`"${doc.sha256}"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);

    const tail = await get(world.physicianA.token, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);

    const resume = await get(world.physicianA.token, { range: `bytes=${bytes.length - 3}-` });
    expect(resume.status).toBe(206);
    expect(Buffer.from(await resume.arrayBuffer()).equals(bytes.subarray(bytes.length - 3))).toBe(true);

    // A changed file (If-Range with another ETag): the whole file, not a piece of the wrong one.
    const stale = await get(world.physicianA.token, { range: 'bytes=0-9', 'if-range': '"0000"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it('answers an unsatisfiable Range with 416 and the size', async () => {
    const res = await get(world.physicianA.token, { range: `bytes=${bytes.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('hides the document from those who do not see the patient (404), and audits the refusal', async () => {
    const res = await get(world.physicianB.token);
    expect(res.status).toBe(404);
    const denied = (await auditOf('api.getDocumentContent')).filter((e) => e.actor_id === world.physicianB.id);
    expect(denied.at(-1)?.result).toBe('denied');
  });
});

describe('documents: pieces', () => {
  it('parseRange follows RFC 9110 for one range', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-20', 100)).toEqual({ start: 80, end: 99 });
    expect(parseRange('bytes=-200', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('bytes=9-3', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
  });

  it('the blob store refuses a stream over the limit and leaves nothing behind', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-blobs-'));
    try {
      const store = new BlobStore(root);
      const big = Readable.from([pdfBytes(), Buffer.alloc(4096), Buffer.alloc(4096)]);
      await expect(store.ingest(big, 5000)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(filesOnDisk(root)).toEqual([]);
      // Chunks smaller than the sniffing window are gathered before deciding.
      const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(10)]);
      const pieces = Array.from({ length: dicom.length }, (_, i) => dicom.subarray(i, i + 1));
      const stored = await store.ingest(Readable.from(pieces), 5000);
      expect(stored).toMatchObject({ mime: 'application/dicom', size: dicom.length, created: true });
      expect(fs.readFileSync(store.pathFor(stored.sha256)).equals(dicom)).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a body declared over 50 MiB before reading it', async () => {
    const res = await fetch(server.url + uploadPath(world.pA.patientId), {
      method: 'POST',
      headers: { authorization: `Bearer ${world.physicianA.token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(50 * 1024 * 1024 + 1, 0x25),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
