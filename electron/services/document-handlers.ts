import crypto from 'node:crypto';
import { DOCUMENT_MAX_BYTES, DOCUMENT_SNIFF_BYTES, detectDocumentMime, UNSUPPORTED_FILE_MESSAGE } from '../../shared/domain/documents.js';
import type { DocumentRow } from '../../shared/rpc/contract.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';

const log = createLogger('documents');

export const ATTACH_OFFLINE_MESSAGE =
  'Нет связи с сервером (или связь прервалась во время отправки): на этом компьютере документ не сохранён. Прикрепите его ещё раз, когда связь появится — если он всё же дошёл, копии не будет.';

/**
 * The same file attached to the same patient as the same type is the same document: the id is
 * derived from them, so a retry after a timeout (the bytes may have arrived) never makes a copy.
 */
export function uploadId(patientId: string, type: string, bytes: Uint8Array): string {
  const content = crypto.createHash('sha256').update(bytes).digest('hex');
  const h = crypto.createHash('sha256').update(`${patientId}\n${type}\n${content}`).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10xx.
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A minute, plus the time the bytes need at 256 kbit/s: regional links are slow, not absent. */
export function uploadTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / (32 * 1024)) * 1000;
}

/**
 * Patient documents: the list comes from the local store (synced metadata); attaching uploads the
 * bytes straight to the central API. An attachment is never queued in the outbox: up to 50 MiB of
 * bytes do not belong in the local database, and a physician attaching on a patient's behalf must
 * know at once whether it arrived.
 */
export function registerDocumentHandlers(router: Router, sessions: SessionManager, bus: EventBus): void {
  router.register('documents.list', (input): { items: DocumentRow[] } => ({
    items: sessions.require().store.listDocuments(input.patientId).map((d) => ({ ...d, pending: false })),
  }));

  router.register('documents.attach', async (input): Promise<DocumentRow> => {
    const { store, api, engine } = sessions.require();
    if (!store.getPatient(input.patientId)) {
      throw new ServiceError('NOT_FOUND', 'Пациент не найден среди ваших направленных пациентов. Дождитесь синхронизации и повторите.');
    }
    const bytes = Buffer.from(input.base64, 'base64');
    if (bytes.length === 0) throw new ServiceError('VALIDATION_FAILED', 'Файл пуст. Выберите файл документа.');
    if (bytes.length > DOCUMENT_MAX_BYTES) throw new ServiceError('PAYLOAD_TOO_LARGE', 'Файл больше 50 МБ. Уменьшите его (например, разделите исследование на части) и прикрепите снова.');
    // The server checks again; this only spares a long upload that would be refused.
    if (!detectDocumentMime(bytes.subarray(0, DOCUMENT_SNIFF_BYTES))) throw new ServiceError('UNSUPPORTED_FILE_TYPE', UNSUPPORTED_FILE_MESSAGE);
    const id = uploadId(input.patientId, input.type, bytes);
    let document;
    try {
      document = await api.uploadDocument(
        input.patientId,
        { id, type: input.type, fileName: input.fileName, consentObtained: 'true', consentBasis: input.consent.basis },
        bytes,
        { timeoutMs: uploadTimeoutMs(bytes.length) },
      );
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') throw new ServiceError('SERVER_UNREACHABLE', ATTACH_OFFLINE_MESSAGE);
      throw err;
    }
    // Signed out while the bytes travelled: the document is on the server, the store is closed.
    if (sessions.current?.store === store) store.putFromServer({ entity: 'document', data: document });
    bus.emit('data.changed', { entities: ['document'] });
    log.info({ documentId: document.id, patientId: input.patientId, size: document.size }, 'document attached');
    // The patient's stage may have moved (documents complete): pull it now rather than at the next poke.
    void engine.syncNow().catch(() => undefined);
    return { ...document, pending: false };
  });
}
