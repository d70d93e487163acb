import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import { DOCUMENT_MAX_BYTES, DOCUMENT_SNIFF_BYTES, detectDocumentMime, UNSUPPORTED_FILE_MESSAGE, type PatientDocument } from '../../shared/domain/documents.js';
import { UPLOAD_CHUNK_BYTES, type UploadSession } from '../../shared/domain/portal.js';
import type { DocumentTypeCode } from '../../shared/domain/documents.js';
import { audienceOf, type Actor } from '../auth/actor.js';
import { writeTransaction, type AppContext, type WriteScope } from '../context.js';
import type { Database, UploadSessionsTable } from '../db/schema.js';
import type { StoredBlob } from '../documents/blob-store.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { createLogger } from '../logger.js';
import { isVisible } from '../sync/change-log.js';
import { consentOf } from './consent.js';
import { blobStore, checkUpload, recordUpload, toDocument, type UploadMeta } from './documents.js';

const log = createLogger('uploads');

/**
 * Resumable uploads for slow and broken connections: the client starts a session (its own id,
 * the declared size, checked against the limit before a byte is sent), sends chunks of at most
 * UPLOAD_CHUNK_BYTES at the offset the server reports, and completes. The bytes so far live in
 * `<dataDir>/uploads/<id>.part`; the file's size on disk is the truth about `received`, so a
 * server restart loses nothing that was written. The first chunk's bytes decide the file type
 * (a renamed program is refused there and the session closed). Completing streams the file into
 * the blob store and records the document exactly like the single-shot upload.
 */

export const UPLOAD_STALE_HOURS = 24;

type Row = Selectable<UploadSessionsTable>;

function uploadsDir(ctx: AppContext): string {
  return path.join(ctx.config.dataDir, 'uploads');
}

function partPath(ctx: AppContext, id: string): string {
  // Ids are validated UUIDs at the route; the basename is a second guard against a path in an id.
  return path.join(uploadsDir(ctx), `${path.basename(id)}.part`);
}

// One operation at a time per session (one central API per data directory): two chunks at the
// same offset, or a chunk racing the completion, never interleave their writes.
const locks = new Map<string, Promise<unknown>>();
async function withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(id) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(id, tail);
  try {
    return await run;
  } finally {
    if (locks.get(id) === tail) locks.delete(id);
  }
}

async function receivedOnDisk(ctx: AppContext, row: Row): Promise<number> {
  if (row.state === 'complete') return Number(row.size);
  try {
    return (await fsp.stat(partPath(ctx, row.id))).size;
  } catch {
    return 0;
  }
}

function toSession(row: Row, received: number): UploadSession {
  return {
    id: row.id,
    patientId: row.patient_id,
    type: row.doc_type as DocumentTypeCode,
    fileName: row.file_name,
    size: Number(row.size),
    received,
    chunkBytes: UPLOAD_CHUNK_BYTES,
    state: row.state === 'complete' ? 'complete' : 'open',
    documentId: row.document_id,
  };
}

const CLOSED_REJECTED = `Загрузка закрыта: ${UNSUPPORTED_FILE_MESSAGE} Выберите другой файл и начните загрузку заново.`;

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toLocaleString('ru-RU', { maximumFractionDigits: 1 });
}

/** The meta `checkUpload` and `recordUpload` expect, with the consent basis for an upload on the patient's behalf. */
function metaOf(row: Pick<Row, 'doc_type' | 'file_name' | 'consent_basis'>, id?: string): UploadMeta & { id?: string } {
  return {
    type: row.doc_type as DocumentTypeCode,
    fileName: row.file_name,
    ...(row.consent_basis ? { consentObtained: 'true' as const, consentBasis: row.consent_basis } : {}),
    ...(id ? { id } : {}),
  };
}

/**
 * Who may upload for this patient, as for the single-shot route (`checkUpload`). A physician's
 * chunked upload carries no consent fields: it relies on the patient's own consent given in the
 * portal to the current text, and records that as the basis.
 */
async function authorise(db: Kysely<Database>, actor: Actor, patientId: string, type: DocumentTypeCode, fileName: string): Promise<string | null> {
  let basis: string | null = null;
  if (actor.role === 'physician') {
    if (!(await isVisible(db, audienceOf(actor), 'patient', patientId))) throw forbidden();
    const consent = await consentOf(db, patientId);
    if (!consent.current || !consent.at) {
      throw new AppError(
        'CONSENT_REQUIRED',
        'Пациент ещё не подтвердил согласие на обработку данных в личном кабинете. Прикрепите файл обычной загрузкой, отметив, что согласие получено, и указав основание.',
      );
    }
    basis = `Согласие пациента в личном кабинете (редакция ${consent.version}, ${consent.at.slice(0, 10)})`;
  }
  await checkUpload(db, actor, patientId, metaOf({ doc_type: type, file_name: fileName, consent_basis: basis }));
  return basis;
}

