import crypto from 'node:crypto';
import { CONCLUSION_PDF_MAX_BYTES } from '../../shared/api/contract.js';
import { CENTRES, DOCUMENT_TYPES, REGIONS } from '../../shared/reference/index.js';
import { audienceOf } from '../auth/actor.js';
import { changePassword, createUser, getUser, listUsers, login, logout } from '../auth/accounts.js';
import { appendAudit, verifyAuditChain } from '../audit/audit-log.js';
import { listAuditEvents } from '../audit/audit-query.js';
import { writeTransaction } from '../context.js';
import { AppError, forbidden, HTTP_STATUS } from '../errors.js';
import { blobStore, checkUpload, getVisibleDocument, ingestUpload, listPatientDocuments, parseRange, recordUpload } from '../modules/documents.js';
import { createPatient, getVisiblePatient, listVisiblePatients } from '../modules/patients.js';
import { refreshPatientStage } from '../modules/patient-stage.js';
import { getVisibleBatch, listVisibleBatches } from '../modules/referral-batches.js';
import { cancelBatchImport, commitBatchImport, findDuplicateCandidates, getImportStatus, importProgress, saveDecisions } from '../modules/batch-import.js';
import { buildBatchReport } from '../modules/batch-report.js';
import { conclusionPdf, listVisibleConclusions, verifyByCode, verifyByPdf } from '../modules/conclusions.js';
import { cancelConsultation, listVisibleConsultations } from '../modules/consultations.js';
import { listNotifications, markNotificationsRead } from '../modules/notifications.js';
import { pipelineList, pipelineSummary } from '../modules/pipeline.js';
import { listSmsOutbox, resendSms } from '../modules/sms-outbox.js';
import { createRequest, getVisibleRequest, listVisibleRequests, scheduleRequest, takeRequest } from '../modules/requests.js';
import { pullChanges } from '../sync/pull.js';
import { pushMutations } from '../sync/push.js';
import { SERVER_VERSION } from '../version.js';
import { callHandlers } from './handlers-calls.js';
import { portalHandlers } from './handlers-portal.js';
import { buildOpenApi } from './openapi.js';
import { auditIn, auditRead, BinaryReply, type Handlers } from './route.js';

let openApiCache: Record<string, unknown> | undefined;
const openApiDocument = () => (openApiCache ??= buildOpenApi(SERVER_VERSION));

