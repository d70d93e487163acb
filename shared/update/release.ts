/**
 * The signed-release format of the desktop update feed.
 *
 * electron-updater's generic provider reads `latest.yml` (Windows) / `latest-linux.yml` (Linux)
 * and checks the downloaded installer's sha512 against it. That only proves the file matches the
 * index, and both come from the same server: whoever can write to the feed could replace both.
 * So the index also carries `signature` — Ed25519 over `canonicalRelease()` (version, release
 * date, and every file's name, size and sha512) — made with the project's own offline key, and
 * `signedBy`, the key's id. The desktop trusts only the public keys built into it.
 *
 * Pure: no Node built-ins (the crypto is Web Crypto, see signing.ts).
 */

/** One installer of a release, as electron-updater's `files` entry. */
export interface ReleaseFile {
  /** File name relative to the feed (no directories). */
  url: string;
  /** Base64 SHA-512 of the file, as electron-builder writes it. */
  sha512: string;
  size: number;
  /** Optional electron-builder extras, kept but not signed (the file's bytes are). */
  blockMapSize?: number;
  isAdminRightsRequired?: boolean;
}

/** What is signed. */
export interface ReleaseManifest {
  version: string;
  releaseDate: string;
  files: ReleaseFile[];
}

/** A manifest with its signature, i.e. the content of one `latest*.yml`. */
export interface SignedRelease extends ReleaseManifest {
  /** Base64 Ed25519 signature over `canonicalRelease()`. */
  signature: string;
  /** Id of the signing key (`keyId()` of its public key). */
  signedBy: string;
}

export const RELEASE_FORMAT = 'oblako-release/1';

/** 1.2.3 or 1.2.3-beta.1 (semver, no build metadata). */
export const VERSION_RE = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(-[0-9A-Za-z][0-9A-Za-z.-]{0,63})?$/;
/** A feed file name: one path segment, no leading dot, nothing a URL or a file system would reinterpret. */
export const FILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;
/** Base64 of 64 bytes. */
export const SHA512_RE = /^[A-Za-z0-9+/]{86}==$/;
/** Base64 of 64 bytes (an Ed25519 signature). */
export const SIGNATURE_RE = /^[A-Za-z0-9+/]{86}==$/;
export const KEY_ID_RE = /^[0-9a-f]{16}$/;

export function isSafeFileName(name: string): boolean {
  return FILE_NAME_RE.test(name) && !name.includes('..');
}

/** Problems with a manifest's fields, in Russian; empty when it is well-formed. */
export function manifestProblems(m: ReleaseManifest): string[] {
  const problems: string[] = [];
  if (typeof m.version !== 'string' || !VERSION_RE.test(m.version)) problems.push(`версия «${String(m.version)}» не вида 1.2.3`);
  if (typeof m.releaseDate !== 'string' || Number.isNaN(Date.parse(m.releaseDate))) problems.push('нет даты выпуска');
  if (!Array.isArray(m.files) || m.files.length === 0) problems.push('в выпуске нет файлов');
  else {
    const seen = new Set<string>();
    for (const f of m.files) {
      if (typeof f.url !== 'string' || !isSafeFileName(f.url)) problems.push(`недопустимое имя файла «${String(f.url)}»`);
      else if (seen.has(f.url)) problems.push(`файл «${f.url}» указан дважды`);
      else seen.add(f.url);
      if (typeof f.sha512 !== 'string' || !SHA512_RE.test(f.sha512)) problems.push(`у файла «${String(f.url)}» неверная контрольная сумма sha512`);
      if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) problems.push(`у файла «${String(f.url)}» неверный размер`);
    }
  }
  return problems;
}

/**
 * The exact text that is signed: a JSON array in a fixed order, so key order, YAML quoting and
 * unsigned extras (blockmap sizes, the legacy top-level `path`) change nothing.
 */