/** Starts a session, or returns the one this id already names (with what it has received). */
export async function startUpload(
  ctx: AppContext,
  actor: Actor,
  patientId: string,
  input: { id: string; type: DocumentTypeCode; fileName: string; size: number },
): Promise<UploadSession> {
  const db = ctx.db.kysely;
  return withLock(input.id, async () => {
    const existing = await db.selectFrom('upload_sessions').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (existing) {
      if (existing.created_by !== actor.userId || existing.patient_id !== patientId) {
        throw new AppError('CONFLICT', 'Загрузка с таким идентификатором уже существует. Начните загрузку файла заново.');
      }
      if (Number(existing.size) !== input.size || existing.doc_type !== input.type) {
        throw new AppError('CONFLICT', 'Под этим идентификатором загружается другой файл. Начните загрузку этого файла заново.');
      }
      if (existing.state === 'rejected') throw new AppError('UNSUPPORTED_FILE_TYPE', CLOSED_REJECTED);
      return toSession(existing, await receivedOnDisk(ctx, existing));
    }
    // Who may upload first (so a stranger learns nothing), then the size, before any byte is sent.
    const basis = await authorise(db, actor, patientId, input.type, input.fileName);
    if (input.size > DOCUMENT_MAX_BYTES) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Файл весит ${megabytes(input.size)} МБ, а принимаются файлы до ${Math.round(DOCUMENT_MAX_BYTES / 1024 / 1024)} МБ. Уменьшите его (например, сохраните скан с меньшим разрешением или разделите исследование на части) и загрузите снова.`,
      );
    }
    const now = new Date().toISOString();
    const row: Row = {
      id: input.id,
      patient_id: patientId,
      created_by: actor.userId,
      created_by_role: actor.role,
      doc_type: input.type,
      file_name: input.fileName,
      size: input.size,
      received: 0,
      state: 'open',
      mime: null,
      consent_basis: basis,
      document_id: null,
      created_at: now,
      updated_at: now,
    };
    await fsp.mkdir(uploadsDir(ctx), { recursive: true, mode: 0o700 });
    await fsp.writeFile(partPath(ctx, input.id), new Uint8Array(0), { mode: 0o600 });
    await db.insertInto('upload_sessions').values(row).execute();
    return toSession(row, 0);
  });
}

/** The caller's own session (anyone else's looks missing). */
export async function loadOwnUpload(db: Kysely<Database>, actor: Actor, id: string): Promise<Row> {
  const row = await db.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.created_by !== actor.userId) throw notFound('Загрузка');
  return row;
}

export async function getUpload(ctx: AppContext, actor: Actor, id: string): Promise<UploadSession> {
  const row = await loadOwnUpload(ctx.db.kysely, actor, id);
  if (row.state === 'rejected') throw new AppError('UNSUPPORTED_FILE_TYPE', CLOSED_REJECTED);
  return toSession(row, await receivedOnDisk(ctx, row));
}

async function readChunk(body: AsyncIterable<Uint8Array> | null): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const part of body ?? []) {
    n += part.length;
    if (n > UPLOAD_CHUNK_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `Часть файла больше ${UPLOAD_CHUNK_BYTES / 1024} КБ: отправляйте файл частями этого размера.`);
    parts.push(Buffer.from(part));
  }
  return Buffer.concat(parts);
}

/**
 * Appends a chunk at `offset`, which must be what was received so far; a repeat of a chunk
 * already stored (it ends at or before `received`) is acknowledged without writing. A chunk is
 * read whole before anything is written, so a dropped connection loses at most that chunk.
 */
export async function uploadChunk(ctx: AppContext, actor: Actor, id: string, offset: number, body: AsyncIterable<Uint8Array> | null): Promise<UploadSession> {
  const db = ctx.db.kysely;
  const bytes = await readChunk(body);
  return withLock(id, async () => {
    const row = await loadOwnUpload(db, actor, id);
    if (row.state === 'rejected') throw new AppError('UNSUPPORTED_FILE_TYPE', CLOSED_REJECTED);
    const size = Number(row.size);
    if (row.state === 'complete') {
      if (offset + bytes.length <= size) return toSession(row, size);
      throw new AppError('INVALID_STATE', 'Загрузка уже завершена: файл получен целиком.');
    }
    if (bytes.length === 0) throw new AppError('VALIDATION_FAILED', 'Пустая часть файла: отправьте следующую часть с данными.');
    const received = await receivedOnDisk(ctx, row);
    if (offset < received && offset + bytes.length <= received) return toSession(row, received);
    if (offset !== received) {
      throw new AppError('CONFLICT', `Сервер получил ${received} байт из ${size}: продолжите загрузку с позиции ${received}.`);
    }
    if (offset + bytes.length > size) {
      throw new AppError('VALIDATION_FAILED', `Часть выходит за объявленный размер файла (${size} байт). Начните загрузку заново с верным размером.`);
    }
    let mime = row.mime;
    if (offset === 0) {
      if (bytes.length < Math.min(size, DOCUMENT_SNIFF_BYTES)) {
        throw new AppError('VALIDATION_FAILED', `Первая часть файла должна быть не меньше ${DOCUMENT_SNIFF_BYTES} байт: по ней проверяется тип файла.`);
      }
      mime = detectDocumentMime(bytes);
      if (!mime) {
        await db.updateTable('upload_sessions').set({ state: 'rejected', updated_at: new Date().toISOString() }).where('id', '=', id).execute();
        await fsp.unlink(partPath(ctx, id)).catch(() => undefined);
        throw new AppError('UNSUPPORTED_FILE_TYPE', UNSUPPORTED_FILE_MESSAGE);
      }
    }
    await fsp.mkdir(uploadsDir(ctx), { recursive: true, mode: 0o700 });
    await fsp.appendFile(partPath(ctx, id), bytes, { mode: 0o600 });
    const now = offset + bytes.length;
    await db.updateTable('upload_sessions').set({ received: now, mime, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
    return toSession({ ...row, mime }, now);
  });
}

export interface CompletedUpload {
  document: PatientDocument;
  blob: StoredBlob | null;
  replayed: boolean;
  patientId: string;
}

/**
 * Completes a fully received upload: streams it into the blob store, records the document (the
 * session's id is the document's), and removes the temporary file. Completing again returns the
 * same document. `audit` runs in the recording transaction.
 */
export async function completeUpload(
  ctx: AppContext,
  actor: Actor,
  id: string,
  audit: (w: WriteScope, done: CompletedUpload) => Promise<void>,
): Promise<CompletedUpload> {
  const db = ctx.db.kysely;
  return withLock(id, async () => {
    const row = await loadOwnUpload(db, actor, id);
    if (row.state === 'rejected') throw new AppError('UNSUPPORTED_FILE_TYPE', CLOSED_REJECTED);
    if (row.state === 'complete' && row.document_id) {
      const documentId = row.document_id;
      return writeTransaction(ctx, async (w) => {
        const doc = await w.tx.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirstOrThrow();
        const uploader = await w.tx.selectFrom('users').select('full_name').where('id', '=', doc.uploaded_by ?? '').executeTakeFirst();
        const done = { document: toDocument(doc, uploader?.full_name ?? null), blob: null, replayed: true, patientId: row.patient_id };
        await audit(w, done);
        return done;
      });
    }
    const size = Number(row.size);
    const received = await receivedOnDisk(ctx, row);
    if (received !== size) {
      throw new AppError('INVALID_STATE', `Файл получен не полностью: ${received} байт из ${size}. Дошлите оставшиеся части с позиции ${received}.`);
    }
    // The right to upload may have changed since the start (consent, the patient's request).
    await checkUpload(db, actor, row.patient_id, metaOf(row));
    const part = partPath(ctx, id);
    const blob = await blobStore(ctx).ingest(fs.createReadStream(part), DOCUMENT_MAX_BYTES);
    const done = await writeTransaction(ctx, async (w) => {
      const { document, replayed } = await recordUpload(w, actor, row.patient_id, { ...metaOf(row), id }, blob);
      await w.tx.updateTable('upload_sessions').set({ state: 'complete', document_id: document.id, received: size, mime: blob.mime, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
      const result = { document, blob, replayed, patientId: row.patient_id };
      await audit(w, result);
      return result;
    });
    await fsp.unlink(part).catch(() => undefined);
    return done;
  });
}

/**
 * Removes sessions left open for more than a day and their temporary files, and any temporary
 * file without an open session. Meant for start-up (next to the blob store's sweep).
 */
export async function sweepStaleUploads(ctx: AppContext, now = Date.now()): Promise<number> {
  const db = ctx.db.kysely;
  const cutoff = new Date(now - UPLOAD_STALE_HOURS * 3_600_000).toISOString();
  const stale = await db.selectFrom('upload_sessions').select('id').where('state', '=', 'open').where('updated_at', '<', cutoff).execute();
  if (stale.length > 0) {
    await db.deleteFrom('upload_sessions').where('id', 'in', stale.map((s) => s.id)).execute();
  }
  let names: string[] = [];
  try {
    names = await fsp.readdir(uploadsDir(ctx));
  } catch {
    return stale.length;
  }
  const open = new Set((await db.selectFrom('upload_sessions').select('id').where('state', '=', 'open').execute()).map((r) => r.id));
  let removed = 0;
  for (const n of names) {
    if (!n.endsWith('.part') || open.has(n.slice(0, -'.part'.length))) continue;
    await fsp.unlink(path.join(uploadsDir(ctx), n)).catch(() => undefined);
    removed += 1;
  }
  if (stale.length + removed > 0) log.info({ sessions: stale.length, files: removed }, 'removed stale uploads');
  return stale.length;
}
