import type { RpcClient } from '../../../shared/rpc/client';
import type { AttachableDocument, ChatSource } from '../../common/chat';
import { errorMessage } from '../notify';

/**
 * The doctor's chat through the desktop services: everything from the local store (offline
 * too), sending and read marks queued for the server; news arrive as `data.changed` pushes after
 * each sync (the central API pokes the desktop when the patient writes).
 */
export function desktopChatSource(rpc: RpcClient, patientId: string, openDocument?: (d: AttachableDocument) => void): ChatSource {
  return {
    side: 'doctor',
    list: (requestId) => rpc.call('chat.list', { requestId }),
    subscribe(_requestId, onChange) {
      return rpc.on('data.changed', (p) => {
        if (p.entities.includes('message') || p.entities.includes('document')) onChange();
      });
    },
    // The services make the id; the draft key matters only where a send can be retried over a network.
    send: (requestId, message) => rpc.call('chat.send', { requestId, body: message.body, documentId: message.documentId }),
    async markRead(requestId) {
      await rpc.call('chat.markRead', { requestId });
    },
    async documents() {
      const r = await rpc.call('documents.list', { patientId });
      return r.items.map((d) => ({ id: d.id, fileName: d.fileName }));
    },
    ...(openDocument ? { openDocument } : {}),
    describeError: errorMessage,
  };
}