export function canonicalRelease(m: ReleaseManifest): string {
  return JSON.stringify([RELEASE_FORMAT, m.version, m.releaseDate, m.files.map((f) => [f.url, f.size, f.sha512])]);
}

/**
 * The signed part of electron-updater's `UpdateInfo` (the parsed yml, extra fields included), or
 * null with the reason when it has no usable signature. A js-yaml `Date` (an unquoted date in a
 * yml not written by us) is not accepted: the signed text is the string.
 */
export function signedReleaseFromInfo(info: unknown): { ok: true; release: SignedRelease } | { ok: false; reason: string } {
  if (!info || typeof info !== 'object') return { ok: false, reason: 'нет описания обновления' };
  const o = info as Record<string, unknown>;
  if (typeof o.signature !== 'string' || o.signature === '') return { ok: false, reason: 'описание обновления не подписано' };
  if (!SIGNATURE_RE.test(o.signature)) return { ok: false, reason: 'подпись обновления повреждена' };
  if (typeof o.signedBy !== 'string' || !KEY_ID_RE.test(o.signedBy)) return { ok: false, reason: 'не указан ключ, которым подписано обновление' };
  const files: ReleaseFile[] = Array.isArray(o.files)
    ? o.files.map((f: unknown) => {
        const r = (f ?? {}) as Record<string, unknown>;
        return { url: r.url as string, sha512: r.sha512 as string, size: r.size as number };
      })
    : [];
  const release: SignedRelease = {
    version: o.version as string,
    releaseDate: o.releaseDate as string,
    files,
    signature: o.signature,
    signedBy: o.signedBy,
  };
  const problems = manifestProblems(release);
  if (problems.length > 0) return { ok: false, reason: `описание обновления неверно: ${problems.join('; ')}` };
  return { ok: true, release };
}

// ---------------------------------------------------------------------------------------------
// latest.yml: the small YAML subset electron-builder writes (and js-yaml, in electron-updater, reads).

/** The yml name electron-updater's generic provider asks for: `latest.yml`, `latest-linux.yml`, `latest-linux-arm64.yml`, `latest-mac.yml`. */
export type ReleasePlatform = 'windows' | 'linux' | 'mac';

export function channelFileName(platform: ReleasePlatform, arch = 'x64', channel = 'latest'): string {
  if (platform === 'windows') return `${channel}.yml`;
  if (platform === 'mac') return `${channel}-mac.yml`;
  return arch === 'x64' ? `${channel}-linux.yml` : `${channel}-linux-${arch}.yml`;
}

/** Which platform's feed an installer belongs to, by its extension (null: not an installer we publish). */
export function platformOfInstaller(fileName: string): ReleasePlatform | null {
  const ext = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'exe') return 'windows';
  if (ext === 'appimage' || ext === 'deb' || ext === 'rpm') return 'linux';
  if (ext === 'dmg' || ext === 'zip') return 'mac';
  return null;
}

/** Feed index names served by the update feed. */
export const CHANNEL_FILE_RE = /^latest(-mac|-linux(-[a-z0-9_]{1,16})?)?\.yml$/;

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Writes a signed release as electron-builder writes `latest.yml` (files, the legacy `path` and
 * `sha512` of the first file, quoted release date), plus `signature` and `signedBy`.
 */
export function writeLatestYml(r: SignedRelease): string {
  const first = r.files[0];
  if (!first) throw new Error('в выпуске нет файлов');
  const lines = [`version: ${quote(r.version)}`, 'files:'];
  for (const f of r.files) {
    lines.push(`  - url: ${quote(f.url)}`, `    sha512: ${quote(f.sha512)}`, `    size: ${f.size}`);
    if (f.blockMapSize !== undefined) lines.push(`    blockMapSize: ${f.blockMapSize}`);
    if (f.isAdminRightsRequired !== undefined) lines.push(`    isAdminRightsRequired: ${f.isAdminRightsRequired}`);
  }
  lines.push(`path: ${quote(first.url)}`, `sha512: ${quote(first.sha512)}`, `releaseDate: ${quote(r.releaseDate)}`);
  lines.push(`signature: ${quote(r.signature)}`, `signedBy: ${quote(r.signedBy)}`);
  return `${lines.join('\n')}\n`;
}

