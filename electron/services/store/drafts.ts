import crypto from 'node:crypto';
import type { Draft, DraftRow, DraftSummary } from '../../../shared/rpc/contract.js';
import { ServiceError } from '../errors.js';
import type { LocalStore } from './local-store.js';

/**
 * The physician's referral tables while they are drafts: kept only in the local store (they
 * work offline and survive restarts), sent to the server as one batch, then kept read-only.
 */

interface DraftRecord {
  id: string;
  title: string;
  file_name: string | null;
  file_hash: string | null;
  row_count: number;
  rows: string;
  created_at: string;
  updated_at: string;
  sent_batch_id: string | null;
  sent_at: string | null;
}

const SUMMARY_COLUMNS = 'id, title, file_name, file_hash, row_count, created_at, updated_at, sent_batch_id, sent_at';

function summary(r: Omit<DraftRecord, 'rows'>): DraftSummary {
  return {
    id: r.id,
    title: r.title,
    fileName: r.file_name,
    fileHash: r.file_hash,
    rowCount: r.row_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentBatchId: r.sent_batch_id,
    sentAt: r.sent_at,
  };
}

export function listDrafts(store: LocalStore): DraftSummary[] {
  const rows = store.sql(`SELECT ${SUMMARY_COLUMNS} FROM drafts ORDER BY updated_at DESC, id`).all() as Omit<DraftRecord, 'rows'>[];
  return rows.map(summary);
}

export function getDraft(store: LocalStore, id: string): Draft {
  const r = store.sql('SELECT * FROM drafts WHERE id = ?').get(id) as DraftRecord | undefined;
  if (!r) throw new ServiceError('NOT_FOUND', 'Таблица не найдена: возможно, она удалена. Откройте список таблиц.');
  return { ...summary(r), rows: JSON.parse(r.rows) as DraftRow[] };
}

export function createDraft(
  store: LocalStore,
  input: { title: string; fileName: string | null; fileHash: string | null; rows: DraftRow[] },
): Draft {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  store
    .sql('INSERT INTO drafts (id, title, file_name, file_hash, row_count, rows, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(id, input.title, input.fileName, input.fileHash, input.rows.length, JSON.stringify(input.rows), now, now);
  return getDraft(store, id);
}

function assertEditable(store: LocalStore, id: string): void {
  const r = store.sql('SELECT sent_batch_id FROM drafts WHERE id = ?').get(id) as { sent_batch_id: string | null } | undefined;
  if (!r) throw new ServiceError('NOT_FOUND', 'Таблица не найдена: возможно, она удалена. Откройте список таблиц.');
  if (r.sent_batch_id) throw new ServiceError('INVALID_STATE', 'Таблица уже отправлена и не редактируется. Создайте новую таблицу.');
}

export function saveDraft(store: LocalStore, input: { id: string; title: string; rows: DraftRow[] }): DraftSummary {
  return store.db.transaction(() => {
    assertEditable(store, input.id);
    const now = new Date().toISOString();
    store.sql('UPDATE drafts SET title = ?, rows = ?, row_count = ?, updated_at = ? WHERE id = ?').run(input.title, JSON.stringify(input.rows), input.rows.length, now, input.id);
    return summary(store.sql(`SELECT ${SUMMARY_COLUMNS} FROM drafts WHERE id = ?`).get(input.id) as Omit<DraftRecord, 'rows'>);
  })();
}

export function deleteDraft(store: LocalStore, id: string): void {
  const r = store.sql('SELECT sent_batch_id FROM drafts WHERE id = ?').get(id) as { sent_batch_id: string | null } | undefined;
  if (!r) return;
  if (r.sent_batch_id && store.isPending('batch', r.sent_batch_id)) {
    throw new ServiceError('INVALID_STATE', 'Таблица ещё отправляется: удалить её можно после синхронизации.');
  }
  store.sql('DELETE FROM drafts WHERE id = ?').run(id);
}

/** Called inside the transaction that queues the batch, so "sent" and the outbox row go together. */
export function markDraftSent(store: LocalStore, id: string, batchId: string): void {
  const now = new Date().toISOString();
  store.sql('UPDATE drafts SET sent_batch_id = ?, sent_at = ?, updated_at = ? WHERE id = ? AND sent_batch_id IS NULL').run(batchId, now, now, id);
}

/** The user's confirmed column mapping for a header layout, if any. */
export function rememberedMapping(store: LocalStore, signature: string): { index: number; target: string | null }[] | null {
  const r = store.sql('SELECT mapping FROM header_mappings WHERE signature = ?').get(signature) as { mapping: string } | undefined;
  return r ? (JSON.parse(r.mapping) as { index: number; target: string | null }[]) : null;
}

export function rememberMapping(store: LocalStore, signature: string, mapping: { index: number; target: string | null }[]): void {
  store
    .sql('INSERT INTO header_mappings (signature, mapping, updated_at) VALUES (?, ?, ?) ON CONFLICT(signature) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at')
    .run(signature, JSON.stringify(mapping), new Date().toISOString());
}
