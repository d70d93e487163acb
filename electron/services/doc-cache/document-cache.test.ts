import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PatientDocument } from '../../../shared/domain/documents.js';
import { ApiClient } from '../api/http-client.js';
import { EventBus } from '../rpc/events.js';
import { MemorySecretStore } from '../secrets.js';
import { LocalStore } from '../store/local-store.js';
import { patient, request, tempDir, testStoreKey } from '../store/test-fixtures.js';
import { DocumentCache, NOT_DOWNLOADED_MESSAGE } from './document-cache.js';

/** A stand-in for the content route: Range and If-Range as the server does them, and faults on demand. */
class FileServer {
  readonly files = new Map<string, Buffer>();
  readonly seen: { id: string; range: string | null; ifRange: string | null }[] = [];
  /** Drop the connection after this many body bytes, once per document. */
  readonly cutAfter = new Map<string, number>();
  /** Answer Range requests with the whole file (200), as a server or proxy without Range support does. */
  readonly noRanges = new Set<string>();
  /** Serve these bytes instead (a damaged copy). */
  readonly corrupt = new Set<string>();
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const id = /^\/api\/documents\/([^/]+)\/content$/.exec(req.url ?? '')?.[1] ?? '';
    const file = this.files.get(id);
    this.seen.push({ id, range: req.headers.range ?? null, ifRange: (req.headers['if-range'] as string | undefined) ?? null });
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Документ не найден.' } }));
      return;
    }
    const body = this.corrupt.has(id) ? Buffer.from(file).fill(0x41, 10, 20) : file;
    const etag = `"${crypto.createHash('sha256').update(file).digest('hex')}"`;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const useRange = m && !this.noRanges.has(id) && (req.headers['if-range'] === undefined || req.headers['if-range'] === etag);
    const start = useRange ? Number(m[1]) : 0;
    const end = useRange && m[2] ? Number(m[2]) : body.length - 1;
    const headers: Record<string, string> = { etag, 'content-type': 'application/pdf', 'content-length': String(end - start + 1) };
    if (useRange) headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
    res.writeHead(useRange ? 206 : 200, headers);
    const cut = this.cutAfter.get(id);
    if (cut !== undefined) {
      this.cutAfter.delete(id);
      res.write(body.subarray(start, start + cut), () => res.destroy());
      return;
    }
    res.end(body.subarray(start, end + 1));
  }
}

let server: FileServer;
let dir: { dir: string; cleanup(): void };
let store: LocalStore;
let cache: DocumentCache | null;
let clock: number;
const mutate = vi.fn();
let online = true;

function pdf(size: number): Buffer {
  return Buffer.concat([Buffer.from('%PDF-'), crypto.randomBytes(size - 5)]);
}

function addDocument(patientId: string, bytes: Buffer): PatientDocument {
  const doc = {
    id: crypto.randomUUID(),
    patientId,
    type: 'ecg',
    fileName: 'ЭКГ.pdf',
    mime: 'application/pdf',
    size: bytes.length,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    createdAt: new Date(clock).toISOString(),
  } as PatientDocument;
  store.putFromServer({ entity: 'document', data: doc });
  server.files.set(doc.id, bytes);
  return doc;
}

function queued(bytes: Buffer): PatientDocument {
  const p = patient();
  store.putFromServer({ entity: 'patient', data: p });
  store.putFromServer({ entity: 'request', data: request(p.id, { status: 'new' }) });
  return addDocument(p.id, bytes);
}

function makeCache(o: { prefetch: boolean; limitBytes?: number; secrets?: MemorySecretStore }): DocumentCache {
  cache = new DocumentCache({
    store,
    api: new ApiClient({ baseUrl: server.url, timeoutMs: 5000 }),
    engine: { mutate, status: () => ({ state: online ? 'online' : 'offline', pending: 0, lastSyncedAt: null, lastError: null }) },
    bus: new EventBus(),
    secrets: o.secrets ?? new MemorySecretStore(),
    keyName: 'test.key',
    prefetch: o.prefetch,
    limitBytes: o.limitBytes ?? 1024 * 1024,
    chunkBytes: 1024,
    offlineRetryMs: 20,
    failedRetryMs: 60_000,
    now: () => new Date((clock += 1000)),
  });
  return cache;
}

