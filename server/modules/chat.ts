import type { Kysely } from 'kysely';
import type { ChatMessage, SyncMessage } from '../../shared/domain/portal.js';
import { audienceOf, type Actor } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { isVisible } from '../sync/change-log.js';

/**
 * The doctor–patient chat tied to a request: the request's patient and the doctors who see the
 * request (its centre's) read and write; anyone else is told the request does not exist. Two
 * sides: the patient's and the doctors'. Unread = the other side's messages without `read_at`.
 * Messages sync as the `message` entity to exactly those two audiences (the patient, the
 * centre), so every write stamps them in the sync index and the commit pokes both: the desktop
 * pulls, the portal's live socket refetches `listMessages`.
 */

const LIST_LIMIT = 500;

type Side = 'patient' | 'doctor';

function sideOf(actor: Actor): Side {
  if (actor.role === 'patient') return 'patient';
  if (actor.role === 'doctor') return 'doctor';
  throw forbidden();
}

export interface ChatRequest {
  id: string;
  patientId: string;
  centre: string;
}

/** The request, if the actor may talk about it (404 otherwise, existence not leaked). */
export async function loadChatRequest(db: Kysely<Database>, actor: Actor, requestId: string): Promise<ChatRequest> {
  sideOf(actor);
  if (!(await isVisible(db, audienceOf(actor), 'request', requestId))) throw notFound('Заявка');
  const row = await db.selectFrom('consultation_requests').select(['id', 'patient_id', 'centre']).where('id', '=', requestId).executeTakeFirst();
  if (!row) throw notFound('Заявка');
  return { id: row.id, patientId: row.patient_id, centre: row.centre };
}

type Row = {
  id: string;
  request_id: string;
  sender_id: string;
  body: string;
  document_id: string | null;
  created_at: string;
  read_at: string | null;
  full_name: string;
  role: string;
};

function toMessage(r: Row): ChatMessage {
  return {
    id: r.id,
    requestId: r.request_id,
    senderId: r.sender_id,
    senderName: r.full_name,
    senderRole: r.role === 'patient' ? 'patient' : 'doctor',
    body: r.body,
    documentId: r.document_id,
    createdAt: r.created_at,
    readAt: r.read_at,
  };
}

function messagesOf(db: Kysely<Database>, requestId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('users as u', 'u.id', 'm.sender_id')
    .select(['m.id', 'm.request_id', 'm.sender_id', 'm.body', 'm.document_id', 'm.created_at', 'm.read_at', 'u.full_name', 'u.role'])
    .where('m.request_id', '=', requestId);
}

/** Messages of the other side that the actor has not read yet. */
function unreadOf(db: Kysely<Database>, actor: Actor, requestId: string) {
  const side = sideOf(actor);
  return db
    .selectFrom('messages as m')
    .innerJoin('users as u', 'u.id', 'm.sender_id')
    .where('m.request_id', '=', requestId)
    .where('m.read_at', 'is', null)
    .where('u.role', side === 'patient' ? '!=' : '=', 'patient');
}

/** The latest messages (oldest first) and how many of the other side's are unread. */
export async function listMessages(db: Kysely<Database>, actor: Actor, requestId: string): Promise<{ items: ChatMessage[]; unread: number; request: ChatRequest }> {
  const request = await loadChatRequest(db, actor, requestId);
  const rows = await messagesOf(db, requestId).orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(LIST_LIMIT).execute();
  const unread = await unreadOf(db, actor, requestId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { items: rows.reverse().map(toMessage), unread: Number(unread.n), request };
}

/** Writes a message; the client's id makes a retry return the same message. */
export async function sendMessage(
  w: WriteScope,
  actor: Actor,
  requestId: string,
  input: { id: string; body: string; documentId: string | null },
): Promise<{ message: ChatMessage; request: ChatRequest; replayed: boolean }> {
  const request = await loadChatRequest(w.tx, actor, requestId);
  const existing = await messagesOf(w.tx, requestId).where('m.id', '=', input.id).executeTakeFirst();
  if (existing) {
    if (existing.sender_id === actor.userId) return { message: toMessage(existing), request, replayed: true };
    throw new AppError('CONFLICT', 'Сообщение с таким идентификатором уже есть. Обновите переписку и отправьте снова.');
  }
  if (await w.tx.selectFrom('messages').select('id').where('id', '=', input.id).executeTakeFirst()) {
    throw new AppError('CONFLICT', 'Сообщение с таким идентификатором уже есть. Обновите переписку и отправьте снова.');
  }
  if (input.documentId) {
    const doc = await w.tx
      .selectFrom('documents')
      .select('id')
      .where('id', '=', input.documentId)
      .where('patient_id', '=', request.patientId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!doc) {
      const message = 'Прикрепить к сообщению можно только документ этого пациента, загруженный в сервис. Выберите документ из списка.';
      throw new AppError('VALIDATION_FAILED', message, [{ path: 'documentId', message }]);
    }
  }
  const at = new Date().toISOString();
  await w.tx
    .insertInto('messages')
    .values({ id: input.id, request_id: requestId, sender_id: actor.userId, body: input.body, document_id: input.documentId, created_at: at, read_at: null })
    .execute();
  await w.changed('message', [input.id]);
  const sender = await w.tx.selectFrom('users').select(['full_name', 'role']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
  const message = toMessage({ id: input.id, request_id: requestId, sender_id: actor.userId, body: input.body, document_id: input.documentId, created_at: at, read_at: null, ...sender });
  return { message, request, replayed: false };
}

/** Messages by id with their patient, for a sync pull (the caller has checked the audience). */
export async function loadSyncMessages(db: Kysely<Database>, ids: readonly string[]): Promise<SyncMessage[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('users as u', 'u.id', 'm.sender_id')
    .innerJoin('consultation_requests as r', 'r.id', 'm.request_id')
    .select(['m.id', 'm.request_id', 'm.sender_id', 'm.body', 'm.document_id', 'm.created_at', 'm.read_at', 'u.full_name', 'u.role', 'r.patient_id'])
    .where('m.id', 'in', [...ids])
    .execute();
  return rows.map((r) => ({ ...toMessage(r), patientId: r.patient_id }));
}

/**
 * Marks the other side's unread messages read; returns how many and the request. With `upTo`
 * (a message id), only those up to that message (by time, then id): a reader who was offline
 * has not seen what arrived after what was on their screen.
 */
export async function markMessagesRead(w: WriteScope, actor: Actor, requestId: string, upTo?: string): Promise<{ marked: number; request: ChatRequest }> {
  const request = await loadChatRequest(w.tx, actor, requestId);
  let unread = unreadOf(w.tx, actor, requestId);
  if (upTo !== undefined) {
    const last = await w.tx.selectFrom('messages').select(['id', 'created_at']).where('id', '=', upTo).where('request_id', '=', requestId).executeTakeFirst();
    if (!last) throw notFound('Сообщение');
    unread = unread.where((eb) => eb.or([eb('m.created_at', '<', last.created_at), eb.and([eb('m.created_at', '=', last.created_at), eb('m.id', '<=', last.id)])]));
  }
  const ids = (await unread.select('m.id').execute()).map((r) => r.id);
  if (ids.length === 0) return { marked: 0, request };
  const at = new Date().toISOString();
  let marked = 0;
  for (let i = 0; i < ids.length; i += 400) {
    const r = await w.tx.updateTable('messages').set({ read_at: at }).where('id', 'in', ids.slice(i, i + 400)).where('read_at', 'is', null).executeTakeFirst();
    marked += Number(r.numUpdatedRows);
  }
  await w.changed('message', ids);
  return { marked, request };
}
