import { describe, expect, it } from 'vitest';
import {
  canonicalRelease,
  channelFileName,
  CHANNEL_FILE_RE,
  LatestYmlError,
  manifestProblems,
  parseLatestYml,
  platformOfInstaller,
  referencedFiles,
  signedReleaseFromInfo,
  writeLatestYml,
  type ReleaseManifest,
} from './release.js';
import { bytesToBase64, keyId, loadSigner, publicKeyBytes, ReleaseKeyError, signRelease, verifyReleaseSignature } from './signing.js';

const SHA_A = `${'A'.repeat(86)}==`;
const SHA_B = `${'B'.repeat(85)}+==`;

const manifest = (): ReleaseManifest => ({
  version: '1.4.0',
  releaseDate: '2026-03-01T10:00:00.000Z',
  files: [
    { url: 'oblako-1.4.0-linux-x86_64.AppImage', sha512: SHA_A, size: 123456 },
    { url: 'oblako-1.4.0-linux-amd64.deb', sha512: SHA_B, size: 99 },
  ],
});

/** Two fixed test keys (RFC 8032 test vector 1 seed, and another), as base64 seeds. */
const SEED_1 = bytesToBase64(Uint8Array.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'.match(/../g) ?? [], (h) => parseInt(h, 16)));
const SEED_2 = bytesToBase64(new Uint8Array(32).fill(7));

describe('release format', () => {
  it('canonical text covers version, date and every file, in a fixed shape', () => {
    const m = manifest();
    const text = canonicalRelease(m);
    expect(JSON.parse(text)).toEqual(['oblako-release/1', '1.4.0', '2026-03-01T10:00:00.000Z', [['oblako-1.4.0-linux-x86_64.AppImage', 123456, SHA_A], ['oblako-1.4.0-linux-amd64.deb', 99, SHA_B]]]);
    // Unsigned extras change nothing.
    expect(canonicalRelease({ ...m, files: m.files.map((f) => ({ ...f, blockMapSize: 5 })) })).toBe(text);
  });

  it('refuses malformed manifests', () => {
    expect(manifestProblems(manifest())).toEqual([]);
    expect(manifestProblems({ ...manifest(), version: '1.4' })).toHaveLength(1);
    expect(manifestProblems({ ...manifest(), files: [] })).toHaveLength(1);
    expect(manifestProblems({ ...manifest(), files: [{ url: '../evil.exe', sha512: SHA_A, size: 1 }] })).toHaveLength(1);
    expect(manifestProblems({ ...manifest(), files: [{ url: 'a.exe', sha512: 'abc', size: 1 }] })).toHaveLength(1);
    expect(manifestProblems({ ...manifest(), files: [{ url: 'a.exe', sha512: SHA_A, size: -1 }] })).toHaveLength(1);
  });

  it('names the feed file per platform as electron-updater asks for it', () => {
    expect(channelFileName('windows')).toBe('latest.yml');
    expect(channelFileName('linux')).toBe('latest-linux.yml');
    expect(channelFileName('linux', 'arm64')).toBe('latest-linux-arm64.yml');
    expect(channelFileName('mac')).toBe('latest-mac.yml');
    for (const n of ['latest.yml', 'latest-linux.yml', 'latest-linux-arm64.yml', 'latest-mac.yml']) expect(CHANNEL_FILE_RE.test(n)).toBe(true);
    for (const n of ['beta.yml', '../latest.yml', 'latest.yml.bak']) expect(CHANNEL_FILE_RE.test(n)).toBe(false);
    expect(platformOfInstaller('Setup 1.0.exe')).toBe('windows');
    expect(platformOfInstaller('x.AppImage')).toBe('linux');
    expect(platformOfInstaller('x.deb')).toBe('linux');
    expect(platformOfInstaller('x.txt')).toBeNull();
  });
});

describe('latest.yml', () => {
  it('round-trips a signed release', () => {
    const signed = { ...manifest(), signature: `${'s'.repeat(86)}==`, signedBy: '0123456789abcdef' };
    const text = writeLatestYml(signed);
    expect(text).toContain("path: 'oblako-1.4.0-linux-x86_64.AppImage'");
    expect(text).toContain("releaseDate: '2026-03-01T10:00:00.000Z'");
    const parsed = parseLatestYml(text);
    expect(parsed.version).toBe('1.4.0');
    expect(parsed.sha512).toBe(SHA_A);
    expect(parsed.files).toEqual(signed.files);
    expect(referencedFiles(parsed)).toEqual(['oblako-1.4.0-linux-x86_64.AppImage', 'oblako-1.4.0-linux-amd64.deb']);
    const back = signedReleaseFromInfo(parsed);
    expect(back).toEqual({ ok: true, release: signed });
  });

  it('reads what electron-builder writes', () => {
    const text = [
      'version: 1.2.3',
      'files:',
      '  - url: oblako-1.2.3-win-x64.exe',
      `    sha512: ${SHA_A}`,
      '    size: 81234567',
      '    isAdminRightsRequired: false',
      'path: oblako-1.2.3-win-x64.exe',
      `sha512: ${SHA_A}`,
      "releaseDate: '2026-01-02T03:04:05.678Z'",
      '',
    ].join('\n');
    const info = parseLatestYml(text);
    expect(info).toEqual({
      version: '1.2.3',
      files: [{ url: 'oblako-1.2.3-win-x64.exe', sha512: SHA_A, size: 81234567, isAdminRightsRequired: false }],
      path: 'oblako-1.2.3-win-x64.exe',
      sha512: SHA_A,
      releaseDate: '2026-01-02T03:04:05.678Z',
    });
    // No signature: refused by the desktop.
    expect(signedReleaseFromInfo(info)).toEqual({ ok: false, reason: 'описание обновления не подписано' });
  });

  it('refuses YAML it does not understand instead of guessing', () => {
    expect(() => parseLatestYml('version: &a 1.0.0\n')).toThrow(LatestYmlError);
    expect(() => parseLatestYml('releaseNotes: |\n  text\n')).toThrow(LatestYmlError);
    expect(() => parseLatestYml('a: 1\na: 2\n')).toThrow(LatestYmlError);
    expect(() => parseLatestYml("a: 'x'y'\n")).toThrow(LatestYmlError);
    expect(() => parseLatestYml('files:\n  - url: a\n      deep: 1\n')).toThrow(LatestYmlError);
    expect(parseLatestYml("a: 'it''s'\n")).toEqual({ a: "it's" });
  });
});

describe('signing', () => {
  it('signs with RFC 8032 Ed25519 (test vector 1 public key and key id)', async () => {
    const signer = await loadSigner(SEED_1);
    expect(Array.from(publicKeyBytes(signer.publicKey), (b) => b.toString(16).padStart(2, '0')).join('')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    // RFC 8032 7.1 TEST 1: the empty message.
    const sig = await signer.sign('');
    expect(Array.from(atob(sig), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(signer.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(await keyId(signer.publicKey)).toBe(signer.keyId);
  });

  it('verifies a signed release with the trusted key and refuses every change', async () => {
    const signer = await loadSigner(SEED_1);
    const other = await loadSigner(SEED_2);
    const signed = await signRelease(manifest(), signer);
    expect(signed.signedBy).toBe(signer.keyId);
    expect(await verifyReleaseSignature(signed, [signer.publicKey])).toEqual({ ok: true, keyId: signer.keyId });
    // Several trusted keys (rotation): any of them.
    expect((await verifyReleaseSignature(signed, [other.publicKey, signer.publicKey])).ok).toBe(true);

    const files = signed.files.map((f) => ({ ...f }));
    const changedSha = { ...signed, files: [{ ...(files[0] as (typeof files)[0]), sha512: SHA_B }, ...files.slice(1)] };
    expect(await verifyReleaseSignature(changedSha, [signer.publicKey])).toMatchObject({ ok: false, reason: expect.stringContaining('не сходится') });
    const changedSize = { ...signed, files: [{ ...(files[0] as (typeof files)[0]), size: 1 }, ...files.slice(1)] };
    expect((await verifyReleaseSignature(changedSize, [signer.publicKey])).ok).toBe(false);
    expect((await verifyReleaseSignature({ ...signed, version: '9.9.9' }, [signer.publicKey])).ok).toBe(false);
    expect((await verifyReleaseSignature({ ...signed, releaseDate: '2026-03-02T10:00:00.000Z' }, [signer.publicKey])).ok).toBe(false);
    expect((await verifyReleaseSignature({ ...signed, files: files.slice(0, 1) }, [signer.publicKey])).ok).toBe(false);

    // Signed by a key the app does not trust.
    const foreign = await signRelease(manifest(), other);
    expect(await verifyReleaseSignature(foreign, [signer.publicKey])).toMatchObject({ ok: false, reason: expect.stringContaining('неизвестным ключом') });
    // A foreign signature claiming the trusted key's id.
    expect(await verifyReleaseSignature({ ...foreign, signedBy: signer.keyId }, [signer.publicKey])).toMatchObject({ ok: false, reason: expect.stringContaining('не сходится') });
    expect((await verifyReleaseSignature(signed, [])).ok).toBe(false);
  });

  it('reads keys as PEM or base64 and refuses others', async () => {
    const signer = await loadSigner(SEED_1);
    const spki = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, ...publicKeyBytes(signer.publicKey)]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${bytesToBase64(spki)}\n-----END PUBLIC KEY-----\n`;
    expect(bytesToBase64(publicKeyBytes(pem))).toBe(signer.publicKey);
    const pkcs8 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...atobBytes(SEED_1)]);
    const privatePem = `-----BEGIN PRIVATE KEY-----\n${bytesToBase64(pkcs8)}\n-----END PRIVATE KEY-----\n`;
    expect((await loadSigner(privatePem)).publicKey).toBe(signer.publicKey);
    expect(() => publicKeyBytes('AAAA')).toThrow(ReleaseKeyError);
    expect(() => publicKeyBytes('not base64!')).toThrow(ReleaseKeyError);
    await expect(loadSigner('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----')).rejects.toThrow(ReleaseKeyError);
    await expect(loadSigner('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).rejects.toThrow(ReleaseKeyError);
  });
});

function atobBytes(b64: string): number[] {
  return Array.from(atob(b64), (c) => c.charCodeAt(0));
}