export class LatestYmlError extends Error {}

function scalar(raw: string, line: number): string | number | boolean | null {
  const s = raw.trim();
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new LatestYmlError(`строка ${line}: незакрытая кавычка`);
    const body = s.slice(1, -1);
    if (body.replaceAll("''", '').includes("'")) throw new LatestYmlError(`строка ${line}: лишняя кавычка`);
    return body.replaceAll("''", "'");
  }
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      throw new LatestYmlError(`строка ${line}: неверная строка в двойных кавычках`);
    }
  }
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^[[{&*!|>%@`#]/.test(s) || s.includes(' #') || s.includes(': ')) throw new LatestYmlError(`строка ${line}: такая запись YAML не поддерживается`);
  return s;
}

const KEY_RE = /^([A-Za-z][A-Za-z0-9_]*):(?:\s+(.*))?$/;

/**
 * Parses the subset of YAML `writeLatestYml` and electron-builder produce: top-level `key: value`
 * lines and one list of flat maps (`files:`). Anything else (anchors, blocks, nested maps) is
 * refused rather than guessed at. Returns the raw object, as electron-updater would see it.
 */
export function parseLatestYml(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let list: Record<string, unknown>[] | null = null;
  let item: Record<string, unknown> | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const n = i + 1;
    const line = rawLine.replace(/\s+$/, '');
    if (line === '' || /^\s*#/.test(line)) return;
    if (/^\S/.test(line)) {
      const m = KEY_RE.exec(line);
      if (!m?.[1]) throw new LatestYmlError(`строка ${n}: ожидалось «ключ: значение»`);
      const key = m[1];
      if (Object.hasOwn(out, key)) throw new LatestYmlError(`строка ${n}: ключ «${key}» повторяется`);
      item = null;
      if (m[2] === undefined || m[2] === '') {
        list = [];
        out[key] = list;
      } else {
        list = null;
        out[key] = scalar(m[2], n);
      }
      return;
    }
    const entry = /^ {2}- (.*)$/.exec(line);
    const cont = /^ {4}(\S.*)$/.exec(line);
    if (entry && list) {
      item = {};
      list.push(item);
      const m = KEY_RE.exec(entry[1] ?? '');
      if (!m?.[1]) throw new LatestYmlError(`строка ${n}: ожидалось «- ключ: значение»`);
      item[m[1]] = scalar(m[2] ?? '', n);
      return;
    }
    if (cont && item) {
      const m = KEY_RE.exec(cont[1] ?? '');
      if (!m?.[1]) throw new LatestYmlError(`строка ${n}: ожидалось «ключ: значение»`);
      if (Object.hasOwn(item, m[1])) throw new LatestYmlError(`строка ${n}: ключ «${m[1]}» повторяется`);
      item[m[1]] = scalar(m[2] ?? '', n);
      return;
    }
    throw new LatestYmlError(`строка ${n}: такая запись YAML не поддерживается`);
  });
  // An empty `files:` (no items) reads as null, as js-yaml reads it.
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v) && v.length === 0) out[k] = null;
  return out;
}

/** Names of the files a parsed yml refers to (its `files` urls and the legacy `path`). */
export function referencedFiles(info: Record<string, unknown>): string[] {
  const names = new Set<string>();
  if (Array.isArray(info.files)) {
    for (const f of info.files as unknown[]) {
      const url = (f as Record<string, unknown> | null)?.url;
      if (typeof url === 'string') names.add(url);
    }
  }
  if (typeof info.path === 'string') names.add(info.path);
  return [...names];
}
