import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../shared/rpc/client.js';
import { connectRpc } from '../../e2e/support/node-rpc.js';
import { startDesktopHost, type DesktopHost } from '../../e2e/support/processes.js';
import { buildWorld, PASSWORD, uploadPath, type World } from '../../server/test/world.js';
import { CHUNK_BYTES, HEADER_BYTES, NONCE_BYTES, TAG_BYTES } from '../services/doc-cache/chunked-crypto.js';
import { storeFile, userDataDir } from '../services/store/paths.js';
import { FaultProxy } from './fault-proxy.js';
import { Central, openStoreDb, tempDataDir, waitFor } from './helpers.js';

/**
 * A real kill -9 of the desktop services (the browser-mode host as its own process), in the
 * middle of a stream of local writes being pushed and in the middle of a document download;
 * then the same data directory is started again. A fault proxy in front of the central API
 * makes each kill land at a known point rather than a lucky one.
 */
let central: Central;
let world: World;
let proxy: FaultProxy;
let dataDir: { dir: string; cleanup(): void };
let rendererDir: string;
const hosts: DesktopHost[] = [];
const sockets: { close(): void }[] = [];

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const RECORD = CHUNK_BYTES + NONCE_BYTES + TAG_BYTES;

beforeEach(async () => {
  central = await Central.start();
  world = await buildWorld(central.server);
  proxy = await FaultProxy.start(central.url);
  dataDir = tempDataDir();
  // The host serves the built renderer; these tests speak RPC only, so a stub page does.
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>test</title>');
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  // Child processes go even when the test failed half-way.
  await Promise.all(hosts.splice(0).map((h) => h.kill9()));
  await proxy?.close();
  await central?.destroy();
  dataDir?.cleanup();
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

async function launch(): Promise<{ host: DesktopHost; rpc: RpcClient }> {
  // The desktop's data directory is keyed by the server URL: always the proxy's, which outlives restarts.
  const host = await startDesktopHost(dataDir.dir, proxy.url, { OBLAKO_RENDERER_DIR: rendererDir });
  hosts.push(host);
  const { client, ws } = await connectRpc(host.origin, new URL(host.url).hash.replace('#token=', ''));
  sockets.push({ close: () => ws.terminate() });
  return { host, rpc: client };
}

async function kill(host: DesktopHost): Promise<void> {
  await host.kill9();
  expect(host.proc.signalCode).toBe('SIGKILL');
  hosts.splice(hosts.indexOf(host), 1);
}

function settled(rpc: RpcClient) {
  return waitFor(
    async () => {
      const s = await rpc.call('sync.status');
      return s.state === 'online' && s.pending === 0 && s.lastSyncedAt !== null ? s : null;
    },
    'sync to settle',
    45_000,
  );
}

/** Opens a copy of the store as the killed process left it, so the original is recovered by the app itself. */
function inspectStore(file: string, userId: string): { integrity: string; outbox: number[]; names: string[] } {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-store-copy-'));
  try {
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, path.join(copy, 'store.sqlite' + suffix));
    }
    const db = openStoreDb(dataDir.dir, file, userId, { copy: path.join(copy, 'store.sqlite') });
    try {
      const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? '';
      const outbox = (db.prepare('SELECT id FROM outbox ORDER BY id').all() as { id: number }[]).map((r) => r.id);
      const names = (db.prepare('SELECT last_name FROM patients').all() as { last_name: string }[]).map((r) => r.last_name);
      return { integrity, outbox, names };
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

async function serverNames(stem: string): Promise<string[]> {
  const rows = await central.server.api.ctx.db.kysely.selectFrom('patients').select(['last_name']).where('last_name', 'like', `${stem}%`).execute();
  return rows.map((r) => r.last_name);
}

/** A distinct letters-only surname per index (names may hold letters only). */
function surname(stem: string, i: number): string {
  const letters = 'абвгдежзиклмнопрстуфхцчшэюя';
  return stem + letters[i % letters.length] + letters[Math.floor(i / letters.length) % letters.length] + letters[Math.floor(i / letters.length ** 2) % letters.length];
}

describe('kill -9 of the desktop services', () => {
  it('during a stream of writes being pushed: nothing acknowledged is lost, nothing applied twice', { timeout: 150_000 }, async () => {
    let { host, rpc } = await launch();
    const signedIn = await rpc.call('session.signIn', { serverUrl: proxy.url, login: world.physicianA.login, password: PASSWORD });
    const userId = signedIn.user!.id;
    await settled(rpc);

    // The third push is committed on the server but its answer never reaches the desktop: the
    // kill then lands with that batch applied there and still in the outbox here.
    let pushes = 0;
    proxy.rules = { hold: (r) => r.path === '/api/sync/push' && ++pushes === 3 };

    const stem = 'Убитов';
    const acknowledged: string[] = [];
    const lost: string[] = [];
    let next = 0;
    let stop = false;
    const writer = async () => {
      while (!stop && next < 2000) {
        const lastName = surname(stem, next++);
        try {
          await rpc.call('patients.create', { lastName, firstName: 'Кирилл', sex: 'male', birthDate: '1966-01-15' });
          acknowledged.push(lastName);
        } catch {
          lost.push(lastName);
          return;
        }
      }
    };
    const writers = Array.from({ length: 4 }, () => writer());

    const held = await waitFor(() => proxy.requests.find((r) => r.held), 'a push answer to be held', 30_000);
    const ackedAtHold = acknowledged.length;
    // More writes go into the outbox behind the stuck push, and the kill lands while they are still coming.
    await waitFor(() => acknowledged.length >= ackedAtHold + 20, 'more writes after the held push', 30_000);
    await kill(host);
    stop = true;
    await Promise.all(writers);
    expect(held.status).toBe(200);

    const onServerAtKill = await serverNames(stem);
    const clientRow = await central.server.api.ctx.db.kysely.selectFrom('sync_clients').select(['last_mutation_id']).where('user_id', '=', userId).executeTakeFirstOrThrow();
    const file = storeFile(dataDir.dir, proxy.url, userId);
    const atKill = inspectStore(file, userId);
    expect(atKill.integrity).toBe('ok');
    // Mid-way: the server had some of the acknowledged writes but not all of them…
    expect(onServerAtKill.length).toBeGreaterThan(0);
    expect(onServerAtKill.length).toBeLessThan(acknowledged.length);
    // …and some it had applied were still unacknowledged here (the held push), so they will be sent again.
    const serverLast = Number(clientRow.last_mutation_id);
    expect(atKill.outbox.some((id) => id <= serverLast)).toBe(true);
    expect(atKill.outbox.some((id) => id > serverLast)).toBe(true);
    // Every write the RPC acknowledged was durable locally at the moment of the kill.
    for (const n of acknowledged) expect(atKill.names).toContain(n);

    console.info(
      `desktop-kill writes: acknowledged ${acknowledged.length}, in flight at the kill ${lost.length}, on the server at the kill ${onServerAtKill.length}, outbox at the kill ${atKill.outbox.length} (of which ${atKill.outbox.filter((id) => id <= serverLast).length} already applied on the server)`,
    );

    // Started again on the same data directory: the session comes back from its secrets file.
    proxy.rules = {};
    ({ host, rpc } = await launch());
    expect((await rpc.call('session.get')).user?.id).toBe(userId);
    await settled(rpc);

    const onServer = await serverNames(stem);
    expect(new Set(onServer).size).toBe(onServer.length);
    for (const n of acknowledged) expect(onServer.filter((x) => x === n)).toHaveLength(1);
    // Nothing appears that was never asked for; an unacknowledged write is either whole or absent.
    const asked = new Set([...acknowledged, ...lost]);
    for (const n of onServer) expect(asked.has(n)).toBe(true);
    const rows = await central.server.api.ctx.db.kysely.selectFrom('patients').select(['last_name', 'first_name', 'birth_date']).where('last_name', 'like', `${stem}%`).execute();
    for (const r of rows) expect(r).toMatchObject({ first_name: 'Кирилл', birth_date: '1966-01-15' });

    await host.stop();
    hosts.splice(hosts.indexOf(host), 1);
    const after = inspectStore(file, userId);
    expect(after.integrity).toBe('ok');
    expect(after.outbox).toEqual([]);
    expect(after.names.filter((n) => n.startsWith(stem)).sort()).toEqual([...onServer].sort());
  });

  it('during a document download: the transfer resumes with Range, a damaged partial is fetched again', { timeout: 150_000 }, async () => {
    const size = 4 * 1024 * 1024 + 12_345;
    const stallAt = 2.5 * 1024 * 1024;
    const upload = async (fileName: string) => {
      const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), crypto.randomBytes(size - 16), Buffer.from('\n%%EOF\n', 'latin1')]);
      const res = await fetch(central.url + uploadPath(world.pA.patientId, { fileName }), {
        method: 'POST',
        headers: { authorization: `Bearer ${world.physicianA.token}`, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { id: string; size: number; sha256: string };
      expect(doc).toMatchObject({ size: bytes.length, sha256: sha(bytes) });
      return { ...doc, bytes };
    };
    const contentPath = (id: string) => `/api/documents/${id}/content`;
    const requestsFor = (id: string) => proxy.requests.filter((r) => r.path === contentPath(id));
    // Each document's first transfer trickles and then stops moving after 2.5 MiB: two 1 MiB chunks are on disk.
    const stallFirst = (id: string) => (proxy.rules = { trickle: (r) => (r.path === contentPath(id) ? { bytesPerTick: 64 * 1024, stallAt: requestsFor(id).length === 1 ? stallAt : undefined } : null) });
    const partialState = (rpc: RpcClient, id: string) =>
      waitFor(
        async () => {
          const item = (await rpc.call('documents.cacheStatus', { patientId: world.pA.patientId })).items.find((i) => i.documentId === id);
          return item?.state === 'downloading' && item.bytesDone === 2 * CHUNK_BYTES && requestsFor(id)[0]?.stalled ? item : null;
        },
        'a partial download',
        45_000,
      );
    const cached = (rpc: RpcClient, id: string) =>
      waitFor(
        async () => {
          const item = (await rpc.call('documents.cacheStatus', { patientId: world.pA.patientId })).items.find((i) => i.documentId === id);
          return item?.state === 'cached' ? item : null;
        },
        'the document to be cached',
        45_000,
      );

    const first = await upload('КТ.pdf');
    stallFirst(first.id);
    let { host, rpc } = await launch();
    const user = (await rpc.call('session.signIn', { serverUrl: proxy.url, login: world.doctorBakulev.login, password: PASSWORD })).user!;
    const cacheDir = path.join(userDataDir(dataDir.dir, proxy.url, user.id), 'doc-cache');

    // ── 1. Killed mid-download, started again: it continues from the chunks already on disk.
    expect(await partialState(rpc, first.id)).toMatchObject({ size, bytesDone: 2 * CHUNK_BYTES });
    await kill(host);
    expect(fs.statSync(path.join(cacheDir, first.id)).size).toBe(HEADER_BYTES + 2 * RECORD);
    const firstBefore = requestsFor(first.id)[0]!;
    expect(firstBefore).toMatchObject({ range: null, bytesOut: stallAt });

    ({ host, rpc } = await launch());
    expect(await cached(rpc, first.id)).toMatchObject({ size, bytesDone: size });
    const resumed = requestsFor(first.id);
    expect(resumed).toHaveLength(2);
    expect(resumed[1]).toMatchObject({ range: `bytes=${2 * CHUNK_BYTES}-`, status: 206, bytesOut: size - 2 * CHUNK_BYTES });
    console.info(`desktop-kill download: ${size} bytes; ${firstBefore.bytesOut} delivered before the kill (${2 * CHUNK_BYTES} kept on disk), ${resumed[1]!.bytesOut} fetched after the restart`);
    const read1 = await rpc.call('documents.read', { documentId: first.id });
    expect(read1.fromCache).toBe(true);
    const got1 = Buffer.from(read1.base64, 'base64');
    expect(sha(got1)).toBe(first.sha256);
    expect(got1.equals(first.bytes)).toBe(true);
    expect(fs.readdirSync(cacheDir)).toEqual([first.id]);

    // ── 2. Killed mid-download again (a document that arrives while running), and the partial is damaged before the restart.
    // Set before the upload, so the background download of the new document is throttled from its first byte.
    proxy.rules = {
      trickle: (r) =>
        r.path.startsWith('/api/documents/') && r.path !== contentPath(first.id)
          ? { bytesPerTick: 64 * 1024, stallAt: proxy.requests.filter((x) => x.path === r.path).length === 1 ? stallAt : undefined }
          : null,
    };
    const second = await upload('МРТ.pdf');
    expect(await partialState(rpc, second.id)).toMatchObject({ bytesDone: 2 * CHUNK_BYTES });
    await kill(host);
    const partial = path.join(cacheDir, second.id);
    const damaged = fs.readFileSync(partial);
    expect(damaged.length).toBe(HEADER_BYTES + 2 * RECORD);
    // A flipped byte inside the first chunk's ciphertext: that chunk no longer authenticates.
    const at = HEADER_BYTES + NONCE_BYTES + 1000;
    damaged[at] = (damaged[at] ?? 0) ^ 0xff;
    fs.writeFileSync(partial, damaged);

    ({ host, rpc } = await launch());
    expect(await cached(rpc, second.id)).toMatchObject({ size, bytesDone: size });
    const again = requestsFor(second.id);
    expect(again).toHaveLength(2);
    // Nothing of the damaged partial was trusted: the whole document came again, without Range.
    expect(again[1]).toMatchObject({ range: null, status: 200, bytesOut: size });
    const read2 = await rpc.call('documents.read', { documentId: second.id });
    expect(read2.fromCache).toBe(true);
    const got2 = Buffer.from(read2.base64, 'base64');
    expect(sha(got2)).toBe(second.sha256);
    expect(got2.equals(second.bytes)).toBe(true);
    // Only the two finished files: no partial, no temporary left behind.
    expect(fs.readdirSync(cacheDir).sort()).toEqual([first.id, second.id].sort());
    const audits = await central.server.api.ctx.db.kysely.selectFrom('audit_events').select(['entity_id']).where('action', '=', 'document.read').execute();
    expect(audits.filter((a) => a.entity_id === first.id)).toHaveLength(2);
  });
});
