import path from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import { DOCUMENT_MAX_BYTES, PatientDocument } from '../../shared/domain/documents.js';
import type { DocumentUploadQuery } from '../../shared/api/contract.js';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { getVisiblePatient } from './patients.js';
import { audienceOf } from '../auth/actor.js';
import type { AppContext, WriteScope } from '../context.js';
import type { Database, DocumentsTable } from '../db/schema.js';
import { BlobStore, type StoredBlob } from '../documents/blob-store.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { isVisible } from '../sync/change-log.js';
import { requireConsent } from './consent.js';
import { refreshPatientStage } from './patient-stage.js';

export type UploadMeta = z.infer<typeof DocumentUploadQuery>;

export function blobStore(ctx: AppContext): BlobStore {
  return new BlobStore(path.join(ctx.config.dataDir, 'documents'));
}

export function toDocument(row: Selectable<DocumentsTable>, uploaderName: string | null): PatientDocument {
  return PatientDocument.parse({
    id: row.id,
    patientId: row.patient_id,
    type: row.doc_type,
    fileName: row.file_name,
    mime: row.mime,
    size: Number(row.size),
    sha256: row.sha256,
    uploadedBy: row.uploaded_by,
    // Rows from before 0003 carry no role: they could only have been the patient's own.
    uploadedByRole: row.uploaded_by_role ?? 'patient',
    uploadedByName: uploaderName ?? '',
    consentBasis: row.consent_basis,
    consentAt: row.consent_at,
    createdAt: row.created_at,
  });
}

/**
 * May this caller attach a document to this patient? Checked before a byte is read. A physician
 * attaches only to the patients they referred, and only with the patient's consent on record; a
 * patient only to themselves; the manager to anyone. The answer for a patient one may not touch
 * and for one that does not exist is the same 403, so existence does not leak.
 */
export async function checkUpload(db: Kysely<Database>, actor: Actor, patientId: string, meta: UploadMeta): Promise<void> {
  if (actor.role === 'patient') {
    if (actor.patientId !== patientId) throw forbidden();
    // 152-ФЗ: a patient's own upload needs their consent to the current text on record (portal).
    await requireConsent(db, patientId);
  } else if (actor.role === 'physician') {
    if (!(await isVisible(db, audienceOf(actor), 'patient', patientId))) throw forbidden();
    if (meta.consentObtained !== 'true' || !meta.consentBasis) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Документ прикрепляется от имени пациента: подтвердите, что согласие пациента на обработку данных получено, и укажите основание.',
        [{ path: meta.consentObtained !== 'true' ? 'consentObtained' : 'consentBasis', message: 'обязательно при загрузке за пациента' }],
      );
    }
  } else if (actor.role !== 'manager') {
    throw forbidden();
  }
  const patient = await db.selectFrom('patients').select('id').where('id', '=', patientId).executeTakeFirst();
  if (!patient) throw actor.role === 'manager' ? notFound('Пациент') : forbidden();
}

export async function ingestUpload(ctx: AppContext, body: AsyncIterable<Uint8Array> | null | undefined): Promise<StoredBlob> {
  return blobStore(ctx).ingest(body, DOCUMENT_MAX_BYTES);
}

/**
 * Records an upload whose bytes are already stored. The id may come from the client: the same id
 * with the same bytes for the same patient is the same document (a retried upload), anything else
 * under that id is a conflict.
 */
export async function recordUpload(
  w: WriteScope,
  actor: Actor,
  patientId: string,
  meta: UploadMeta & { id: string },
  blob: StoredBlob,
): Promise<{ document: PatientDocument; replayed: boolean }> {
  const uploader = await w.tx.selectFrom('users').select('full_name').where('id', '=', actor.userId).executeTakeFirstOrThrow();
  const existing = await w.tx.selectFrom('documents').selectAll().where('id', '=', meta.id).executeTakeFirst();
  if (existing) {
    if (existing.patient_id !== patientId || existing.sha256 !== blob.sha256 || existing.uploaded_by !== actor.userId) {
      throw new AppError('CONFLICT', 'Документ с таким идентификатором уже существует. Прикрепите файл заново.');
    }
    return { document: toDocument(existing, uploader.full_name), replayed: true };
  }
  const now = new Date().toISOString();
  const onBehalf = actor.role !== 'patient' && meta.consentObtained === 'true' && meta.consentBasis;
  const row: Selectable<DocumentsTable> = {
    id: meta.id,
    patient_id: patientId,
    request_id: null,
    doc_type: meta.type,
    file_name: meta.fileName,
    mime: blob.mime,
    size: blob.size,
    sha256: blob.sha256,
    uploaded_by: actor.userId,
    created_at: now,
    deleted_at: null,
    uploaded_by_role: actor.role,
    consent_recorded_by: onBehalf ? actor.userId : null,
    consent_at: onBehalf ? now : null,
    consent_basis: onBehalf ? (meta.consentBasis ?? null) : null,
  };
  await w.tx.insertInto('documents').values(row).execute();
  await w.changed('document', [row.id]);
  // The checklist of the latest request's profile may now be covered.
  await refreshPatientStage(w, patientId);
  return { document: toDocument(row, uploader.full_name), replayed: false };
}

export async function getVisibleDocument(db: Kysely<Database>, actor: Actor, id: string): Promise<Selectable<DocumentsTable>> {
  if (!(await isVisible(db, audienceOf(actor), 'document', id))) throw notFound('Документ');
  const row = await db.selectFrom('documents').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw notFound('Документ');
  return row;
}

export type ByteRange = { start: number; end: number };

/**
 * One `Range: bytes=…` against a file of `size` bytes (RFC 9110 §14): a range to serve, `null` to
 * serve the whole file (no header, several ranges, or a header we do not understand — all allowed
 * to be ignored), or `'unsatisfiable'`.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** A patient's documents (not deleted), newest first, for whoever may see the patient. */
export async function listPatientDocuments(db: Kysely<Database>, actor: Actor, patientId: string): Promise<PatientDocument[]> {
  await getVisiblePatient(db, actor, patientId);
  const rows = await db
    .selectFrom('documents as d')
    .leftJoin('users as u', 'u.id', 'd.uploaded_by')
    .selectAll('d')
    .select('u.full_name as uploader_name')
    .where('d.patient_id', '=', patientId)
    .where('d.deleted_at', 'is', null)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id')
    .execute();
  return rows.map((r) => toDocument(r, r.uploader_name));
}
