import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLatestYml, writeLatestYml, type SignedRelease } from '../../../shared/update/release.js';
import { loadSigner, signRelease, type ReleaseSigner } from '../../../shared/update/signing.js';
import { verifyDownloadedUpdate, verifyUpdateInfo } from './verify.js';

let dir: string;
let signer: ReleaseSigner;
let other: ReleaseSigner;
let installer: string;
let release: SignedRelease;

const pem = () => crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const sha512 = (b: Buffer) => crypto.createHash('sha512').update(b).digest('base64');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-update-'));
  signer = await loadSigner(pem());
  other = await loadSigner(pem());
  const bytes = crypto.randomBytes(300_000);
  installer = path.join(dir, 'oblako-2.0.0-win-x64.exe');
  fs.writeFileSync(installer, bytes);
  release = await signRelease({ version: '2.0.0', releaseDate: new Date().toISOString(), files: [{ url: 'oblako-2.0.0-win-x64.exe', sha512: sha512(bytes), size: bytes.length }] }, signer);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The info as electron-updater hands it over: the parsed yml plus `downloadedFile`. */
const infoOf = (r: SignedRelease, downloadedFile = installer) => ({ ...parseLatestYml(writeLatestYml(r)), downloadedFile });

describe('verifyDownloadedUpdate', () => {
  it('accepts a signed release whose file matches', async () => {
    const r = await verifyDownloadedUpdate({ info: infoOf(release), filePath: installer, publicKeys: [signer.publicKey] });
    expect(r).toEqual({ ok: true, version: '2.0.0', keyId: signer.keyId, file: 'oblako-2.0.0-win-x64.exe' });
    expect(await verifyUpdateInfo(infoOf(release), [other.publicKey, signer.publicKey])).toMatchObject({ ok: true });
  });

  it('refuses a changed installer (one byte)', async () => {
    const tampered = path.join(dir, 'tampered', 'oblako-2.0.0-win-x64.exe');
    fs.mkdirSync(path.dirname(tampered), { recursive: true });
    const bytes = fs.readFileSync(installer);
    bytes[1000] = (bytes[1000] ?? 0) ^ 1;
    fs.writeFileSync(tampered, bytes);
    const r = await verifyDownloadedUpdate({ info: infoOf(release), filePath: tampered, publicKeys: [signer.publicKey] });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('контрольная сумма') });

    // And the index rewritten to match it: the signature no longer holds.
    const rewritten = { ...release, files: [{ ...release.files[0], url: 'oblako-2.0.0-win-x64.exe', size: bytes.length, sha512: sha512(bytes) }] };
    const r2 = await verifyDownloadedUpdate({ info: infoOf(rewritten, tampered), filePath: tampered, publicKeys: [signer.publicKey] });
    expect(r2).toEqual({ ok: false, reason: expect.stringContaining('подпись обновления не сходится') });
  });

  it('refuses a shorter or longer file', async () => {
    const cut = path.join(dir, 'cut', 'oblako-2.0.0-win-x64.exe');
    fs.mkdirSync(path.dirname(cut), { recursive: true });
    fs.writeFileSync(cut, fs.readFileSync(installer).subarray(1));
    expect(await verifyDownloadedUpdate({ info: infoOf(release), filePath: cut, publicKeys: [signer.publicKey] })).toMatchObject({ ok: false, reason: expect.stringContaining('размер') });
  });

  it('refuses a release signed with another key, an unsigned one, and no trusted keys', async () => {
    const foreign = await signRelease(release, other);
    expect(await verifyDownloadedUpdate({ info: infoOf(foreign), filePath: installer, publicKeys: [signer.publicKey] })).toMatchObject({ ok: false, reason: expect.stringContaining('неизвестным ключом') });
    const unsigned: Record<string, unknown> = infoOf(release);
    delete unsigned.signature;
    expect(await verifyDownloadedUpdate({ info: unsigned, filePath: installer, publicKeys: [signer.publicKey] })).toEqual({ ok: false, reason: 'описание обновления не подписано' });
    expect(await verifyDownloadedUpdate({ info: { ...infoOf(release), signature: 'x' }, filePath: installer, publicKeys: [signer.publicKey] })).toMatchObject({ ok: false });
    expect(await verifyDownloadedUpdate({ info: infoOf(release), filePath: installer, publicKeys: [] })).toMatchObject({ ok: false });
    expect(await verifyDownloadedUpdate({ info: null, filePath: installer, publicKeys: [signer.publicKey] })).toMatchObject({ ok: false });
  });

  it('refuses a file that is not in the release, or is missing', async () => {
    const two = await signRelease(
      { version: '2.0.0', releaseDate: release.releaseDate, files: [...release.files, { url: 'oblako-2.0.0-win-arm64.exe', sha512: release.files[0]?.sha512 ?? '', size: 1 }] },
      signer,
    );
    const stray = path.join(dir, 'stray.exe');
    fs.copyFileSync(installer, stray);
    expect(await verifyDownloadedUpdate({ info: infoOf(two), filePath: stray, publicKeys: [signer.publicKey] })).toMatchObject({ ok: false, reason: expect.stringContaining('не входит') });
    expect(await verifyDownloadedUpdate({ info: infoOf(release), filePath: path.join(dir, 'missing.exe'), publicKeys: [signer.publicKey] })).toMatchObject({ ok: false, reason: expect.stringContaining('не читается') });
  });
});
