import crypto from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { ConclusionContent, type Conclusion, type ConclusionIssue, type ConclusionVerification } from '../../shared/domain/conclusions.js';
import { DOCUMENT_MAX_BYTES } from '../../shared/domain/documents.js';
import { findCentre } from '../../shared/reference/index.js';
import { renderConclusionPdf, formatDate } from '../../shared/conclusion/render-pdf.js';
import { conclusionVerificationCode, type ConclusionFacts } from '../../shared/conclusion/verification.js';
import { loadConclusionFonts } from '../../shared/conclusion/fonts-node.js';
import type { ConclusionsTable, Database } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import { audienceOf } from '../auth/actor.js';
import type { AppContext, WriteScope } from '../context.js';
import { AppError, forbidden } from '../errors.js';
import { createLogger } from '../logger.js';
import { newSmsId, type SmsMessage } from '../sms/gateway.js';
import { isVisible } from '../sync/change-log.js';
import { blobStore } from './documents.js';
import { notifyUsers, patientUserIds, queueSms } from './notifications.js';
import { refreshPatientStage } from './patient-stage.js';

/**
 * Conclusions (Order 193н: a signed medical document; Order 947н: a correction keeps the earlier
 * versions). Issuing makes an immutable row with the content, the doctor's name and post as
 * printed, the verification code (SHA-256 of the canonical facts, shared/conclusion) and the
 * SHA-256 of the PDF, whose bytes go to the blob store. A row is never changed afterwards except
 * for `superseded_by`, set once when a correction replaces it. Reading follows the one visibility
 * rule (the sync index); verification is public and shows only what the paper itself shows.
 */

const log = createLogger('conclusions');

type Row = Selectable<ConclusionsTable> & { patient_id: string; centre: string };

function toConclusion(r: Row): Conclusion {
  return {
    id: r.id,
    requestId: r.request_id,
    patientId: r.patient_id,
    consultationId: r.consultation_id,
    centre: r.centre as Conclusion['centre'],
    version: Number(r.version),
    // Stored only after validation at issue: a row that does not parse is corruption.
    content: ConclusionContent.parse(JSON.parse(r.body)),
    outcome: r.outcome as Conclusion['outcome'],
    doctorId: r.issued_by,
    doctorName: r.doctor_name ?? '',
    doctorPost: r.doctor_post ?? '',
    issuedAt: r.issued_at ?? r.created_at,
    verificationCode: r.verification_code ?? '',
    pdfSha256: r.pdf_sha256 ?? '',
    supersededBy: r.superseded_by,
    correctsId: r.corrects_id,
  };
}

function issuedRows(db: Kysely<Database>) {
  return db
    .selectFrom('conclusions as c')
    .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
    .selectAll('c')
    .select(['r.patient_id', 'r.centre'])
    .where('c.issued_at', 'is not', null);
}

export async function loadConclusions(db: Kysely<Database>, ids: readonly string[]): Promise<Conclusion[]> {
  if (ids.length === 0) return [];
  const out: Conclusion[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 400) {
    const rows = await issuedRows(db).where('c.id', 'in', unique.slice(i, i + 400)).execute();
    for (const r of rows) out.push(toConclusion(r));
  }
  return out;
}

const NOT_FOUND_MESSAGE = 'Заключение не найдено или недоступно вам. Проверьте ссылку или обратитесь к администратору.';
const conclusionNotFound = () => new AppError('NOT_FOUND', NOT_FOUND_MESSAGE);

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path, message }]);
}

/** The stored form of the content: the parsed object as JSON (key order as the schema makes it). */
function storedBody(content: ConclusionContent): string {
  return JSON.stringify(content);
}

/**
 * `conclusion.issue`: a centre doctor issues a conclusion (or a corrected version of the current
 * one) for a request of their centre. The PDF is rendered here, with the server's clock as the
 * moment of issue, so the paper, the code and the stored row agree.
 */
