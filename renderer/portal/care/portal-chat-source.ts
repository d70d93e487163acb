import type { ChatEntry, ChatSource } from '../../common/chat';
import type { ChatMessage } from '../../../shared/domain/portal';
import { callCare } from '../api';
import { isLive, subscribeLive } from '../live';
import { oldestFirst } from './care-model';
import { failureText, isSessionLost } from './care-ui';

/** While the live socket is down, an open chat still asks now and then (a slow fallback). */
export const CHAT_FALLBACK_POLL_MS = 30_000;

const entry = (m: ChatMessage): ChatEntry => ({ ...m, pending: false });

/**
 * The patient's chat over the central API: REST for reading and writing, the live WebSocket
 * (pokes) for news, a slow poll while the socket is down, and a refetch when the tab comes back.
 * A lost session hands over to sign-in through `onExpired`.
 */
export function portalChatSource(opts: { token: string; patientId: string | null; onExpired: () => void }): ChatSource {
  const { token, patientId, onExpired } = opts;
  return {
    side: 'patient',
    async list(requestId) {
      const r = await callCare('listMessages', { token, params: { id: requestId } });
      return { items: oldestFirst(r.items).map(entry), unread: r.unread };
    },
    subscribe(requestId, onChange) {
      void requestId;
      const unsubscribe = subscribeLive(token, onChange);
      const tick = () => {
        if (document.visibilityState === 'visible' && !isLive(token)) onChange();
      };
      const back = () => {
        if (document.visibilityState === 'visible') onChange();
      };
      const timer = window.setInterval(tick, CHAT_FALLBACK_POLL_MS);
      window.addEventListener('focus', back);
      document.addEventListener('visibilitychange', back);
      return () => {
        unsubscribe();
        window.clearInterval(timer);
        window.removeEventListener('focus', back);
        document.removeEventListener('visibilitychange', back);
      };
    },
    async send(requestId, message, key) {
      return entry(await callCare('sendMessage', { token, params: { id: requestId }, body: { id: key, body: message.body, documentId: message.documentId } }));
    },
    async markRead(requestId) {
      await callCare('markMessagesRead', { token, params: { id: requestId } });
    },
    async documents() {
      if (!patientId) return [];
      try {
        const r = await callCare('listPatientDocuments', { token, params: { id: patientId } });
        return r.items.map((d) => ({ id: d.id, fileName: d.fileName }));
      } catch (err) {
        if (isSessionLost(err)) onExpired();
        return [];
      }
    },
    describeError(err) {
      if (isSessionLost(err)) {
        onExpired();
        return '';
      }
      return failureText(err);
    },
  };
}
