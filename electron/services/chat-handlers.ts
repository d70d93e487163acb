import crypto from 'node:crypto';
import type { MessageRead, MessageSend, SyncMessage } from '../../shared/domain/portal.js';
import { shortName } from './data-handlers.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';
import { lastUnread, listChat, setReadMark, unreadCounts } from './store/chat-queries.js';

const log = createLogger('chat');

const NO_REQUEST = 'Заявка не найдена на этом компьютере. Дождитесь синхронизации и откройте переписку снова.';

/**
 * The doctor's chat with the patient of a request: read from the local store (offline too);
 * a message and a read mark are queued as `message.send` / `message.read` and delivered when
 * the central API is reachable (the server audits both and pokes the patient's portal).
 */
export function registerChatHandlers(router: Router, sessions: SessionManager): void {
  router.register('chat.list', (input) => {
    const { store } = sessions.require();
    if (!store.getRequest(input.requestId)) throw new ServiceError('NOT_FOUND', NO_REQUEST);
    return listChat(store, input.requestId);
  });

  router.register('chat.send', (input) => {
    const { store, engine, stored } = sessions.require();
    const request = store.getRequest(input.requestId);
    if (!request) throw new ServiceError('NOT_FOUND', NO_REQUEST);
    if (input.documentId) {
      const doc = store.sql('SELECT patient_id FROM documents WHERE id = ?').get(input.documentId) as { patient_id: string } | undefined;
      if (doc?.patient_id !== request.patientId) {
        throw new ServiceError('VALIDATION_FAILED', 'Прикрепить к сообщению можно только документ этого пациента. Выберите документ из списка.');
      }
    }
    const id = crypto.randomUUID();
    // Provisional until the server answers: it stamps the final time.
    const message: SyncMessage = {
      id,
      requestId: request.id,
      patientId: request.patientId,
      senderId: stored.user.id,
      senderName: stored.user.fullName,
      senderRole: 'doctor',
      body: input.body,
      documentId: input.documentId,
      createdAt: new Date().toISOString(),
      readAt: null,
    };
    const args: MessageSend = { id, requestId: request.id, body: input.body, documentId: input.documentId };
    const patient = store.getPatient(request.patientId);
    const preview = input.body.length > 40 ? `${input.body.slice(0, 40)}…` : input.body;
    engine.mutate({
      name: 'message.send',
      args,
      summary: `Сообщение${patient ? ` пациенту ${shortName(patient)}` : ''}: «${preview}»`,
      entity: 'message',
      entityId: id,
      optimistic: { entity: 'message', data: message },
    });
    log.info({ requestId: request.id, attachment: input.documentId !== null }, 'message queued');
    return { ...message, pending: true };
  });

  router.register('chat.markRead', (input) => {
    const { store, engine } = sessions.require();
    const request = store.getRequest(input.requestId);
    if (!request) throw new ServiceError('NOT_FOUND', NO_REQUEST);
    const last = lastUnread(store, request.id);
    if (!last) return { marked: 0 };
    const args: MessageRead = { requestId: request.id, upTo: last.id };
    const patient = store.getPatient(request.patientId);
    // Keyed by the request, not a message: no message row is held back as pending by a read mark.
    engine.mutate(
      { name: 'message.read', args, summary: `Прочитана переписка${patient ? ` с пациентом ${shortName(patient)}` : ''}`, entity: 'message', entityId: request.id, optimistic: null },
      () => setReadMark(store, request.id, last),
    );
    return { marked: last.count };
  });

  router.register('chat.unread', (input) => unreadCounts(sessions.require().store, input.requestIds));
}
