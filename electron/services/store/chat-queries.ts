import type { SyncMessage } from '../../../shared/domain/portal.js';
import type { ChatItem } from '../../../shared/rpc/chat.js';
import type { LocalStore } from './local-store.js';

/**
 * The chat in the local store. Unread (for the doctor) = the patient's messages with no
 * `read_at` from the server and after this user's local read mark, so a message read offline
 * stops counting at once and one that arrives later still counts.
 */

const UNREAD = `
  FROM messages m LEFT JOIN chat_read_marks k ON k.request_id = m.request_id
  WHERE m.sender_role = 'patient' AND m.read_at IS NULL
    AND (k.request_id IS NULL OR m.created_at > k.up_to_created_at OR (m.created_at = k.up_to_created_at AND m.id > k.up_to_id))`;

function pendingSends(store: LocalStore): Set<string> {
  const rows = store.sql("SELECT entity_id FROM outbox WHERE name = 'message.send'").all() as { entity_id: string }[];
  return new Set(rows.map((r) => r.entity_id));
}

export function listChat(store: LocalStore, requestId: string): { items: ChatItem[]; unread: number } {
  const pending = pendingSends(store);
  const items = (store.sql('SELECT data FROM messages WHERE request_id = ? ORDER BY created_at, id').all(requestId) as { data: string }[]).map((r) => {
    const m = JSON.parse(r.data) as SyncMessage;
    return { ...m, pending: pending.has(m.id) };
  });
  return { items, unread: unreadCounts(store, [requestId]).total };
}

export function unreadCounts(store: LocalStore, requestIds?: readonly string[]): { total: number; byRequest: Record<string, number> } {
  const rows = store.sql(`SELECT m.request_id AS requestId, COUNT(*) AS n ${UNREAD} GROUP BY m.request_id`).all() as { requestId: string; n: number }[];
  const wanted = requestIds ? new Set(requestIds) : null;
  const byRequest: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    if (wanted && !wanted.has(r.requestId)) continue;
    byRequest[r.requestId] = r.n;
    total += r.n;
  }
  return { total, byRequest };
}

/** The newest message from the patient that still counts as unread here, if any. */
export function lastUnread(store: LocalStore, requestId: string): { id: string; createdAt: string; count: number } | null {
  const row = store.sql(`SELECT m.id AS id, m.created_at AS createdAt ${UNREAD} AND m.request_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 1`).get(requestId) as
    | { id: string; createdAt: string }
    | undefined;
  if (!row) return null;
  const count = (store.sql(`SELECT COUNT(*) AS n ${UNREAD} AND m.request_id = ?`).get(requestId) as { n: number }).n;
  return { ...row, count };
}

export function setReadMark(store: LocalStore, requestId: string, upTo: { id: string; createdAt: string }): void {
  store
    .sql(
      `INSERT INTO chat_read_marks (request_id, up_to_created_at, up_to_id, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(request_id) DO UPDATE SET up_to_created_at = excluded.up_to_created_at, up_to_id = excluded.up_to_id, updated_at = excluded.updated_at`,
    )
    .run(requestId, upTo.createdAt, upTo.id, new Date().toISOString());
}
