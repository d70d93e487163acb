import { writeTransaction } from '../context.js';
import { AppError } from '../errors.js';
import { createApplication } from '../modules/applications.js';
import { sendMessage, listMessages, markMessagesRead } from '../modules/chat.js';
import { consentOf, consentText, giveConsent } from '../modules/consent.js';
import { bookDutySlot, createDutySlots, isSlotTakenViolation, listDutySlots, SLOT_TAKEN_MESSAGE } from '../modules/duty.js';
import { registerPatient, resetPassword, sendCode } from '../modules/registration.js';
import { completeUpload, getUpload, loadOwnUpload, startUpload, uploadChunk } from '../modules/uploads.js';
import { appendAudit } from '../audit/audit-log.js';
import { auditIn, type Handlers, type HandlerInput } from './route.js';
import type { ApiName } from '../../shared/api/contract.js';

type PortalRoute =
  | 'registerStart'
  | 'registerConfirm'
  | 'resetStart'
  | 'resetConfirm'
  | 'consentText'
  | 'myConsent'
  | 'giveConsent'
  | 'startUpload'
  | 'getUpload'
  | 'uploadChunk'
  | 'completeUpload'
  | 'createApplication'
  | 'listDutySlots'
  | 'createDutySlots'
  | 'bookDutySlot'
  | 'listMessages'
  | 'sendMessage'
  | 'markMessagesRead';

/**
 * A refused attempt on patient data is on record too (the route layer records 403/404 itself):
 * a file of the wrong type, a file over the limit, no consent.
 */
