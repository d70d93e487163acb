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
  'Нет связи с сервером: документ не отправлен и на этом компьютере не сохранён. Прикрепите его ещё раз, когда связь появится.';

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
    // The id is made here, so a retried upload is the same document on the server.
    const id = crypto.randomUUID();
    let document;
    try {
      document = await api.uploadDocument(
        input.patientId,
        { id, type: input.type, fileName: input.fileName, consentObtained: 'true', consentBasis: input.consent.basis },
        bytes,
      );
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') throw new ServiceError('SERVER_UNREACHABLE', ATTACH_OFFLINE_MESSAGE);
      throw err;
    }
    store.putFromServer({ entity: 'document', data: document });
    bus.emit('data.changed', { entities: ['document'] });
    log.info({ documentId: document.id, patientId: input.patientId, size: document.size }, 'document attached');
    // The patient's stage may have moved (documents complete): pull it now rather than at the next poke.
    void engine.syncNow().catch(() => undefined);
    return { ...document, pending: false };
  });
}
