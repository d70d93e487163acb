/**
 * Where a chat's messages come from and go to. Two implementations: the portal's (REST and the
 * live WebSocket, renderer/portal/care/portal-chat-source.ts) and the desktop's (RPC to the local
 * store and its `data.changed` pushes, renderer/desktop/doctor/desktop-chat-source.ts). The panel
 * knows nothing else about either side.
 */

export type ChatSide = 'patient' | 'doctor';

export interface ChatEntry {
  id: string;
  requestId: string;
  senderRole: ChatSide;
  senderName: string;
  /** Shown as text, never as HTML. */
  body: string;
  documentId: string | null;
  createdAt: string;
  readAt: string | null;
  /** Written here, not yet accepted by the server (the desktop offline). */
  pending: boolean;
}

export interface ChatSnapshot {
  /** Oldest first. */
  items: ChatEntry[];
  /** The other side's messages this user has not read yet. */
  unread: number;
}

export interface AttachableDocument {
  id: string;
  fileName: string;
}

export interface ChatSource {
  /** The signed-in user's side: their own messages are «mine», the other side's can be unread. */
  readonly side: ChatSide;
  list(requestId: string): Promise<ChatSnapshot>;
  /** Calls `onChange` whenever the chat may have changed (a poke, a sync); returns the unsubscribe. */
  subscribe(requestId: string, onChange: () => void): () => void;
  /**
   * `key` is the draft's identity: a retry of the same draft passes the same key (the portal
   * sends it as the message id, so a lost answer never doubles the message).
   */
  send(requestId: string, message: { body: string; documentId: string | null }, key: string): Promise<ChatEntry>;
  /** Marks the other side's messages read (what this user has on screen). */
  markRead(requestId: string): Promise<void>;
  /** Documents the user may attach (the patient's own); also names attachments. */
  documents(requestId: string): Promise<AttachableDocument[]>;
  /** Opens an attached document, where this side has a viewer. */
  openDocument?(document: AttachableDocument): void;
  /** The Russian text to show for a failure (and any side effect, such as a lost session). */
  describeError(err: unknown): string;
}

/** A v4 UUID for a draft (crypto.randomUUID exists only in secure contexts). */
export function newDraftKey(c: Pick<Crypto, 'getRandomValues'> & { randomUUID?: () => string } = globalThis.crypto): string {
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