async function auditRefusal<N extends ApiName>(
  i: HandlerInput<N> & { actor: NonNullable<HandlerInput<N>['actor']> },
  db: Parameters<typeof appendAudit>[0],
  err: unknown,
  event: { action: string; patientId: string | null; entity: string; entityId?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  if (!(err instanceof AppError) || err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN') return;
  await db.transaction().execute((tx) =>
    auditIn(i, tx, [{ actor: i.actor, action: event.action, patientId: event.patientId, entity: event.entity, entityId: event.entityId ?? null, result: 'error', details: { code: err.code, ...(event.details ?? {}) } }]),
  );
}

// The patient portal's routes: registration and reset by SMS code, consent, resumable uploads,
// self-application, the duty doctor, the chat per request.
export const portalHandlers: Pick<Handlers, PortalRoute> = {
  registerStart: async (i, ctx) => sendCode(ctx, 'register', i.body.phone, i.ip),
  registerConfirm: async (i, ctx) => registerPatient(ctx, i.body, i.ip),
  resetStart: async (i, ctx) => sendCode(ctx, 'reset', i.body.phone, i.ip),
  resetConfirm: async (i, ctx) => {
    await resetPassword(ctx, i.body, i.ip);
    return { ok: true };
  },

  consentText: async () => consentText(),
  myConsent: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const patientId = i.actor.patientId;
      const record = patientId ? await consentOf(tx, patientId) : { version: null, at: null, current: false };
      await auditIn(i, tx, [{ actor: i.actor, action: 'consent.read', patientId, entity: 'patient', entityId: patientId, result: 'ok' }]);
      return record;
    }),
  giveConsent: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const { record, created } = await giveConsent(tx, i.actor, i.body.version, i.ip);
      await auditIn(i, tx, [
        { actor: i.actor, action: 'consent.give', patientId: i.actor.patientId, entity: 'patient', entityId: i.actor.patientId, result: 'ok', details: { version: record.version, at: record.at, created, ip: i.ip } },
      ]);
      return record;
    }),

  startUpload: async (i, ctx) => {
    const patientId = i.params.id;
    const details = { uploadId: i.body.id, type: i.body.type, fileName: i.body.fileName, size: i.body.size };
    try {
      const session = await startUpload(ctx, i.actor, patientId, i.body);
      await ctx.db.kysely.transaction().execute((tx) =>
        auditIn(i, tx, [{ actor: i.actor, action: 'document.upload.start', patientId, entity: 'upload', entityId: session.id, result: 'ok', details: { ...details, received: session.received } }]),
      );
      return session;
    } catch (err) {
      await auditRefusal(i, ctx.db.kysely, err, { action: 'document.upload.start', patientId, entity: 'upload', entityId: i.body.id, details });
      throw err;
    }
  },
  getUpload: async (i, ctx) => {
    const session = await getUpload(ctx, i.actor, i.params.id);
    await ctx.db.kysely.transaction().execute((tx) =>
      auditIn(i, tx, [{ actor: i.actor, action: 'document.upload.status', patientId: session.patientId, entity: 'upload', entityId: session.id, result: 'ok', details: { received: session.received, size: session.size } }]),
    );
    return session;
  },
  uploadChunk: async (i, ctx) => {
    const own = await loadOwnUpload(ctx.db.kysely, i.actor, i.params.id);
    try {
      const session = await uploadChunk(ctx, i.actor, i.params.id, i.query.offset, i.raw);
      await ctx.db.kysely.transaction().execute((tx) =>
        auditIn(i, tx, [{ actor: i.actor, action: 'document.upload.chunk', patientId: own.patient_id, entity: 'upload', entityId: own.id, result: 'ok', details: { offset: i.query.offset, received: session.received, size: session.size } }]),
      );
      return session;
    } catch (err) {
      await auditRefusal(i, ctx.db.kysely, err, { action: 'document.upload.chunk', patientId: own.patient_id, entity: 'upload', entityId: own.id, details: { offset: i.query.offset } });
      throw err;
    }
  },
  completeUpload: async (i, ctx) => {
    const own = await loadOwnUpload(ctx.db.kysely, i.actor, i.params.id);
    try {
      const done = await completeUpload(ctx, i.actor, i.params.id, (w, d) =>
        auditIn(i, w.tx, [
          {
            actor: i.actor,
            action: 'document.upload',
            patientId: d.patientId,
            entity: 'document',
            entityId: d.document.id,
            result: 'ok',
            details: {
              type: d.document.type,
              mime: d.document.mime,
              size: d.document.size,
              sha256: d.document.sha256,
              stored: d.blob ? (d.blob.created ? 'new' : 'existing') : 'existing',
              replayed: d.replayed,
              chunked: true,
              ...(d.document.consentBasis ? { consent: { recordedBy: i.actor.userId, at: d.document.consentAt, basis: d.document.consentBasis } } : {}),
            },
          },
        ]),
      );
      return done.document;
    } catch (err) {
      await auditRefusal(i, ctx.db.kysely, err, { action: 'document.upload', patientId: own.patient_id, entity: 'document', entityId: own.id, details: { type: own.doc_type, fileName: own.file_name, chunked: true } });
      throw err;
    }
  },

  createApplication: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const { request, replayed } = await createApplication(w, i.actor, i.body);
      await auditIn(i, w.tx, [
        { actor: i.actor, action: 'request.create', patientId: request.patientId, entity: 'request', entityId: request.id, result: 'ok', details: { source: request.source, centre: request.centre, profile: request.profile, replayed } },
      ]);
      return request;
    }),

  listDutySlots: async (i, ctx) => ({ items: await listDutySlots(ctx.db.kysely, i.query) }),
  createDutySlots: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const items = await createDutySlots(w, i.actor, i.body);
      await appendAudit(w.tx, [{ actor: i.actor, action: 'duty.slots.create', entity: 'duty_slot', result: 'ok', details: { count: items.length, startsAt: items[0]?.startsAt ?? null } }]);
      return { items };
    }),
  bookDutySlot: async (i, ctx) => {
    try {
      return await writeTransaction(ctx, async (w) => {
        const booking = await bookDutySlot(w, i.actor, i.params.id, i.body.question);
        await auditIn(i, w.tx, [
          {
            actor: i.actor,
            action: 'duty.book',
            patientId: booking.request.patientId,
            entity: 'consultation',
            entityId: booking.consultation.id,
            result: 'ok',
            details: { slotId: i.params.id, requestId: booking.request.id, doctorId: booking.consultation.doctorId, startsAt: booking.consultation.startsAt },
          },
        ]);
        return booking;
      });
    } catch (err) {
      // The unique index is the backstop of the conditional UPDATE: the loser of a race is told the same.
      if (isSlotTakenViolation(err)) throw new AppError('CONFLICT', SLOT_TAKEN_MESSAGE);
      throw err;
    }
  },

  listMessages: async (i, ctx) =>
    ctx.db.kysely.transaction().execute(async (tx) => {
      const { items, unread, request } = await listMessages(tx, i.actor, i.params.id);
      await auditIn(i, tx, [{ actor: i.actor, action: 'message.list', patientId: request.patientId, entity: 'request', entityId: request.id, result: 'ok', details: { count: items.length, unread } }]);
      return { items, unread };
    }),
  sendMessage: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const { message, request, replayed } = await sendMessage(w, i.actor, i.params.id, i.body);
      await auditIn(i, w.tx, [
        { actor: i.actor, action: 'message.send', patientId: request.patientId, entity: 'message', entityId: message.id, result: 'ok', details: { requestId: request.id, documentId: message.documentId, replayed } },
      ]);
      return message;
    }),
  markMessagesRead: async (i, ctx) =>
    writeTransaction(ctx, async (w) => {
      const { marked, request } = await markMessagesRead(w, i.actor, i.params.id);
      await auditIn(i, w.tx, [{ actor: i.actor, action: 'message.read', patientId: request.patientId, entity: 'request', entityId: request.id, result: 'ok', details: { marked } }]);
      return { ok: true as const };
    }),
};
