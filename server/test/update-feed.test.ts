import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The feed is tested end to end against the desktop's own verifier (plain Node, no Electron).
// eslint-disable-next-line no-restricted-imports
import { verifyDownloadedUpdate } from '../../electron/services/update/verify.js';
import { canonicalRelease, parseLatestYml, writeLatestYml, type SignedRelease } from '../../shared/update/release.js';
import { loadSigner, signRelease } from '../../shared/update/signing.js';
import { startTestServer, type TestServer } from './harness.js';
import { envFor, runAdmin } from './processes.js';

/**
 * The update feed: `release-keygen` and `publish-release` through the real admin CLI, the signed
 * `latest*.yml` and the installer served by the central API, and the desktop's verifier accepting
 * exactly that release and refusing tampered copies.
 */
const require = createRequire(import.meta.url);
// electron-updater parses the feed with js-yaml: what we write must read the same there.
const yaml = require('js-yaml') as { load(text: string): unknown };

let server: TestServer;
let dir: string;
let keyFile: string;
let publicKey: string;
let installer: Buffer;
let debBytes: Buffer;

const EXE = 'oblako-1.0.0-win-x64.exe';
const APPIMAGE = 'oblako-1.0.0-linux-x86_64.AppImage';
const DEB = 'oblako-1.0.0-linux-amd64.deb';
const sha512 = (b: Buffer) => crypto.createHash('sha512').update(b).digest('base64');

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function raw(base: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'GET', path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function fetchBytes(url: string, init?: RequestInit): Promise<{ res: Response; body: Buffer }> {
  const res = await fetch(url, init);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  server = await startTestServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-feed-'));
  const env = envFor(server.db);

  const keygen = await runAdmin(env, ['release-keygen', '--out', path.join(dir, 'keys'), '--json']);
  expect(keygen.stderr).toBe('');
  expect(keygen.code).toBe(0);
  const k = JSON.parse(keygen.stdout) as { file: string; publicKey: string; keyId: string };
  keyFile = k.file;
  publicKey = k.publicKey;

  installer = crypto.randomBytes(256 * 1024 + 17);
  fs.mkdirSync(path.join(dir, 'build'));
  fs.writeFileSync(path.join(dir, 'build', EXE), installer);
  fs.writeFileSync(path.join(dir, 'build', `${EXE}.blockmap`), 'BLOCKMAP');
  debBytes = crypto.randomBytes(5000);
  fs.writeFileSync(path.join(dir, 'build', APPIMAGE), crypto.randomBytes(7000));
  fs.writeFileSync(path.join(dir, 'build', DEB), debBytes);

  const win = await runAdmin(env, ['publish-release', '--file', path.join(dir, 'build', EXE), '--version', '1.0.0', '--key', keyFile]);
  expect(win.stderr).toBe('');
  expect(win.code).toBe(0);
  expect(win.stdout).toContain('Опубликован выпуск 1.0.0');
  const linux = await runAdmin(env, ['publish-release', '--file', path.join(dir, 'build', APPIMAGE), '--file', path.join(dir, 'build', DEB), '--version', '1.0.0', '--key', keyFile, '--json']);
  expect(linux.code).toBe(0);
  expect(JSON.parse(linux.stdout)).toMatchObject({ channel: 'latest', index: 'latest-linux.yml', version: '1.0.0' });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('release-keygen', () => {
  it('writes the private key with mode 0600 and never replaces it', async () => {
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(keyFile, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    const again = await runAdmin(envFor(server.db), ['release-keygen', '--out', path.dirname(keyFile)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('уже существует');
  });
});

describe('update feed', () => {
  it('serves the signed latest.yml, readable by electron-updater (js-yaml)', async () => {
    const res = await fetch(`${server.url}/api/updates/latest.yml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/yaml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const text = await res.text();
    const ours = parseLatestYml(text);
    expect(yaml.load(text)).toEqual(ours);
    expect(ours).toMatchObject({ version: '1.0.0', path: EXE, sha512: sha512(installer), files: [{ url: EXE, sha512: sha512(installer), size: installer.length }] });
    expect(typeof ours.signature).toBe('string');

    // The signature is plain Ed25519: Node's crypto.verify agrees with the shared (Web Crypto) code.
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'base64').toString('base64url') }, format: 'jwk' });
    const manifest = ours as unknown as SignedRelease;
    expect(crypto.verify(null, Buffer.from(canonicalRelease(manifest)), key, Buffer.from(manifest.signature, 'base64'))).toBe(true);

    const linux = parseLatestYml(await (await fetch(`${server.url}/api/updates/latest-linux.yml`)).text());
    expect((linux.files as { url: string }[]).map((f) => f.url)).toEqual([APPIMAGE, DEB]);
  });

  it('serves the installer bytes, ranges included, and its blockmap', async () => {
    const { res, body } = await fetchBytes(`${server.url}/api/updates/${EXE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.microsoft.portable-executable');
    expect(res.headers.get('content-length')).toBe(String(installer.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(body.equals(installer)).toBe(true);

    const part = await fetchBytes(`${server.url}/api/updates/${EXE}`, { headers: { range: 'bytes=100-199' } });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 100-199/${installer.length}`);
    expect(part.body.equals(installer.subarray(100, 200))).toBe(true);
    const tail = await fetchBytes(`${server.url}/api/updates/${EXE}`, { headers: { range: 'bytes=-10' } });
    expect(tail.body.equals(installer.subarray(installer.length - 10))).toBe(true);

    // Several ranges at once, as electron-updater's differential download asks.
    const multi = await fetchBytes(`${server.url}/api/updates/${EXE}`, { headers: { range: 'bytes=0-9,1000-1009' } });
    expect(multi.res.status).toBe(206);
    const boundary = /boundary=(\S+)/.exec(multi.res.headers.get('content-type') ?? '')?.[1] ?? '';
    expect(boundary).not.toBe('');
    expect(multi.res.headers.get('content-length')).toBe(String(multi.body.length));
    const text = multi.body.toString('latin1');
    expect(text).toContain(`Content-Range: bytes 0-9/${installer.length}\r\n\r\n${installer.subarray(0, 10).toString('latin1')}\r\n--${boundary}`);
    expect(text).toContain(`Content-Range: bytes 1000-1009/${installer.length}\r\n\r\n${installer.subarray(1000, 1010).toString('latin1')}\r\n--${boundary}--`);

    const bad = await fetch(`${server.url}/api/updates/${EXE}`, { headers: { range: `bytes=${installer.length + 5}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${installer.length}`);

    const bm = await fetch(`${server.url}/api/updates/${EXE}.blockmap`);
    expect(bm.status).toBe(200);
    expect(await bm.text()).toBe('BLOCKMAP');
  });

  it('answers 404 for unknown files, unlisted files and any traversal', async () => {
    const channel = path.join(server.db.dataDir, 'releases', 'latest');
    fs.writeFileSync(path.join(channel, 'stray.exe'), 'STRAY');
    fs.writeFileSync(path.join(server.db.dataDir, 'secret.yml'), 'SECRET');
    for (const p of [
      '/api/updates/nothing.exe',
      '/api/updates/stray.exe',
      '/api/updates/beta.yml',
      '/api/updates/nochannel/latest.yml',
      '/api/updates/..%2Fsecret.yml',
      '/api/updates/..%2F..%2Fsecret.yml',
      '/api/updates/..%2F..%2Foblako.sqlite',
      '/api/updates/latest/..%2F..%2Fsecret.yml',
      '/api/updates/..%2Flatest/latest.yml',
      '/api/updates/%2e%2e/secret.yml',
      '/api/updates/../secret.yml',
      '/api/updates/../../secret.yml',
      '/api/updates/.%2Flatest.yml',
    ]) {
      const res = await raw(server.url, p);
      expect(res.status, p).toBe(404);
      expect(res.body.toString('latin1'), p).not.toMatch(/SECRET|STRAY|SQLite format/);
    }
    // The named channel form reaches the same files.
    expect((await fetch(`${server.url}/api/updates/latest/latest.yml`)).status).toBe(200);
  });

  it('records release.publish in the audit log', async () => {
    const rows = await server.api.ctx.db.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'release.publish').orderBy('seq').execute();
    expect(rows).toHaveLength(2);
    const details = JSON.parse(rows[0]?.details ?? '{}') as Record<string, unknown>;
    expect(details).toMatchObject({ channel: 'latest', index: 'latest.yml', version: '1.0.0', files: [{ name: EXE, size: installer.length, sha512: sha512(installer) }] });
  });
});

describe('the desktop verifies what the feed serves', () => {
  let info: Record<string, unknown>;
  let ymlText: string;
  let downloaded: string;

  beforeAll(async () => {
    ymlText = await (await fetch(`${server.url}/api/updates/latest.yml`)).text();
    // As electron-updater hands it over: the parsed yml (js-yaml) and the cached download.
    info = yaml.load(ymlText) as Record<string, unknown>;
    fs.mkdirSync(path.join(dir, 'cache'));
    downloaded = path.join(dir, 'cache', EXE);
    fs.writeFileSync(downloaded, (await fetchBytes(`${server.url}/api/updates/${EXE}`)).body);
  });

  it('accepts the served release', async () => {
    const r = await verifyDownloadedUpdate({ info: { ...info, downloadedFile: downloaded }, filePath: downloaded, publicKeys: [publicKey] });
    expect(r).toMatchObject({ ok: true, version: '1.0.0', file: EXE });
    // The deb of the Linux index, matched by its name among the two signed files.
    const linux = yaml.load(await (await fetch(`${server.url}/api/updates/latest-linux.yml`)).text());
    const deb = path.join(dir, 'cache', DEB);
    fs.writeFileSync(deb, (await fetchBytes(`${server.url}/api/updates/${DEB}`)).body);
    expect(await verifyDownloadedUpdate({ info: linux, filePath: deb, publicKeys: [publicKey] })).toMatchObject({ ok: true, file: DEB });
  });

  it('refuses a tampered installer (one byte changed)', async () => {
    const bytes = fs.readFileSync(downloaded);
    bytes[12345] = (bytes[12345] ?? 0) ^ 0xff;
    const tampered = path.join(dir, 'tampered', EXE);
    fs.mkdirSync(path.dirname(tampered), { recursive: true });
    fs.writeFileSync(tampered, bytes);
    const r = await verifyDownloadedUpdate({ info, filePath: tampered, publicKeys: [publicKey] });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('контрольная сумма') });

    // A tampered latest.yml to go with it: sha512 replaced by the tampered file's real one
    // (electron-updater's own check would now pass) — the signature no longer matches.
    const forged = ymlText.replaceAll(sha512(installer), sha512(bytes));
    expect(forged).not.toBe(ymlText);
    const forgedInfo = yaml.load(forged);
    const r2 = await verifyDownloadedUpdate({ info: forgedInfo, filePath: tampered, publicKeys: [publicKey] });
    expect(r2).toMatchObject({ ok: false, reason: expect.stringContaining('подпись обновления не сходится') });
  });

  it('refuses a release signed with another key, and one without a signature', async () => {
    const otherKey = crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const other = await loadSigner(otherKey);
    const manifest = parseLatestYml(ymlText) as unknown as SignedRelease;
    const resigned = writeLatestYml(await signRelease({ version: manifest.version, releaseDate: manifest.releaseDate, files: manifest.files }, other));
    const r = await verifyDownloadedUpdate({ info: yaml.load(resigned), filePath: downloaded, publicKeys: [publicKey] });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('неизвестным ключом') });
    // The same, but pretending to be signed by the trusted key.
    const pretending = resigned.replace(/signedBy: '[0-9a-f]+'/, `signedBy: '${String(info.signedBy)}'`);
    expect(await verifyDownloadedUpdate({ info: yaml.load(pretending), filePath: downloaded, publicKeys: [publicKey] })).toMatchObject({ ok: false });

    const unsigned = ymlText.split('\n').filter((l) => !l.startsWith('signature:') && !l.startsWith('signedBy:')).join('\n');
    const r2 = await verifyDownloadedUpdate({ info: yaml.load(unsigned), filePath: downloaded, publicKeys: [publicKey] });
    expect(r2).toEqual({ ok: false, reason: 'описание обновления не подписано' });
  });
});

describe('publishing a newer release', () => {
  it('replaces the index and stops serving the previous installer', async () => {
    const env = envFor(server.db);
    const next = path.join(dir, 'build', 'oblako-1.1.0-win-x64.exe');
    const bytes = crypto.randomBytes(4096);
    fs.writeFileSync(next, bytes);
    const bad = await runAdmin(env, ['publish-release', '--file', next, '--version', '1.1', '--key', keyFile]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('не вида 1.2.3');
    const ok = await runAdmin(env, ['publish-release', '--file', next, '--version', '1.1.0', '--key', keyFile]);
    expect(ok.code).toBe(0);
    const info = parseLatestYml(await (await fetch(`${server.url}/api/updates/latest.yml`)).text());
    expect(info).toMatchObject({ version: '1.1.0', path: 'oblako-1.1.0-win-x64.exe', sha512: sha512(bytes) });
    expect((await fetch(`${server.url}/api/updates/${EXE}`)).status).toBe(404);
    const served = await fetchBytes(`${server.url}/api/updates/oblako-1.1.0-win-x64.exe`);
    expect(served.body.equals(bytes)).toBe(true);
    // No temporary files are left behind.
    expect(fs.readdirSync(path.join(server.db.dataDir, 'releases', 'latest')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
