import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { signedReleaseFromInfo, type ReleaseFile } from '../../../shared/update/release.js';
import { verifyReleaseSignature } from '../../../shared/update/signing.js';

/**
 * The desktop's own check of an update, on top of electron-updater's (which compares the file
 * with the sha512 in `latest.yml` — an index from the same server as the file). Here the index
 * must carry an Ed25519 signature by one of the public keys built into the app
 * (`UPDATE_PUBLIC_KEYS`), and the downloaded file's size and sha512 must be the signed ones.
 * Plain Node: unit-tested without Electron, called by electron/main/updater.ts.
 */

export type UpdateCheck = { ok: true; version: string; keyId: string; file: string } | { ok: false; reason: string };

/** Checks only the index's signature (before anything is downloaded). */
export async function verifyUpdateInfo(info: unknown, publicKeys: readonly string[]): Promise<{ ok: true; version: string; keyId: string } | { ok: false; reason: string }> {
  const parsed = signedReleaseFromInfo(info);
  if (!parsed.ok) return parsed;
  let check;
  try {
    check = await verifyReleaseSignature(parsed.release, publicKeys);
  } catch (err) {
    return { ok: false, reason: `проверка подписи не удалась: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!check.ok) return check;
  return { ok: true, version: parsed.release.version, keyId: check.keyId };
}

async function sha512Base64(filePath: string): Promise<string> {
  const hash = crypto.createHash('sha512');
  await pipeline(fs.createReadStream(filePath), hash);
  return hash.digest('base64');
}

/**
 * The signed entry the downloaded file must match: the one with its name (electron-updater names
 * the cached download after the url's last segment); a release of one file is matched whatever
 * the local name.
 */
function entryFor(files: readonly ReleaseFile[], filePath: string): ReleaseFile | null {
  const name = path.basename(filePath);
  return files.find((f) => f.url === name) ?? (files.length === 1 ? (files[0] ?? null) : null);
}

/**
 * `info`: the parsed `latest*.yml` or electron-updater's `UpdateInfo` / `UpdateDownloadedEvent`
 * (it keeps the yml's extra fields). `filePath`: the downloaded installer. `publicKeys`: the
 * trusted keys (base64 raw or PEM). The answer's `reason` is Russian, for the log and the user.
 */
export async function verifyDownloadedUpdate(input: { info: unknown; filePath: string; publicKeys: readonly string[] }): Promise<UpdateCheck> {
  const signed = await verifyUpdateInfo(input.info, input.publicKeys);
  if (!signed.ok) return signed;
  const release = signedReleaseFromInfo(input.info);
  if (!release.ok) return release;
  const entry = entryFor(release.release.files, input.filePath);
  if (!entry) return { ok: false, reason: `загруженный файл «${path.basename(input.filePath)}» не входит в подписанный выпуск` };
  let size: number;
  let sha512: string;
  try {
    size = (await fs.promises.stat(input.filePath)).size;
    sha512 = await sha512Base64(input.filePath);
  } catch (err) {
    return { ok: false, reason: `загруженный файл обновления не читается: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (size !== entry.size) return { ok: false, reason: `размер загруженного файла (${size} байт) не совпадает с подписанным (${entry.size} байт)` };
  if (sha512 !== entry.sha512) return { ok: false, reason: 'контрольная сумма загруженного файла не совпадает с подписанной: файл изменён' };
  return { ok: true, version: release.release.version, keyId: signed.keyId, file: entry.url };
}
