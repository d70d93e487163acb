import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcError } from '../../shared/rpc/messages.js';
import { buildWorld, PASSWORD, pdfBytes, uploadPath, type World } from '../../server/test/world.js';
import { downloadTestHooks, NOT_DOWNLOADED_MESSAGE } from '../services/doc-cache/document-cache.js';
import { userDataDir } from '../services/store/paths.js';
import { Central, eventsOf, startDesktop, syncSettled, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** The centre doctor's document cache against a real central API. */
let central: Central;
let world: World;
let desktop: Desktop;
let dir: { dir: string; cleanup(): void };

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** A PDF of about `bytes` (random inside, so nothing compresses or repeats). */
function bigPdf(bytes: number): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), crypto.randomBytes(bytes), Buffer.from('\n%%EOF\n', 'latin1')]);
}

async function upload(patientId: string, bytes: Buffer, fileName: string): Promise<{ id: string; size: number; sha256: string }> {
  const res = await fetch(central.url + uploadPath(patientId, { fileName }), {
    method: 'POST',
    headers: { authorization: `Bearer ${world.physicianA.token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; size: number; sha256: string };
}

async function audit(action: string, documentId: string): Promise<{ details: Record<string, unknown> }[]> {
  const rows = await central.server.api.ctx.db.kysely
    .selectFrom('audit_events')
    .select(['details'])
    .where('action', '=', action)
    .where('entity_id', '=', documentId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {} }));
}

beforeAll(async () => {
  central = await Central.start();
  world = await buildWorld(central.server);
  dir = tempDataDir();
});
afterAll(async () => {
  downloadTestHooks.interrupt = undefined;
  await desktop?.close();
  dir?.cleanup();
  await central.destroy();
});

describe('the centre doctor’s document cache', () => {
  it('downloads the queue’s documents in the background (resuming a broken transfer), serves them offline, and audits the views', async () => {
    const small = pdfBytes('cache-small');
    const large = bigPdf(2.5 * 1024 * 1024);
    const never = pdfBytes('cache-never');
    const docSmall = await upload(world.pA.patientId, small, 'ЭКГ.pdf');
    const docLarge = await upload(world.pA.patientId, large, 'КТ.pdf');
    const docNever = await upload(world.pA.patientId, never, 'Не загрузится.pdf');

    // The large one's first transfer breaks after 1.2 MiB: one 1 MiB chunk is complete by then.
    let cuts = 0;
    downloadTestHooks.interrupt = (id, offset) => {
      if (id === docNever.id) return true;
      if (id === docLarge.id && cuts === 0 && offset >= 1.2 * 1024 * 1024) {
        cuts += 1;
        return true;
      }
      return false;
    };

    desktop = await startDesktop(dir.dir);
    await desktop.rpc.call('session.signIn', { serverUrl: central.url, login: 'doc-bakulev', password: PASSWORD });
    await syncSettled(desktop);

    const status = await waitFor(async () => {
      const s = await desktop.rpc.call('documents.cacheStatus', { patientId: world.pA.patientId });
      const byId = new Map(s.items.map((i) => [i.documentId, i]));
      return byId.get(docSmall.id)?.state === 'cached' && byId.get(docLarge.id)?.state === 'cached' ? s : null;
    }, 'both documents to be cached');
    expect(cuts).toBe(1);
    expect(status.items.find((i) => i.documentId === docLarge.id)).toMatchObject({ size: large.length, bytesDone: large.length, pinned: false });
    expect(status.usedBytes).toBeGreaterThanOrEqual(small.length + large.length);
    expect(status.limitBytes).toBeGreaterThan(0);
    // The indicator hears about it through the usual event.
    expect(eventsOf(desktop, 'data.changed').some((p) => p.entities.includes('document'))).toBe(true);

    // The second request for the large one continued after the complete chunk, with Range.
    const reads = await audit('document.read', docLarge.id);
    expect(reads.map((r) => r.details.range)).toContainEqual([1024 * 1024, large.length - 1]);

    // Encrypted at rest: no plaintext in the files, no key beside them.
    const user = (await desktop.rpc.call('session.get')).user;
    const cacheDir = path.join(userDataDir(dir.dir, central.url, user!.id), 'doc-cache');
    const onDisk = fs.readFileSync(path.join(cacheDir, docLarge.id));
    expect(onDisk.includes(large.subarray(100, 164))).toBe(false);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(expect.arrayContaining([docSmall.id, docLarge.id]));

    // Offline: the cached bytes are served, and the view waits in the outbox.
    await central.stop();
    const read = await desktop.rpc.call('documents.read', { documentId: docLarge.id });
    expect(read).toMatchObject({ documentId: docLarge.id, fileName: 'КТ.pdf', mime: 'application/pdf', fromCache: true });
    expect(sha(Buffer.from(read.base64, 'base64'))).toBe(docLarge.sha256);
    const err = await desktop.rpc.call('documents.read', { documentId: docNever.id }).then(
      () => null,
      (e: RpcError) => e,
    );
    expect(err).toMatchObject({ code: 'SERVER_UNREACHABLE', message: NOT_DOWNLOADED_MESSAGE });
    expect((await desktop.rpc.call('sync.status')).pending).toBeGreaterThanOrEqual(1);
    expect((await desktop.rpc.call('documents.cacheStatus', {})).items.find((i) => i.documentId === docLarge.id)?.lastAccess).not.toBeNull();

    // Back online: the view reaches the server's audit log, marked as read from the cache.
    await central.restart();
    await desktop.rpc.call('sync.now');
    await syncSettled(desktop);
    const views = await waitFor(async () => {
      const v = await audit('document.view', docLarge.id);
      return v.length > 0 ? v : null;
    }, 'the document.view audit event');
    expect(views[0]?.details).toMatchObject({ fromCache: true, sha256: docLarge.sha256 });
  });

  it('a tampered cache file is refused, discarded and fetched again', async () => {
    downloadTestHooks.interrupt = undefined;
    const user = (await desktop.rpc.call('session.get')).user;
    const docs = (await desktop.rpc.call('documents.list', { patientId: world.pA.patientId })).items;
    const small = docs.find((d) => d.fileName === 'ЭКГ.pdf')!;
    const file = path.join(userDataDir(dir.dir, central.url, user!.id), 'doc-cache', small.id);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);

    const read = await desktop.rpc.call('documents.read', { documentId: small.id });
    expect(read.fromCache).toBe(false);
    expect(sha(Buffer.from(read.base64, 'base64'))).toBe(small.sha256);
    const again = await desktop.rpc.call('documents.read', { documentId: small.id });
    expect(again.fromCache).toBe(true);
  });

  it('pins a document', async () => {
    const docs = (await desktop.rpc.call('documents.list', { patientId: world.pA.patientId })).items;
    const large = docs.find((d) => d.fileName === 'КТ.pdf')!;
    expect(await desktop.rpc.call('documents.pin', { documentId: large.id, pinned: true })).toMatchObject({ documentId: large.id, pinned: true, state: 'cached' });
    expect(await desktop.rpc.call('documents.pin', { documentId: large.id, pinned: false })).toMatchObject({ pinned: false, state: 'cached' });
  });
});