export async function issueConclusion(w: WriteScope, actor: Actor, args: ConclusionIssue): Promise<Conclusion> {
  if (actor.role !== 'doctor' || !actor.centre) throw forbidden();
  const content = ConclusionContent.parse(args.content);

  // A replay of the same issue (a retry whose answer was lost) is the same conclusion.
  const existing = await w.tx.selectFrom('conclusions').selectAll().where('id', '=', args.id).executeTakeFirst();
  if (existing) {
    const same =
      existing.request_id === args.requestId &&
      existing.issued_by === actor.userId &&
      existing.consultation_id === args.consultationId &&
      existing.corrects_id === args.correctsId &&
      existing.body === storedBody(content);
    if (!same || !existing.issued_at) {
      throw new AppError('CONFLICT', 'Заключение с таким идентификатором уже выдано с другим содержанием. Выданное заключение не меняется: выпустите исправленную версию.');
    }
    const [c] = await loadConclusions(w.tx, [existing.id]);
    if (!c) throw conclusionNotFound();
    return c;
  }

  if (!(await isVisible(w.tx, audienceOf(actor), 'request', args.requestId))) throw new AppError('NOT_FOUND', 'Заявка не найдена или недоступна вам. Обновите очередь.');
  // Serialises issues for one request on PostgreSQL (version numbers, the one current version);
  // SQLite runs one write transaction at a time.
  const request = await w.tx
    .selectFrom('consultation_requests')
    .selectAll()
    .where('id', '=', args.requestId)
    .$if(w.kind === 'postgres', (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  if (request.centre !== actor.centre) throw forbidden();
  if (request.assigned_doctor_id && request.assigned_doctor_id !== actor.userId) {
    throw new AppError('ALREADY_TAKEN', 'Заявку ведёт другой врач: заключение выдаёт он. Обновите очередь.');
  }
  if (request.status === 'cancelled') throw new AppError('INVALID_STATE', 'Заявка отменена: заключение по ней выдать нельзя.');

  const versions = await w.tx
    .selectFrom('conclusions')
    .select(['id', 'version', 'superseded_by', 'issued_at'])
    .where('request_id', '=', request.id)
    .orderBy('version', 'desc')
    .execute();
  const current = versions.find((v) => v.issued_at !== null && v.superseded_by === null);
  let correctsVersion: number | null = null;
  if (args.correctsId === null) {
    if (current) {
      throw new AppError(
        'CONFLICT',
        `По заявке уже выдано заключение (версия ${Number(current.version)}). Чтобы изменить его, выпустите исправленную версию.`,
      );
    }
  } else {
    const target = versions.find((v) => v.id === args.correctsId);
    if (!target || target.issued_at === null) throw invalid('correctsId', 'Исправляемое заключение не найдено в этой заявке.');
    if (target.id !== current?.id) {
      throw new AppError(
        'CONFLICT',
        `Версия ${Number(target.version)} уже заменена${current ? ` (действует версия ${Number(current.version)})` : ''}. Исправлять можно только действующую версию: обновите данные.`,
      );
    }
    correctsVersion = Number(target.version);
  }
  const version = versions.reduce((max, v) => Math.max(max, Number(v.version)), 0) + 1;

  let consultationDate: string | null = null;
  if (args.consultationId) {
    const consultation = await w.tx.selectFrom('consultations').select(['request_id', 'status', 'starts_at']).where('id', '=', args.consultationId).executeTakeFirst();
    if (!consultation || consultation.request_id !== request.id) throw invalid('consultationId', 'Консультация не относится к этой заявке.');
    if (consultation.status === 'cancelled') throw invalid('consultationId', 'Консультация отменена: выберите состоявшуюся или выдайте заключение по документам.');
    if (Date.parse(consultation.starts_at) > Date.now()) throw invalid('consultationId', 'Консультация ещё не состоялась: заключение выдаётся после неё.');
    consultationDate = consultation.starts_at;
  }

  const reviewedIds = content.documentsReviewed.map((d) => d.documentId).filter((d): d is string => d !== null);
  if (reviewedIds.length > 0) {
    const docs = await w.tx.selectFrom('documents').select('id').where('id', 'in', reviewedIds).where('patient_id', '=', request.patient_id).execute();
    const known = new Set(docs.map((d) => d.id));
    const index = content.documentsReviewed.findIndex((d) => d.documentId !== null && !known.has(d.documentId));
    if (index >= 0) throw invalid(`content.documentsReviewed.${index}.documentId`, 'Документ не найден среди документов пациента: уберите ссылку или выберите документ из списка.');
  }

  const patient = await w.tx
    .selectFrom('patients')
    .select(['last_name', 'first_name', 'middle_name', 'birth_date', 'snils', 'phone'])
    .where('id', '=', request.patient_id)
    .executeTakeFirstOrThrow();
  const doctor = await w.tx.selectFrom('users').select(['full_name', 'post']).where('id', '=', actor.userId).executeTakeFirstOrThrow();

  const issuedAt = new Date().toISOString();
  const facts: ConclusionFacts = {
    requestId: request.id,
    version,
    centre: request.centre as ConclusionFacts['centre'],
    patient: { lastName: patient.last_name, firstName: patient.first_name, middleName: patient.middle_name, birthDate: patient.birth_date, snils: patient.snils },
    doctor: { name: doctor.full_name, post: doctor.post ?? '' },
    consultationDate,
    issuedAt,
    content,
  };
  const verificationCode = await conclusionVerificationCode(facts);
  const pdf = await renderConclusionPdf({ ...facts, correctsVersion, verificationCode, publicUrl: w.ctx.config.publicUrl }, await loadConclusionFonts());
  // Content-addressed and written before the row: a rollback leaves at most an unreferenced file.
  const blob = await blobStore(w.ctx).ingest(oneChunk(pdf), DOCUMENT_MAX_BYTES);

  await w.tx
    .insertInto('conclusions')
    .values({
      id: args.id,
      request_id: request.id,
      consultation_id: args.consultationId,
      version,
      body: storedBody(content),
      outcome: content.outcome,
      pdf_sha256: blob.sha256,
      issued_by: actor.userId,
      issued_at: issuedAt,
      created_at: issuedAt,
      doctor_name: facts.doctor.name,
      doctor_post: facts.doctor.post,
      verification_code: verificationCode,
      superseded_by: null,
      corrects_id: args.correctsId,
    })
    .execute();
  const changedIds = [args.id];
  if (args.correctsId) {
    const res = await w.tx
      .updateTable('conclusions')
      .set({ superseded_by: args.id })
      .where('id', '=', args.correctsId)
      .where('superseded_by', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('CONFLICT', 'Исправляемая версия уже заменена другой: обновите данные и повторите.');
    changedIds.push(args.correctsId);
  }

  const status = content.outcome === 'invitation' ? 'invited' : 'conclusion_issued';
  await w.tx
    .updateTable('consultation_requests')
    .set({ status, assigned_doctor_id: request.assigned_doctor_id ?? actor.userId, updated_at: issuedAt })
    .where('id', '=', request.id)
    .execute();
  await w.changed('conclusion', changedIds);
  await w.changed('request', [request.id]);
  await refreshPatientStage(w, request.patient_id);

  await notifyIssued(w, {
    conclusionId: args.id,
    requestId: request.id,
    patientId: request.patient_id,
    referredBy: request.referred_by,
    centre: request.centre,
    outcome: content.outcome,
    correction: correctsVersion !== null,
    patientName: [patient.last_name, patient.first_name, patient.middle_name].filter(Boolean).join(' '),
    phone: patient.phone,
  });
  log.info({ conclusionId: args.id, requestId: request.id, version, correction: correctsVersion !== null }, 'conclusion issued');

  const [issued] = await loadConclusions(w.tx, [args.id]);
  if (!issued) throw new Error('issued conclusion not readable');
  return issued;
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

const CONCLUSION_SMS: SmsMessage['kind'] = 'conclusion';

/**
 * The patient (portal and SMS) and the referring physician (desktop) learn that a conclusion is
 * ready. No medical detail anywhere outside the portal: an SMS is read on a locked screen.
 */
async function notifyIssued(
  w: WriteScope,
  s: { conclusionId: string; requestId: string; patientId: string; referredBy: string | null; centre: string; outcome: string; correction: boolean; patientName: string; phone: string | null },
): Promise<void> {
  const centre = findCentre(s.centre)?.shortName ?? s.centre;
  const ids = { patientId: s.patientId, requestId: s.requestId, consultationId: null, conclusionId: s.conclusionId };
  const what = s.outcome === 'invitation' ? 'приглашение на очный приём' : 'заключение';
  const title = s.correction ? 'Заключение исправлено' : s.outcome === 'invitation' ? 'Приглашение на очный приём' : 'Готово заключение';
  const forPatient = s.correction
    ? `Врач ${centre} выпустил исправленную версию заключения по вашей консультации. Прежняя версия больше не действует; новую можно открыть и скачать в личном кабинете.`
    : `Врач ${centre} выдал ${what} по вашей консультации. Его можно открыть и скачать в личном кабинете.`;
  const forPhysician = s.correction ? `${s.patientName}: выпущена исправленная версия заключения (${centre}).` : `${s.patientName}: выдано ${what} (${centre}).`;
  const at = new Date().toISOString();
  await notifyUsers(w.tx, await patientUserIds(w.tx, s.patientId), { kind: 'conclusion.issued', title, body: forPatient, ...ids }, at);
  await notifyUsers(w.tx, [s.referredBy], { kind: 'conclusion.issued', title, body: forPhysician, ...ids }, at);
  if (s.phone) {
    const url = w.ctx.config.publicUrl;
    const body = s.correction
      ? `Облако здоровья: заключение по вашей консультации обновлено. Войдите: ${url}`
      : `Облако здоровья: готово заключение по вашей консультации. Войдите: ${url}`;
    await queueSms(w, [{ id: newSmsId(), phone: s.phone, body, kind: CONCLUSION_SMS, patientId: s.patientId }]);
  }
}

/** Every version the actor may see (the sync index decides), oldest request first, versions in order. */
export async function listVisibleConclusions(db: Kysely<Database>, actor: Actor, q: { requestId?: string | undefined }): Promise<Conclusion[]> {
  const audience = audienceOf(actor);
  if (!audience) return [];
  const rows = await issuedRows(db)
    .innerJoin('sync_index as s', (j) =>
      j.onRef('s.entity_id', '=', 'c.id').on('s.entity', '=', 'conclusion').on('s.audience', '=', audience).on('s.deleted', '=', 0),
    )
    .$if(!!q.requestId, (b) => b.where('c.request_id', '=', q.requestId ?? ''))
    .orderBy('c.request_id')
    .orderBy('c.version')
    .execute();
  return rows.map(toConclusion);
}

/** The PDF as issued, for whoever may see the conclusion; its bytes are checked against the stored hash. */
export async function conclusionPdf(ctx: AppContext, actor: Actor, id: string): Promise<{ fileName: string; bytes: Uint8Array; conclusion: Conclusion }> {
  if (!(await isVisible(ctx.db.kysely, audienceOf(actor), 'conclusion', id))) throw conclusionNotFound();
  const [conclusion] = await loadConclusions(ctx.db.kysely, [id]);
  if (!conclusion) throw conclusionNotFound();
  const store = blobStore(ctx);
  const size = await store.stat(conclusion.pdfSha256);
  if (size === null) {
    log.error({ conclusionId: id, sha256: conclusion.pdfSha256 }, 'conclusion PDF missing from the blob store');
    throw new AppError('INTERNAL', 'Файл заключения временно недоступен. Попробуйте позже; если ошибка повторится, сообщите администратору.');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of store.read(conclusion.pdfSha256, 0, size - 1)) chunks.push(Buffer.from(chunk as Buffer));
  const bytes = Buffer.concat(chunks);
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== conclusion.pdfSha256) {
    log.error({ conclusionId: id }, 'conclusion PDF does not match its hash');
    throw new AppError('INTERNAL', 'Файл заключения повреждён в хранилище. Сообщите администратору.');
  }
  const fileName = `Заключение от ${formatDate(conclusion.issuedAt)}, версия ${conclusion.version}.pdf`;
  return { fileName, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), conclusion };
}

function verified(row: Pick<Row, 'id' | 'version' | 'issued_at' | 'created_at' | 'centre' | 'superseded_by'>): ConclusionVerification {
  const superseded = row.superseded_by !== null;
  return {
    valid: true,
    conclusionId: row.id,
    version: Number(row.version),
    issuedAt: row.issued_at ?? row.created_at,
    centre: row.centre as ConclusionVerification['centre'],
    superseded,
    reason: superseded ? 'Заключение подлинное, но заменено исправленной версией: запросите действующую версию у пациента или в центре.' : null,
  };
}

function rejected(reason: string): ConclusionVerification {
  return { valid: false, conclusionId: null, version: null, issuedAt: null, centre: null, superseded: false, reason };
}

function verificationRow(db: Kysely<Database>) {
  return db
    .selectFrom('conclusions as c')
    .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
    .select(['c.id', 'c.version', 'c.issued_at', 'c.created_at', 'c.superseded_by', 'r.centre'])
    .where('c.issued_at', 'is not', null);
}

/** Public: is there an issued conclusion with this code (the one under the QR code)? */
export async function verifyByCode(db: Kysely<Database>, code: string): Promise<ConclusionVerification> {
  const normalised = code.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[0-9a-f]{64}$/.test(normalised)) return rejected('Код проверки — 64 символа (цифры и буквы a–f). Проверьте, что код введён полностью.');
  const row = await verificationRow(db).where('c.verification_code', '=', normalised).executeTakeFirst();
  if (!row) return rejected('Заключение с таким кодом не выдавалось. Проверьте код (он напечатан под QR-кодом) или обратитесь в центр, выдавший заключение.');
  return verified(row);
}

/** Public: are these exactly the bytes of an issued conclusion's PDF? */
export async function verifyByPdf(db: Kysely<Database>, bytes: Uint8Array): Promise<ConclusionVerification> {
  const mismatch = 'Файл не совпадает с выданным заключением: он изменён или это другой документ. Проверьте заключение по коду под QR-кодом или запросите файл в личном кабинете.';
  if (bytes.byteLength < 5 || Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') return rejected(`Это не PDF-файл. ${mismatch}`);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  const row = await verificationRow(db).where('c.pdf_sha256', '=', sha).orderBy('c.version', 'desc').executeTakeFirst();
  if (!row) return rejected(mismatch);
  return verified(row);
}
