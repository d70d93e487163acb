import type { CachedDocument, DocumentCacheState } from '../../../shared/rpc/contract.js';
import type { LocalStore } from '../store/local-store.js';

/** A row of `doc_cache`: which document's bytes are here, how far along, when last opened. */
export interface CacheRow {
  documentId: string;
  sha256: string;
  size: number;
  bytesDone: number;
  state: DocumentCacheState;
  pinned: boolean;
  error: string | null;
  lastAccess: string | null;
  updatedAt: string;
}

interface RawRow {
  document_id: string;
  sha256: string;
  size: number;
  bytes_done: number;
  state: DocumentCacheState;
  pinned: number;
  error: string | null;
  last_access: string | null;
  updated_at: string;
}

const toRow = (r: RawRow): CacheRow => ({
  documentId: r.document_id,
  sha256: r.sha256,
  size: r.size,
  bytesDone: r.bytes_done,
  state: r.state,
  pinned: r.pinned === 1,
  error: r.error,
  lastAccess: r.last_access,
  updatedAt: r.updated_at,
});

export function toCachedDocument(r: CacheRow): CachedDocument {
  return { documentId: r.documentId, state: r.state, size: r.size, bytesDone: r.bytesDone, pinned: r.pinned, error: r.error, lastAccess: r.lastAccess };
}

/** The cache state of one document as the UI shows it (null: never queued nor opened here). */
export function cacheEntry(store: LocalStore, documentId: string): CachedDocument | null {
  const r = new CacheIndex(store).get(documentId);
  return r ? toCachedDocument(r) : null;
}

/** The `doc_cache` table. The files are the truth about bytes; this says what they should be. */
export class CacheIndex {
  constructor(private readonly store: LocalStore) {}

  get(documentId: string): CacheRow | null {
    const r = this.store.sql('SELECT * FROM doc_cache WHERE document_id = ?').get(documentId) as RawRow | undefined;
    return r ? toRow(r) : null;
  }

  all(): CacheRow[] {
    return (this.store.sql('SELECT * FROM doc_cache ORDER BY document_id').all() as RawRow[]).map(toRow);
  }

  /** Creates the row if missing; a row for other bytes (another SHA-256) starts over. */
  ensure(doc: { id: string; sha256: string; size: number }, now: string): CacheRow {
    const existing = this.get(doc.id);
    if (existing && existing.sha256 === doc.sha256 && existing.size === doc.size) return existing;
    this.store
      .sql(
        `INSERT INTO doc_cache (document_id, sha256, size, bytes_done, state, pinned, error, last_access, updated_at)
         VALUES (?, ?, ?, 0, 'absent', 0, NULL, NULL, ?)
         ON CONFLICT(document_id) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, bytes_done = 0,
           state = 'absent', error = NULL, updated_at = excluded.updated_at`,
      )
      .run(doc.id, doc.sha256, doc.size, now);
    return this.get(doc.id) as CacheRow;
  }

  setState(documentId: string, state: DocumentCacheState, now: string, extra: { bytesDone?: number; error?: string | null } = {}): void {
    this.store
      .sql('UPDATE doc_cache SET state = ?, bytes_done = COALESCE(?, bytes_done), error = ?, updated_at = ? WHERE document_id = ?')
      .run(state, extra.bytesDone ?? null, extra.error ?? null, now, documentId);
  }

  setProgress(documentId: string, bytesDone: number): void {
    this.store.sql('UPDATE doc_cache SET bytes_done = ? WHERE document_id = ?').run(bytesDone, documentId);
  }

  touch(documentId: string, at: string): void {
    this.store.sql('UPDATE doc_cache SET last_access = ? WHERE document_id = ?').run(at, documentId);
  }

  setPinned(documentId: string, pinned: boolean): void {
    this.store.sql('UPDATE doc_cache SET pinned = ? WHERE document_id = ?').run(pinned ? 1 : 0, documentId);
  }

  remove(documentId: string): void {
    this.store.sql('DELETE FROM doc_cache WHERE document_id = ?').run(documentId);
  }

  /** Bytes on disk (plaintext measure): complete chunks of partial downloads count too. */
  usedBytes(): number {
    const r = this.store.sql('SELECT COALESCE(SUM(bytes_done), 0) AS n FROM doc_cache').get() as { n: number };
    return r.n;
  }

  /** Rows whose document is no longer in the local store (deleted, or no longer visible). */
  orphans(): CacheRow[] {
    return (this.store.sql('SELECT c.* FROM doc_cache c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL').all() as RawRow[]).map(toRow);
  }

  /** Forgets every file (they were sealed with a key that is gone); pins are kept. */
  resetAll(now: string): void {
    this.store.sql("UPDATE doc_cache SET state = 'absent', bytes_done = 0, error = NULL, updated_at = ?").run(now);
  }
}

/**
 * What to evict to get under `limit`, in order: unpinned rows holding bytes, not in use; first
 * those the prefetch does not want, least recently used first (opened, else cached); then the
 * wanted ones, least urgent first. Pinned rows are never chosen.
 */
export function evictionOrder(
  rows: readonly CacheRow[],
  limit: number,
  opts: { busy?: ReadonlySet<string>; wantedRank?: ReadonlyMap<string, number> } = {},
): CacheRow[] {
  let used = rows.reduce((n, r) => n + r.bytesDone, 0);
  if (used <= limit) return [];
  const rank = opts.wantedRank ?? new Map<string, number>();
  const lru = (r: CacheRow) => r.lastAccess ?? r.updatedAt;
  const candidates = rows
    .filter((r) => !r.pinned && r.bytesDone > 0 && !opts.busy?.has(r.documentId))
    .sort((a, b) => {
      const ra = rank.get(a.documentId);
      const rb = rank.get(b.documentId);
      if (ra === undefined && rb === undefined) return lru(a) < lru(b) ? -1 : lru(a) > lru(b) ? 1 : 0;
      if (ra === undefined) return -1;
      if (rb === undefined) return 1;
      return rb - ra;
    });
  const out: CacheRow[] = [];
  for (const r of candidates) {
    if (used <= limit) break;
    out.push(r);
    used -= r.bytesDone;
  }
  return out;
}
