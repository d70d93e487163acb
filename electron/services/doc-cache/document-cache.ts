import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PatientDocument } from '../../../shared/domain/documents.js';
import type { z } from 'zod';
import type { CacheStatus, CachedDocument, DocumentContent } from '../../../shared/rpc/contract.js';
import type { ApiClient } from '../api/http-client.js';
import { ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { EventBus } from '../rpc/events.js';
import type { SecretStore } from '../secrets.js';
import type { LocalStore } from '../store/local-store.js';
import type { SyncEngine } from '../sync/engine.js';
import { CacheIndex, evictionOrder, toCachedDocument } from './cache-index.js';
import { keyFingerprint, loadOrCreateCacheKey } from './cache-key.js';
import { CacheIntegrityError, CHUNK_BYTES, EncryptedChunkWriter, readCacheFile } from './chunked-crypto.js';
import { planDownloads, prefetchCandidates } from './scheduler.js';

const log = createLogger('doc-cache');

export const DEFAULT_LIMIT_BYTES = 2 * 1024 * 1024 * 1024;
const KEY_META = 'doc_cache_key';

export const NOT_DOWNLOADED_MESSAGE =
  'Документ ещё не загружен на этот компьютер, а связи с сервером нет. Откройте его, когда связь восстановится; документы пациентов из очереди загружаются заранее автоматически.';
const MISMATCH_MESSAGE = 'Файл документа пришёл повреждённым (контрольная сумма не совпала). Загрузка повторится автоматически.';
const TAMPERED_MESSAGE = 'Сохранённая копия документа повреждена и удалена. Документ будет загружен заново.';
const FAILED_MESSAGE = 'Не удалось загрузить документ. Загрузка повторится автоматически.';

/**
 * For tests that must break a transfer at a known point: return true to cut the download of
 * `documentId` once `offset` bytes have arrived (as if the connection dropped).
 */
export const downloadTestHooks: { interrupt?: (documentId: string, offset: number) => boolean } = {};

export interface DocumentCacheOptions {
  store: LocalStore;
  api: ApiClient;
  engine: Pick<SyncEngine, 'mutate' | 'status'>;
  bus: EventBus;
  secrets: SecretStore;
  /** The SecretStore entry of this store's cache key (cacheKeyName). */
  keyName: string;
  /** Where the encrypted files go (default: `doc-cache` beside the store). */
  dir?: string;
  /** Download the queue's and upcoming consultations' documents in the background (centre doctors). */
  prefetch: boolean;
  /** Default: env OBLAKO_DOC_CACHE_BYTES, else 2 GiB. */
  limitBytes?: number;
  /** Downloads at a time (1–2). */
  concurrency?: number;
  chunkBytes?: number;
  /** Wait before trying again while the server cannot be reached (a reconnect wakes it sooner). */
  offlineRetryMs?: number;
  /** Wait before downloading a failed document again. */
  failedRetryMs?: number;
  now?: () => Date;
  interrupt?: (documentId: string, offset: number) => boolean;
}

type Outcome = { kind: 'cached' } | { kind: 'offline' } | { kind: 'failed'; code: ServiceError['code']; message: string };

interface Target {
  id: string;
  sha256: string;
  size: number;
}

class Interrupted extends Error {}

/**
 * The centre doctor's document cache: fetches documents' bytes ahead of need (the queue, the
 * upcoming week's consultations; most urgent first), verifies them by SHA-256, resumes broken
 * transfers with Range, keeps them sealed with AES-256-GCM under a key from the OS secret store,
 * within a size limit (least recently used go first; pinned never), and serves `documents.read`
 * from the cache, online or not, queueing the view for the server's audit log.
 */
export class DocumentCache {
  readonly limitBytes: number;
  private readonly dir: string;
  private readonly index: CacheIndex;
  private readonly chunkBytes: number;
  private readonly concurrency: number;
  private key: Buffer | null = null;
  private stopped = true;
  private loop: Promise<void> | null = null;
  private abort = new AbortController();
  private dirty = false;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly inflight = new Map<string, Promise<Outcome>>();
  private readonly reading = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private wantedRank = new Map<string, number>();

  constructor(private readonly opts: DocumentCacheOptions) {
    this.dir = opts.dir ?? path.join(path.dirname(opts.store.db.name), 'doc-cache');
    this.index = new CacheIndex(opts.store);
    this.limitBytes = opts.limitBytes ?? limitFromEnv();
    this.chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
    this.concurrency = Math.min(2, Math.max(1, opts.concurrency ?? 2));
    this.key = this.loadKey();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.unsubscribe = this.opts.bus.subscribe((event, payload) => {
      if (event === 'data.changed') {
        const entities = (payload as { entities: readonly string[] }).entities;
        if (entities.some((e) => e === 'document' || e === 'request' || e === 'consultation')) this.poke();
      } else if (event === 'sync.status' && (payload as { state: string }).state === 'online') {
        this.poke();
      }
    });
    this.loop = this.run().finally(() => (this.loop = null));
  }

  /** Stops downloading (keeping completed chunks for next time) and waits until nothing runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.abort.abort();
    this.poke();
    while (this.loop) await this.loop;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
  }

  /** Look again now: new documents, a pin, the connection back. */
  poke(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  status(patientId?: string): z.infer<typeof CacheStatus> {
    let items: CachedDocument[];
    if (patientId) {
      items = this.opts.store.listDocuments(patientId).map((d) => {
        const row = this.index.get(d.id);
        return row && row.sha256 === d.sha256 ? toCachedDocument(row) : absent(d);
      });
    } else {
      items = this.index.all().map(toCachedDocument);
    }
    return { items, usedBytes: this.index.usedBytes(), limitBytes: this.limitBytes };
  }

  pin(documentId: string, pinned: boolean): CachedDocument {
    const doc = this.document(documentId);
    const now = this.iso();
    this.index.ensure(doc, now);
    this.index.setPinned(doc.id, pinned);
    if (pinned) this.failedAt.delete(doc.id);
    else this.evict();
    this.changed();
    this.poke();
    return toCachedDocument(this.index.get(doc.id) as NonNullable<ReturnType<CacheIndex['get']>>);
  }

  /**
   * A document's bytes: from the cache if there (and intact), else fetched now (and cached if
   * it fits). Every successful read queues `document.view` for the server's audit log.
   */
  async read(documentId: string): Promise<z.infer<typeof DocumentContent>> {
    const doc = this.document(documentId);
    let bytes: Buffer | null = null;
    let fromCache = false;
    const row = this.index.get(doc.id);
    if (this.key && row?.state === 'cached' && row.sha256 === doc.sha256) {
      try {
        bytes = readCacheFile(this.fileOf(doc.id), this.key, sealId(doc), doc.size);
        if (sha256(bytes) !== doc.sha256) throw new CacheIntegrityError('SHA-256 differs');
        fromCache = true;
        this.index.touch(doc.id, this.iso());
        this.changed();
      } catch (err) {
        bytes = null;
        log.error({ documentId: doc.id, err: err instanceof Error ? err.message : String(err) }, 'cached copy failed verification; discarded');
        this.discard(doc.id, 'failed', TAMPERED_MESSAGE);
      }
    }
    bytes ??= await this.fetch(doc);
    const viewedAt = this.iso();
    this.opts.engine.mutate({
      name: 'document.view',
      args: { documentId: doc.id, viewedAt, fromCache },
      summary: `Просмотр документа «${doc.fileName}»`,
      entity: 'document',
      entityId: doc.id,
      // No change of its own: the document's row stays as it is.
      optimistic: { entity: 'document', data: doc },
    });
    return { documentId: doc.id, mime: doc.mime, fileName: doc.fileName, base64: bytes.toString('base64'), fromCache };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private async fetch(doc: PatientDocument): Promise<Buffer> {
    const row = this.index.get(doc.id);
    if (this.key && (doc.size <= this.limitBytes || (row?.pinned ?? false))) {
      const now = this.iso();
      this.index.ensure(doc, now);
      this.index.touch(doc.id, now);
      this.reading.add(doc.id);
      try {
        const out = await this.download(doc);
        if (out.kind === 'offline') throw new ServiceError('SERVER_UNREACHABLE', NOT_DOWNLOADED_MESSAGE);
        if (out.kind === 'failed') throw new ServiceError(out.code, out.message);
        return readCacheFile(this.fileOf(doc.id), this.key, sealId(doc), doc.size);
      } finally {
        this.reading.delete(doc.id);
      }
    }
    // Too big for the cache (or no key): in memory only.
    const parts: Buffer[] = [];
    try {
      const stream = await this.opts.api.streamDocumentContent(doc.id, { signal: this.abort.signal });
      for await (const piece of stream.body) parts.push(Buffer.from(piece));
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') throw new ServiceError('SERVER_UNREACHABLE', NOT_DOWNLOADED_MESSAGE);
      throw err;
    }
    const bytes = Buffer.concat(parts);
    if (sha256(bytes) !== doc.sha256) throw new ServiceError('INTERNAL', MISMATCH_MESSAGE);
    return bytes;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.dirty = false;
      let targets: Target[] = [];
      let retryInMs: number | null = null;
      try {
        ({ targets, retryInMs } = this.plan());
      } catch (err) {
        log.error({ err }, 'planning downloads failed');
      }
      if (targets.length === 0) {
        await this.sleep(retryInMs);
        continue;
      }
      if (this.opts.engine.status().state === 'offline') {
        // The engine's reconnect (sync.status online) wakes us sooner.
        await this.sleep(this.opts.offlineRetryMs ?? 30_000);
        if (this.stopped) break;
      }
      const outcomes = await Promise.all(targets.slice(0, this.concurrency).map((t) => this.download(t)));
      if (outcomes.some((o) => o.kind === 'offline')) await this.sleep(this.opts.offlineRetryMs ?? 30_000);
    }
  }

  private sleep(ms: number | null): Promise<void> {
    if (this.stopped || this.dirty) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => this.poke(), ms);
      timer?.unref?.();
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  /** What to download now, in order; forgets documents no longer here; keeps within the limit. */
  private plan(): { targets: Target[]; retryInMs: number | null } {
    const now = this.now();
    const nowIso = now.toISOString();
    let changed = false;
    for (const o of this.index.orphans()) {
      if (this.inflight.has(o.documentId)) continue;
      fs.rmSync(this.fileOf(o.documentId), { force: true });
      this.index.remove(o.documentId);
      changed = true;
    }
    if (!this.key) {
      if (changed) this.changed();
      return { targets: [], retryInMs: null };
    }
    const candidates = this.opts.prefetch ? prefetchCandidates(this.opts.store, now) : [];
    const byId = new Map<string, Target>(candidates.map((c) => [c.id, c]));
    const pinned = this.index.all().filter((r) => r.pinned);
    for (const p of pinned) byId.set(p.documentId, { id: p.documentId, sha256: p.sha256, size: p.size });
    const { order, wantedRank } = planDownloads(candidates, pinned.map((p) => ({ id: p.documentId, size: p.size })), this.limitBytes);
    this.wantedRank = wantedRank;
    const targets: Target[] = [];
    const planned = new Set<string>();
    let retryInMs: number | null = null;
    const retryAfter = this.opts.failedRetryMs ?? 10 * 60_000;
    for (const o of order) {
      const t = byId.get(o.id);
      if (!t) continue;
      planned.add(t.id);
      const row = this.index.get(t.id);
      if (row && row.state === 'cached' && row.sha256 === t.sha256) continue;
      if (this.inflight.has(t.id)) continue;
      const failed = this.failedAt.get(t.id);
      if (failed !== undefined && now.getTime() - failed < retryAfter) {
        const wait = retryAfter - (now.getTime() - failed);
        retryInMs = retryInMs === null ? wait : Math.min(retryInMs, wait);
        continue;
      }
      const r = this.index.ensure(t, nowIso);
      if (r.state !== 'queued') {
        this.index.setState(t.id, 'queued', nowIso, { error: r.state === 'failed' ? r.error : null });
        changed = true;
      }
      targets.push(t);
    }
    // No longer wanted (the request closed, say): not queued any more; what arrived stays until evicted.
    for (const r of this.index.all()) {
      if ((r.state === 'queued' || r.state === 'downloading') && !planned.has(r.documentId) && !this.inflight.has(r.documentId)) {
        this.index.setState(r.documentId, 'absent', nowIso);
        changed = true;
      }
    }
    if (this.evict(false)) changed = true;
    if (changed) this.changed();
    return { targets, retryInMs };
  }

  private download(t: Target): Promise<Outcome> {
    let p = this.inflight.get(t.id);
    if (!p) {
      p = this.transfer(t).finally(() => this.inflight.delete(t.id));
      this.inflight.set(t.id, p);
    }
    return p;
  }

  private async transfer(t: Target): Promise<Outcome> {
    const key = this.key;
    if (!key) return { kind: 'failed', code: 'INTERNAL', message: FAILED_MESSAGE };
    const index = this.index;
    index.ensure(t, this.iso());
    index.setState(t.id, 'downloading', this.iso());
    this.changed();
    const file = this.fileOf(t.id);
    let hash = crypto.createHash('sha256');
    let writer: EncryptedChunkWriter | null = null;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writer = EncryptedChunkWriter.resume(file, key, sealId(t), this.chunkBytes, hash);
      let received = writer.durableBytes;
      index.setProgress(t.id, received);
      if (received > 0) log.info({ documentId: t.id, from: received, size: t.size }, 'resuming document download');
      const interrupt = this.opts.interrupt ?? downloadTestHooks.interrupt;
      while (received < t.size) {
        if (this.stopped && !this.reading.has(t.id)) throw new Interrupted('stopped');
        const stream = await this.opts.api.streamDocumentContent(t.id, { start: received, ifRange: t.sha256, signal: this.abort.signal });
        if (stream.status === 200 && received > 0) {
          // The server would not continue (the file changed, or no Range support): from the start.
          writer.restart();
          hash = crypto.createHash('sha256');
          received = 0;
        } else if (stream.status === 206 && stream.start !== received) {
          throw new CacheIntegrityError(`server resumed at ${stream.start}, expected ${received}`);
        }
        if (Number.isFinite(stream.total) && stream.total !== t.size) throw new CacheIntegrityError(`server has ${stream.total} bytes, expected ${t.size}`);
        const before = received;
        for await (const piece of stream.body) {
          if (received + piece.length > t.size) throw new CacheIntegrityError('more bytes than the document has');
          hash.update(piece);
          received += piece.length;
          if (writer.append(piece)) {
            index.setProgress(t.id, writer.durableBytes);
            this.changed();
          }
          if (interrupt?.(t.id, received)) throw new ServiceError('SERVER_UNREACHABLE', 'interrupted');
        }
        if (received === before) throw new ServiceError('SERVER_UNREACHABLE', 'empty answer');
      }
      writer.finish();
      if (hash.digest('hex') !== t.sha256) {
        writer.close();
        writer = null;
        log.warn({ documentId: t.id }, 'downloaded document does not match its SHA-256; discarded');
        this.failedAt.set(t.id, this.now().getTime());
        this.discard(t.id, 'failed', MISMATCH_MESSAGE);
        return { kind: 'failed', code: 'INTERNAL', message: MISMATCH_MESSAGE };
      }
      index.setState(t.id, 'cached', this.iso(), { bytesDone: t.size });
      this.failedAt.delete(t.id);
      log.info({ documentId: t.id, size: t.size }, 'document cached');
      this.evict();
      this.changed();
      return { kind: 'cached' };
    } catch (err) {
      const done = writer?.durableBytes ?? 0;
      if (err instanceof Interrupted || (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') || this.abort.signal.aborted) {
        index.setState(t.id, 'queued', this.iso(), { bytesDone: done });
        this.changed();
        return { kind: 'offline' };
      }
      this.failedAt.set(t.id, this.now().getTime());
      if (err instanceof ServiceError) {
        index.setState(t.id, 'failed', this.iso(), { bytesDone: done, error: err.message });
        this.changed();
        return { kind: 'failed', code: err.code, message: err.message };
      }
      log.error({ documentId: t.id, err: err instanceof Error ? err.message : String(err) }, 'document download failed');
      if (err instanceof CacheIntegrityError) {
        writer?.close();
        writer = null;
        this.discard(t.id, 'failed', MISMATCH_MESSAGE);
        return { kind: 'failed', code: 'INTERNAL', message: MISMATCH_MESSAGE };
      }
      index.setState(t.id, 'failed', this.iso(), { bytesDone: done, error: FAILED_MESSAGE });
      this.changed();
      return { kind: 'failed', code: 'INTERNAL', message: FAILED_MESSAGE };
    } finally {
      writer?.close();
    }
  }

  /** Evicts until under the limit; returns whether anything went. */
  private evict(emit = true): boolean {
    const busy = new Set([...this.inflight.keys(), ...this.reading]);
    const victims = evictionOrder(this.index.all(), this.limitBytes, { busy, wantedRank: this.wantedRank });
    for (const v of victims) {
      fs.rmSync(this.fileOf(v.documentId), { force: true });
      this.index.setState(v.documentId, 'absent', this.iso(), { bytesDone: 0 });
      log.info({ documentId: v.documentId, size: v.size }, 'evicted from the document cache');
    }
    if (victims.length > 0 && emit) this.changed();
    return victims.length > 0;
  }

  private discard(documentId: string, state: 'failed' | 'absent', error: string | null): void {
    fs.rmSync(this.fileOf(documentId), { force: true });
    this.index.setState(documentId, state, this.iso(), { bytesDone: 0, error });
    this.changed();
  }

  private loadKey(): Buffer | null {
    let key: Buffer;
    try {
      key = loadOrCreateCacheKey(this.opts.secrets, this.opts.keyName).key;
    } catch (err) {
      // No OS keychain: documents are still readable online, just never kept on disk.
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'no secret store for the cache key; documents will not be cached');
      return null;
    }
    const fp = keyFingerprint(key);
    if (this.opts.store.getMeta(KEY_META) !== fp) {
      // Files sealed with a key that is gone cannot be read: start the cache over.
      fs.rmSync(this.dir, { recursive: true, force: true });
      this.index.resetAll(this.iso());
      this.opts.store.setMeta(KEY_META, fp);
    }
    return key;
  }

  private document(documentId: string): PatientDocument {
    const row = this.opts.store.sql('SELECT data FROM documents WHERE id = ?').get(documentId) as { data: string } | undefined;
    if (!row) throw new ServiceError('NOT_FOUND', 'Документ не найден. Обновите список документов пациента.');
    return JSON.parse(row.data) as PatientDocument;
  }

  fileOf(documentId: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(documentId)) throw new ServiceError('VALIDATION_FAILED', 'Неверный идентификатор документа.');
    return path.join(this.dir, documentId);
  }

  private changed(): void {
    this.opts.bus.emit('data.changed', { entities: ['document'] });
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private iso(): string {
    return this.now().toISOString();
  }
}

function absent(d: PatientDocument): CachedDocument {
  return { documentId: d.id, state: 'absent', size: d.size, bytesDone: 0, pinned: false, error: null, lastAccess: null };
}

/**
 * What each chunk's tag binds the file to: the document and its exact bytes, so chunks left
 * from other contents under the same id never pass as a resumable start.
 */
function sealId(d: { id: string; sha256: string }): string {
  return `${d.id}:${d.sha256}`;
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function limitFromEnv(): number {
  const n = Number(process.env.OBLAKO_DOC_CACHE_BYTES);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : DEFAULT_LIMIT_BYTES;
}