async function until<T>(check: () => T, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stateOf = (id: string) => cache?.status().items.find((i) => i.documentId === id);

beforeEach(async () => {
  clock = Date.parse('2026-11-22T10:00:00.000Z');
  online = true;
  mutate.mockReset();
  server = new FileServer();
  await server.start();
  dir = tempDir();
  store = LocalStore.open(path.join(dir.dir, 'store.sqlite'), testStoreKey());
  cache = null;
});
afterEach(async () => {
  await cache?.stop();
  store.close();
  await server.stop();
  dir.cleanup();
});

describe('DocumentCache', () => {
  it('prefetches the queue, resumes a dropped transfer with Range and If-Range, serves from the cache and queues the view', async () => {
    const bytes = pdf(5000);
    const doc = queued(bytes);
    server.cutAfter.set(doc.id, 2500);
    makeCache({ prefetch: true }).start();
    await until(() => stateOf(doc.id)?.state === 'cached', 'the document to be cached');
    const mine = server.seen.filter((s) => s.id === doc.id);
    expect(mine[0]).toMatchObject({ range: null });
    // Two whole 1 KiB chunks had arrived when the line dropped.
    expect(mine[1]).toMatchObject({ range: 'bytes=2048-', ifRange: `"${doc.sha256}"` });
    expect(mine).toHaveLength(2);

    const read = await cache!.read(doc.id);
    expect(read).toMatchObject({ fromCache: true, fileName: 'ЭКГ.pdf', mime: 'application/pdf' });
    expect(Buffer.from(read.base64, 'base64').equals(bytes)).toBe(true);
    expect(mutate).toHaveBeenCalledWith(expect.objectContaining({ name: 'document.view', args: expect.objectContaining({ documentId: doc.id, fromCache: true }) }));
  });

  it('a 200 to a Range request starts the file over', async () => {
    const bytes = pdf(5000);
    const doc = queued(bytes);
    server.cutAfter.set(doc.id, 2500);
    server.noRanges.add(doc.id);
    makeCache({ prefetch: true }).start();
    await until(() => stateOf(doc.id)?.state === 'cached', 'the document to be cached');
    expect(server.seen.filter((s) => s.id === doc.id).map((s) => s.range)).toEqual([null, 'bytes=2048-']);
    expect(Buffer.from((await cache!.read(doc.id)).base64, 'base64').equals(bytes)).toBe(true);
  });

  it('chunks left from other contents under the same id are not resumed from', async () => {
    const doc = queued(pdf(5000));
    server.cutAfter.set(doc.id, 2500);
    makeCache({ prefetch: true }).start();
    await until(() => server.seen.length >= 2, 'the resumed request');
    await until(() => stateOf(doc.id)?.state === 'cached', 'cached');
    await cache!.stop();
    // The same id now stands for other bytes (say, metadata corrected on the server).
    const other = pdf(4000);
    const changed = { ...doc, size: other.length, sha256: crypto.createHash('sha256').update(other).digest('hex') };
    store.putFromServer({ entity: 'document', data: changed });
    server.files.set(doc.id, other);
    server.seen.length = 0;
    makeCache({ prefetch: true }).start();
    await until(() => stateOf(doc.id)?.state === 'cached' && stateOf(doc.id)?.size === 4000, 'the new contents cached');
    expect(server.seen.map((s) => s.range)).toEqual([null]);
    expect(Buffer.from((await cache!.read(doc.id)).base64, 'base64').equals(other)).toBe(true);
  });

  it('a download that does not match its SHA-256 is discarded and marked failed', async () => {
    const doc = queued(pdf(3000));
    server.corrupt.add(doc.id);
    makeCache({ prefetch: true }).start();
    const s = await until(() => (stateOf(doc.id)?.state === 'failed' ? stateOf(doc.id) : null), 'the download to fail');
    expect(s.error).toMatch(/контрольная сумма/);
    expect(s.bytesDone).toBe(0);
    expect(fs.existsSync(cache!.fileOf(doc.id))).toBe(false);
  });

  it('offline and not cached: SERVER_UNREACHABLE, nothing queued', async () => {
    const doc = queued(pdf(3000));
    await expect(
      new DocumentCache({
        store,
        api: new ApiClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 }),
        engine: { mutate, status: () => ({ state: 'offline', pending: 0, lastSyncedAt: null, lastError: null }) },
        bus: new EventBus(),
        secrets: new MemorySecretStore(),
        keyName: 'k',
        prefetch: false,
      }).read(doc.id),
    ).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE', message: NOT_DOWNLOADED_MESSAGE });
    expect(mutate).not.toHaveBeenCalled();
  });

  it('keeps within the limit: least recently read go first, pinned never; a document over the limit alone is cached only if pinned', async () => {
    const p = patient();
    store.putFromServer({ entity: 'patient', data: p });
    const [d1, d2, d3] = [addDocument(p.id, pdf(2000)), addDocument(p.id, pdf(2000)), addDocument(p.id, pdf(2000))];
    const big = addDocument(p.id, pdf(6000));
    makeCache({ prefetch: false, limitBytes: 5000 }).start();
    await cache!.read(d1!.id);
    await cache!.read(d2!.id);
    expect(cache!.pin(d1!.id, true)).toMatchObject({ pinned: true, state: 'cached' });
    await cache!.read(d2!.id);
    await cache!.read(d3!.id);
    // d1 pinned, d3 in use: d2 goes although read after d1.
    expect(stateOf(d2!.id)).toMatchObject({ state: 'absent', bytesDone: 0 });
    expect(stateOf(d1!.id)?.state).toBe('cached');
    expect(stateOf(d3!.id)?.state).toBe('cached');
    expect(cache!.status().usedBytes).toBe(4000);

    const read = await cache!.read(big.id);
    expect(read.fromCache).toBe(false);
    expect(Buffer.from(read.base64, 'base64').length).toBe(6000);
    expect(stateOf(big.id)).toBeUndefined();

    cache!.pin(big.id, true);
    await until(() => stateOf(big.id)?.state === 'cached', 'the pinned big document to be cached');
    // Over the limit with two pinned: every unpinned one went.
    expect(stateOf(d3!.id)?.state).toBe('absent');
    expect(stateOf(d1!.id)?.state).toBe('cached');
    expect(cache!.status().usedBytes).toBe(8000);
  });

  it('a cache key lost from the secret store starts the cache over', async () => {
    const doc = queued(pdf(1500));
    const secrets = new MemorySecretStore();
    makeCache({ prefetch: true, secrets }).start();
    await until(() => stateOf(doc.id)?.state === 'cached', 'cached');
    await cache!.stop();
    secrets.delete('test.key');
    const again = makeCache({ prefetch: false, secrets });
    expect(again.status().items.find((i) => i.documentId === doc.id)).toMatchObject({ state: 'absent', bytesDone: 0 });
    expect(fs.existsSync(again.fileOf(doc.id))).toBe(false);
  });
});