export const handlers: Handlers = {
  ...portalHandlers,
  ...callHandlers,
  health: async (_i, ctx) => ({
    status: 'ok',
    version: SERVER_VERSION,
    database: ctx.db.kind,
    demo: ctx.config.demo,
    time: new Date().toISOString(),
  }),
  openapi: async () => openApiDocument(),

  login: async (i, ctx) => {
    const result = await login(ctx.db.kysely, i.body.login, i.body.password, ctx.config.sessionTtlHours, i.ip);
    // A patient's first sign-in moves their stage to `signed_in` (and the physician sees it).
    const patientId = result.user.role === 'patient' ? result.user.patientId : null;
    if (patientId) {
      await writeTransaction(ctx, async (w) => {
        const exists = await w.tx.selectFrom('patients').select('id').where('id', '=', patientId).executeTakeFirst();
        if (exists) await refreshPatientStage(w, patientId);
      });
    }
    return result;
  },
  logout: async (i, ctx) => {
    await logout(ctx.db.kysely, i.actor);
    return { ok: true };
  },
  changePassword: async (i, ctx) => {
    await changePassword(ctx.db.kysely, i.actor, i.body.currentPassword, i.body.newPassword);
    return { ok: true };
  },
  me: async (i, ctx) => getUser(ctx.db.kysely, i.actor.userId),

  reference: async () => ({
    centres: CENTRES.map((c) => ({
      code: c.code,
      shortName: c.shortName,
      fullName: c.fullName,
      profiles: c.profiles.map((p) => ({
        code: p.code,
        name: p.name,
        needsPregnancyWeeks: p.needsPregnancyWeeks,
        documents: p.documents.map((d) => ({ type: d.type, required: d.required })),
      })),
    })),
    regions: REGIONS.map((r) => ({ code: r.code, name: r.name })),
    documentTypes: { ...DOCUMENT_TYPES },
  }),

  listUsers: async (_i, ctx) => ({ items: await listUsers(ctx.db.kysely) }),
  createUser: async (i, ctx) => createUser(ctx.db.kysely, i.body, i.actor),

  listPatients: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const page = await listVisiblePatients(tx, i.actor, i.query);
      await auditIn(i, tx, [
        { actor: i.actor, action: 'patient.list', entity: 'patient', result: 'ok', details: { patientIds: page.items.map((p) => p.id), q: i.query.q ?? null } },
      ]);
      return page;
    }),

  getPatient: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      // A patient reads only their own record; staff within their audience.
      const patient = await getVisiblePatient(tx, i.actor, i.params.id);
      await auditIn(i, tx, [{ actor: i.actor, action: 'patient.read', patientId: patient.id, entity: 'patient', entityId: patient.id, result: 'ok' }]);
      return patient;
    }),

  createPatient: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const patient = await createPatient(w, i.actor, i.body);
      await auditIn(i, w.tx, [{ actor: i.actor, action: 'patient.create', patientId: patient.id, entity: 'patient', entityId: patient.id, result: 'ok' }]);
      return patient;
    }),

  listRequests: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const page = await listVisibleRequests(tx, i.actor, i.query);
      await auditIn(i, tx, [
        {
          actor: i.actor,
          action: 'request.list',
          entity: 'request',
          result: 'ok',
          details: { patientIds: [...new Set(page.items.map((r) => r.patientId))] },
        },
      ]);
      return page;
    }),

  getRequest: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const request = await getVisibleRequest(tx, i.actor, i.params.id);
      await auditIn(i, tx, [
        { actor: i.actor, action: 'request.read', patientId: request.patientId, entity: 'request', entityId: request.id, result: 'ok' },
      ]);
      return request;
    }),

  createRequest: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const request = await createRequest(w, i.actor, i.body);
      await auditIn(i, w.tx, [
        { actor: i.actor, action: 'request.create', patientId: request.patientId, entity: 'request', entityId: request.id, result: 'ok' },
      ]);
      return request;
    }),

  takeRequest: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const request = await takeRequest(w, i.actor, i.params.id);
      await auditIn(i, w.tx, [
        { actor: i.actor, action: 'request.take', patientId: request.patientId, entity: 'request', entityId: request.id, result: 'ok' },
      ]);
      return request;
    }),

  scheduleRequest: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const s = await scheduleRequest(w, i.actor, { id: i.params.id, ...i.body });
      await auditIn(i, w.tx, [
        {
          actor: i.actor,
          action: 'request.schedule',
          patientId: s.request.patientId,
          entity: 'request',
          entityId: s.request.id,
          result: 'ok',
          details: { consultationId: s.consultationId, startsAt: s.startsAt, endsAt: s.endsAt },
        },
      ]);
      return s.request;
    }),

  listReferralBatches: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const page = await listVisibleBatches(tx, i.actor, i.query);
      await auditIn(i, tx, [
        { actor: i.actor, action: 'referral.list', entity: 'batch', result: 'ok', details: { batchIds: page.items.map((b) => b.id) } },
      ]);
      return page;
    }),

  getReferralBatch: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const batch = await getVisibleBatch(tx, i.actor, i.params.id);
      await auditIn(i, tx, [
        { actor: i.actor, action: 'referral.read', entity: 'batch', entityId: batch.id, result: 'ok', details: { rowCount: batch.rowCount } },
      ]);
      return batch;
    }),

  getBatchDuplicates: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const result = await findDuplicateCandidates(tx, i.actor, i.params.id);
      const patientIds = [...new Set(result.rows.flatMap((r) => r.candidates.map((c) => c.id)))];
      await auditIn(i, tx, [
        { actor: i.actor, action: 'referral.duplicates', entity: 'batch', entityId: i.params.id, result: 'ok', details: { rows: result.rows.length, candidatePatientIds: patientIds } },
      ]);
      return result;
    }),

  saveBatchDecisions: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const result = await saveDecisions(w, i.actor, i.params.id, i.body.decisions);
      const count = (d: string) => i.body.decisions.filter((x) => x.decision === d).length;
      await auditIn(i, w.tx, [
        {
          actor: i.actor,
          action: 'referral.decisions',
          entity: 'batch',
          entityId: i.params.id,
          result: 'ok',
          details: { create: count('create'), link: count('link'), skip: count('skip') },
        },
      ]);
      return result;
    }),

  commitBatch: async (i, ctx) => {
    // The job runs on in the background; the answer is the progress when it started.
    let progress;
    try {
      ({ progress } = await commitBatchImport(ctx, i.actor, i.params.id, { undecided: 'refuse' }));
    } catch (err) {
      // A refused commit (undecided duplicates, a closed batch) looked at patient data too.
      if (err instanceof AppError && err.code !== 'NOT_FOUND' && err.code !== 'FORBIDDEN') {
        await ctx.db.kysely.transaction().execute((tx) =>
          auditIn(i, tx, [{ actor: i.actor, action: 'referral.commit', entity: 'batch', entityId: i.params.id, result: 'error', details: { code: err.code } }]),
        );
      }
      throw err;
    }
    await ctx.db.kysely.transaction().execute((tx) =>
      auditIn(i, tx, [{ actor: i.actor, action: 'referral.commit', entity: 'batch', entityId: i.params.id, result: 'ok', details: { status: progress.status, done: progress.done, total: progress.total } }]),
    );
    return progress;
  },

  getBatchImport: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const status = await getImportStatus(tx, i.actor, i.params.id);
      await auditIn(i, tx, [
        { actor: i.actor, action: 'referral.progress.read', entity: 'batch', entityId: i.params.id, result: 'ok', details: { done: status.done, total: status.total } },
      ]);
      return status;
    }),

  cancelBatchImport: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      // getImportStatus checks the role and that the batch is visible before anything stops.
      await getImportStatus(tx, i.actor, i.params.id);
      const stopping = cancelBatchImport(i.params.id);
      await auditIn(i, tx, [{ actor: i.actor, action: 'referral.import.cancel.request', entity: 'batch', entityId: i.params.id, result: 'ok', details: { running: stopping } }]);
      return importProgress(tx, i.params.id);
    }),

  getBatchReport: async (i, ctx) => {
    const report = await buildBatchReport(ctx.db.kysely, i.actor, i.params.id);
    await ctx.db.kysely.transaction().execute((tx) =>
      auditIn(i, tx, [{ actor: i.actor, action: 'referral.report', entity: 'batch', entityId: i.params.id, result: 'ok', details: { patientIds: report.patientIds } }]),
    );
    return new BinaryReply(
      200,
      {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-length': String(report.bytes.byteLength),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(report.fileName)}`,
        'cache-control': 'no-store',
      },
      Buffer.from(report.bytes.buffer, report.bytes.byteOffset, report.bytes.byteLength),
    );
  },

  pipelineSummary: async (i, ctx) => pipelineSummary(ctx.db.kysely, i.actor),
  pipelineList: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const { limit, offset, ...filter } = i.query;
      const page = await pipelineList(tx, i.actor, filter, { limit, offset });
      await auditIn(i, tx, [
        { actor: i.actor, action: 'pipeline.list', result: 'ok', details: { filter, total: page.total, patientIds: [...new Set(page.items.map((r) => r.patientId))] } },
      ]);
      return page;
    }),

  resendSms: async (i, ctx) => {
    const item = await resendSms(ctx, i.actor, i.params.id);
    // resendSms audits inside its own write transaction (with the new password's hash).
    i.audited();
    return item;
  },

  listSmsOutbox: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const page = await listSmsOutbox(tx, i.actor, { ...i.query, demo: ctx.config.demo });
      await auditIn(i, tx, [
        {
          actor: i.actor,
          action: 'sms.list',
          entity: 'sms',
          result: 'ok',
          details: { patientIds: [...new Set(page.items.flatMap((m) => (m.patientId ? [m.patientId] : [])))], unmasked: ctx.config.demo },
        },
      ]);
      return page;
    }),

  listPatientDocuments: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const items = await listPatientDocuments(tx, i.actor, i.params.id);
      await auditIn(i, tx, [{ actor: i.actor, action: 'document.list', patientId: i.params.id, entity: 'patient', entityId: i.params.id, result: 'ok', details: { count: items.length } }]);
      return { items };
    }),
  uploadDocument: async (i, ctx) => {
    const patientId = i.params.id;
    // Who may attach, and the consent for an upload on the patient's behalf, before a byte is read.
    await checkUpload(ctx.db.kysely, i.actor, patientId, i.query);
    let blob;
    try {
      blob = await ingestUpload(ctx, i.raw);
    } catch (err) {
      if (err instanceof AppError) {
        // A refused file is an attempt on patient data too: on record, with the reason.
        await ctx.db.kysely.transaction().execute((tx) =>
          auditIn(i, tx, [
            { actor: i.actor, action: 'document.upload', patientId, entity: 'document', result: 'error', details: { code: err.code, type: i.query.type, fileName: i.query.fileName } },
          ]),
        );
      }
      throw err;
    }
    const id = i.query.id ?? crypto.randomUUID();
    return writeTransaction(ctx, async (w) => {
      const { document, replayed } = await recordUpload(w, i.actor, patientId, { ...i.query, id }, blob);
      await auditIn(i, w.tx, [
        {
          actor: i.actor,
          action: 'document.upload',
          patientId,
          entity: 'document',
          entityId: document.id,
          result: 'ok',
          details: {
            type: document.type,
            mime: document.mime,
            size: document.size,
            sha256: document.sha256,
            stored: blob.created ? 'new' : 'existing',
            replayed,
            ...(document.consentBasis ? { consent: { recordedBy: i.actor.userId, at: document.consentAt, basis: document.consentBasis } } : {}),
          },
        },
      ]);
      return document;
    });
  },

  getDocumentContent: async (i, ctx) => {
    const row = await getVisibleDocument(ctx.db.kysely, i.actor, i.params.id);
    const blobs = blobStore(ctx);
    const size = await blobs.stat(row.sha256);
    if (size === null) throw new AppError('NOT_FOUND', 'Файл документа не найден в хранилище. Сообщите администратору.');
    const etag = `"${row.sha256}"`;
    const ifRange = i.headers['if-range'];
    const rangeHeader = typeof i.headers.range === 'string' && (ifRange === undefined || ifRange === etag) ? i.headers.range : undefined;
    const range = parseRange(rangeHeader, size);
    await ctx.db.kysely.transaction().execute((tx) =>
      auditIn(i, tx, [
        {
          actor: i.actor,
          action: 'document.read',
          patientId: row.patient_id,
          entity: 'document',
          entityId: row.id,
          result: range === 'unsatisfiable' ? 'error' : 'ok',
          details: { sha256: row.sha256, range: range && range !== 'unsatisfiable' ? [range.start, range.end] : null },
        },
      ]),
    );
    const common = { etag, 'accept-ranges': 'bytes' };
    if (range === 'unsatisfiable') {
      const body = { error: { code: 'RANGE_NOT_SATISFIABLE', message: `Запрошенный диапазон вне файла (размер ${size} байт). Запросите файл заново целиком.` } };
      return new BinaryReply(HTTP_STATUS.RANGE_NOT_SATISFIABLE, { ...common, 'content-range': `bytes */${size}`, 'content-type': 'application/json; charset=utf-8' }, Buffer.from(JSON.stringify(body)));
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const headers: Record<string, string> = {
      ...common,
      'content-type': row.mime,
      'content-length': String(end - start + 1),
      // The stored name is display text only; RFC 5987 keeps non-ASCII names intact.
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(row.file_name)}`,
    };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    return new BinaryReply(range ? 206 : 200, headers, blobs.read(row.sha256, start, end));
  },

  listConsultations: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const items = await listVisibleConsultations(tx, i.actor, i.query);
      await auditIn(i, tx, [{ actor: i.actor, action: 'consultation.list', result: 'ok', details: { patientIds: [...new Set(items.map((c) => c.patientId))] } }]);
      return { items };
    }),
  cancelConsultation: async (i, ctx) => {
    const c = await writeTransaction(ctx, async (w) => {
      const cancelled = await cancelConsultation(w, i.actor, { id: i.params.id, reason: i.body.reason });
      await auditIn(i, w.tx, [
        { actor: i.actor, action: 'consultation.cancel', patientId: cancelled.patientId, entity: 'consultation', entityId: cancelled.id, result: 'ok', details: { by: i.actor.role } },
      ]);
      return cancelled;
    });
    return c;
  },
  listConclusions: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const items = await listVisibleConclusions(tx, i.actor, i.query);
      await auditIn(i, tx, [{ actor: i.actor, action: 'conclusion.list', result: 'ok', details: { patientIds: [...new Set(items.map((c) => c.patientId))] } }]);
      return { items };
    }),
  getConclusionPdf: async (i, ctx) => {
    const pdf = await conclusionPdf(ctx, i.actor, i.params.id);
    await ctx.db.kysely.transaction().execute((tx) =>
      auditIn(i, tx, [
        { actor: i.actor, action: 'conclusion.read', patientId: pdf.conclusion.patientId, entity: 'conclusion', entityId: pdf.conclusion.id, result: 'ok', details: { version: pdf.conclusion.version } },
      ]),
    );
    return new BinaryReply(
      200,
      {
        'content-type': 'application/pdf',
        'content-length': String(pdf.bytes.byteLength),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(pdf.fileName)}`,
        etag: `"${pdf.conclusion.pdfSha256}"`,
        'cache-control': 'no-store',
      },
      Buffer.from(pdf.bytes.buffer, pdf.bytes.byteOffset, pdf.bytes.byteLength),
    );
  },
  verifyConclusionCode: async (i, ctx) => verifyByCode(ctx.db.kysely, i.params.code),
  verifyConclusionPdf: async (i, ctx) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of i.raw ?? []) {
      size += c.byteLength;
      // A chunked body has no declared length: the cap is enforced while reading.
      if (size > CONCLUSION_PDF_MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', 'Файл больше 10 МБ: это не файл заключения.');
      chunks.push(Buffer.from(c));
    }
    return verifyByPdf(ctx.db.kysely, new Uint8Array(Buffer.concat(chunks)));
  },
  listNotifications: async (i, ctx) => listNotifications(ctx.db.kysely, i.actor),
  markNotificationsRead: async (i, ctx) => {
    await markNotificationsRead(ctx.db.kysely, i.actor, i.body.ids);
    return { ok: true };
  },

  syncPull: async (i, ctx) => {
    const audience = audienceOf(i.actor);
    if (!audience) throw forbidden();
    const { patientIds, batchIds, ...response } = await ctx.db.kysely.transaction().execute((tx) => pullChanges(tx, audience, i.body));
    // The busiest read of all: its event goes through the shared group-commit writer rather than
    // taking the chain-head lock in a transaction of its own; the answer still waits for it.
    await auditRead(i, ctx, [
      {
        actor: i.actor,
        action: 'sync.pull',
        result: 'ok',
        details: { since: i.body.since, cursor: response.cursor, changes: response.changes.length, patientIds, ...(batchIds.length ? { batchIds } : {}) },
      },
    ]);
    return response;
  },

  syncPush: async (i, ctx) => {
    // Each applied or rejected mutation is audited in its own transaction by pushMutations.
    i.audited();
    return pushMutations(ctx, i.actor, i.body);
  },

  listAudit: async (i, ctx) => listAuditEvents(ctx.db.kysely, i.query),
  verifyAudit: async (i, ctx) => {
    const result = await verifyAuditChain(ctx.db.kysely);
    await ctx.db.kysely.transaction().execute((tx) =>
      appendAudit(tx, [{ actor: i.actor, action: 'audit.verify', result: result.ok ? 'ok' : 'error', details: { checked: result.checked } }]),
    );
    return result;
  },
};
