import { z } from 'zod';
import { text } from '../domain/fields.js';
import { Id } from '../domain/ids.js';
import { SyncMessage } from '../domain/portal.js';

/** The desktop chat's RPC shapes (methods `chat.*` in contract.ts). */

/** A message in the local store; `pending`: written here, not yet accepted by the server. */
export const ChatItem = SyncMessage.extend({ pending: z.boolean() });
export type ChatItem = z.infer<typeof ChatItem>;

export const ChatListOutput = z.object({ items: z.array(ChatItem), unread: z.number().int() });

export const ChatSendInput = z.strictObject({
  requestId: Id,
  body: text(4000).pipe(z.string().min(1, 'Напишите сообщение.')),
  documentId: Id.nullable().default(null),
});

export const ChatUnreadInput = z.strictObject({ requestIds: z.array(Id).max(500).optional() });
export const ChatUnreadOutput = z.object({ total: z.number().int(), byRequest: z.record(Id, z.number().int()) });
