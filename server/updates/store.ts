import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  CHANNEL_FILE_RE,
  channelFileName,
  isSafeFileName,
  parseLatestYml,
  platformOfInstaller,
  referencedFiles,
  VERSION_RE,
  writeLatestYml,
  type ReleaseFile,
  type ReleasePlatform,
  type SignedRelease,
} from '../../shared/update/release.js';
import { loadSigner, signRelease, verifyReleaseSignature } from '../../shared/update/signing.js';

/**
 * The release store of the update feed: `<dataDir>/releases/<channel>/` holds, per platform, the
 * signed `latest*.yml` and the installers (and their `.blockmap`s) it names. Files of earlier
 * releases stay on disk but are no longer served (the feed serves only what a yml names).
 */

export const DEFAULT_CHANNEL = 'latest';
export const CHANNEL_RE = /^[a-z][a-z0-9-]{0,31}$/;

export function releasesDir(dataDir: string): string {
  return path.join(dataDir, 'releases');
}

export function channelDir(dataDir: string, channel: string): string {
  if (!CHANNEL_RE.test(channel)) throw new Error(`Недопустимое имя канала «${channel}»: строчные латинские буквы, цифры и «-».`);
  return path.join(releasesDir(dataDir), channel);
}

export class PublishError extends Error {}

/** Copies `from` to `dir/name` through a temporary file and a rename; returns size and base64 sha512 of what was written. */
async function copyAtomically(from: string, dir: string, name: string): Promise<{ size: number; sha512: string }> {
  const tmp = path.join(dir, `.${name}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const hash = crypto.createHash('sha512');
  let size = 0;
  try {
    await pipeline(
      fs.createReadStream(from),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      fs.createWriteStream(tmp, { mode: 0o644 }),
    );
    await fs.promises.rename(tmp, path.join(dir, name));
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  return { size, sha512: hash.digest('base64') };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${path.join(path.dirname(file), `.${path.basename(file)}`)}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await fs.promises.open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

export interface PublishInput {
  dataDir: string;
  channel?: string;
  /** Installer paths: one platform per publish (e.g. the AppImage and the deb, or the NSIS .exe). */
  files: string[];
  version: string;
  /** The private key's text (PEM or base64 seed). */
  privateKey: string;
  /** Linux architecture of the installers (x64 → latest-linux.yml, arm64 → latest-linux-arm64.yml). */
  arch?: string;
  releaseDate?: string;
}

export interface PublishResult {
  channel: string;
  platform: ReleasePlatform;
  /** The yml written, e.g. `latest-linux.yml`. */
  index: string;
  release: SignedRelease;
  publicKey: string;
}

/**
 * Publishes a release: copies the installers (and a `.blockmap` found beside each) into the
 * channel's directory, signs the manifest of what was actually written, and replaces the
 * platform's `latest*.yml` atomically — a client reads either the old index or the new one.
 */
export async function publishRelease(input: PublishInput): Promise<PublishResult> {
  const channel = input.channel ?? DEFAULT_CHANNEL;
  const dir = channelDir(input.dataDir, channel);
  if (!VERSION_RE.test(input.version)) throw new PublishError(`Версия «${input.version}» не вида 1.2.3.`);
  if (input.files.length === 0) throw new PublishError('Не указан файл установщика (--file).');
  const arch = input.arch ?? 'x64';
  if (!/^[a-z0-9_]{1,16}$/.test(arch)) throw new PublishError(`Недопустимая архитектура «${arch}».`);

  const platforms = new Set<ReleasePlatform>();
  const names = new Set<string>();
  for (const f of input.files) {
    const name = path.basename(f);
    if (!isSafeFileName(name) || name.endsWith('.yml') || name.endsWith('.blockmap')) throw new PublishError(`Недопустимое имя файла «${name}»: только латиница, цифры, «.», «_», «-», «+».`);
    if (names.has(name)) throw new PublishError(`Файл «${name}» указан дважды.`);
    names.add(name);
    const platform = platformOfInstaller(name);
    if (!platform) throw new PublishError(`«${name}»: не установщик (ожидались .exe, .AppImage, .deb, .rpm, .dmg, .zip).`);
    platforms.add(platform);
    const st = await fs.promises.stat(f).catch(() => null);
    if (!st?.isFile()) throw new PublishError(`Файл «${f}» не найден.`);
    if (st.size === 0) throw new PublishError(`Файл «${f}» пуст.`);
  }
  if (platforms.size !== 1) throw new PublishError('За один раз публикуются установщики одной платформы (Windows или Linux).');
  const platform = [...platforms][0] as ReleasePlatform;
  if (platform !== 'linux' && input.arch !== undefined) throw new PublishError('--arch указывается только для Linux.');
  const signer = await loadSigner(input.privateKey);

  await fs.promises.mkdir(dir, { recursive: true, mode: 0o755 });
  const files: ReleaseFile[] = [];
  for (const f of input.files) {
    const name = path.basename(f);
    const written = await copyAtomically(f, dir, name);
    const entry: ReleaseFile = { url: name, sha512: written.sha512, size: written.size };
    const blockmap = `${f}.blockmap`;
    const bst = await fs.promises.stat(blockmap).catch(() => null);
    // For differential downloads; not signed: the installer it rebuilds is checked by its signed sha512.
    if (bst?.isFile()) await copyAtomically(blockmap, dir, `${name}.blockmap`);
    files.push(entry);
  }
  const release = await signRelease({ version: input.version, releaseDate: input.releaseDate ?? new Date().toISOString(), files }, signer);
  // Never publish an index the desktop would refuse.
  const check = await verifyReleaseSignature(release, [signer.publicKey]);
  if (!check.ok) throw new PublishError(`Подпись выпуска не проверяется: ${check.reason}`);
  const index = channelFileName(platform, arch);
  await writeAtomically(path.join(dir, index), writeLatestYml(release));
  return { channel, platform, index, release, publicKey: signer.publicKey };
}

export interface FeedEntry {
  file: string;
  kind: 'index' | 'installer' | 'blockmap';
}

/**
 * What the feed may serve from a channel right now: its `latest*.yml` files and the files they
 * name (with `.blockmap`s). Read on every request (a few small files): a publish is visible at once.
 */
export async function servableFiles(dir: string): Promise<Map<string, FeedEntry>> {
  const out = new Map<string, FeedEntry>();
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!CHANNEL_FILE_RE.test(name)) continue;
    let info: Record<string, unknown>;
    try {
      info = parseLatestYml(await fs.promises.readFile(path.join(dir, name), 'utf8'));
    } catch {
      continue;
    }
    out.set(name, { file: name, kind: 'index' });
    for (const ref of referencedFiles(info)) {
      if (!isSafeFileName(ref)) continue;
      out.set(ref, { file: ref, kind: 'installer' });
      out.set(`${ref}.blockmap`, { file: `${ref}.blockmap`, kind: 'blockmap' });
    }
  }
  return out;
}
