import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';

const log = createLogger('store.cipher');

/** A store key is 32 random bytes (AES-256), used as the raw key: no password, so no KDF. */
export const STORE_KEY_BYTES = 32;

export const STORE_UNREADABLE_MESSAGE =
  'Локальные данные на этом компьютере не удаётся расшифровать: ключ в защищённом хранилище системы утерян или не подходит ' +
  '(например, после переноса папки данных или смены учётной записи Windows/Linux). Обратитесь к администратору: он может ' +
  'переименовать папку локальных данных, после чего при входе данные заново загрузятся с сервера. Изменения, не отправленные ' +
  'на сервер с этого компьютера, при этом не восстановить.';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** What lies at a store's path before it is opened. */
export type StoreFileKind = 'absent' | 'empty' | 'plain' | 'encrypted';

export function storeFileKind(file: string): StoreFileKind {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n === 0) return 'empty';
    // An encrypted file starts with its random salt; only a plain one has the SQLite magic.
    return n === head.length && head.equals(SQLITE_HEADER) ? 'plain' : 'encrypted';
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Keys a fresh connection. SQLCipher 4's format (AES-256-CBC, HMAC-SHA512 per page: a changed
 * page is refused, not read as garbage) is pinned with `legacy = 4`, so a library upgrade that
 * moves the default cannot strand existing files, and support can open a copy with the SQLCipher
 * tools and the raw key. `raw:` plus the 32 bytes skips the password KDF (the key is already
 * random) and never turns the key into a JS string, which could not be wiped.
 */
function applyKey(db: Database.Database, key: Buffer, how: 'key' | 'rekey'): void {
  if (key.length !== STORE_KEY_BYTES) throw new Error(`a store key is ${STORE_KEY_BYTES} bytes`);
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  const phrase = Buffer.concat([Buffer.from('raw:', 'latin1'), key]);
  try {
    if (how === 'key') db.key(phrase);
    else db.rekey(phrase);
  } finally {
    phrase.fill(0);
  }
}

function isNotADatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeIfPresent(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Row counts per table: what must survive the encryption of a legacy store unchanged. */
function census(db: Database.Database): { userVersion: number; tables: Record<string, number> } {
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const tables: Record<string, number> = {};
  for (const name of names) tables[name] = (db.prepare(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n;
  return { userVersion: Number(db.pragma('user_version', { simple: true })), tables };
}

/**
 * Encrypts a plain store from an earlier version in place, so its user loses nothing (unsent
 * changes included). The original is never modified: a consistent copy is made beside it
 * (`VACUUM INTO`, which reads through the WAL), encrypted and checked there, flushed to disk,
 * and only then renamed over the original. A crash at any point leaves either the untouched
 * plain store (the next open starts over) or the finished encrypted one.
 */
export function encryptPlainStore(file: string, key: Buffer): void {
  const tmp = `${file}.encrypting`;
  for (const f of [tmp, `${tmp}-journal`]) removeIfPresent(f);

  // Nothing else should have the file open; if something does, give up soon rather than hang.
  const plain = new Database(file, { fileMustExist: true, timeout: 1000 });
  let before: ReturnType<typeof census>;
  try {
    // Everything into the main file first: its WAL is removed below, before the rename, so a
    // plaintext WAL can never be replayed onto the encrypted file.
    const [ckpt] = plain.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (ckpt && ckpt.busy !== 0) throw new Error('the plain store is in use by another connection');
    before = census(plain);
    plain.prepare('VACUUM INTO ?').run(tmp);
  } finally {
    plain.close();
  }

  const copy = new Database(tmp, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE'); // rekeying refuses WAL
    applyKey(copy, key, 'rekey');
    const after = census(copy);
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('the encrypted copy differs from the plain store');
  } finally {
    copy.close();
  }
  if (storeFileKind(tmp) !== 'encrypted') throw new Error('the copy was not encrypted');
  fsyncPath(tmp);
  removeIfPresent(`${file}-wal`);
  removeIfPresent(`${file}-shm`);
  fs.renameSync(tmp, file);
  fsyncPath(path.dirname(file));
  log.info({ tables: Object.keys(before.tables).length }, 'a plain local store was encrypted in place');
}

/**
 * Opens the store at `file` encrypted with `key`, creating it if absent and encrypting a plain
 * one first (`readonly`: an existing encrypted store as it is, for inspection). A key that does
 * not fit (or a damaged file) is STORE_UNREADABLE. The caller keeps ownership of `key` (see
 * LocalStore, which wipes it on close).
 */
export function openEncryptedDatabase(file: string, key: Buffer, opts: { readonly?: boolean } = {}): Database.Database {
  if (!opts.readonly) {
    removeIfPresent(`${file}.encrypting`); // a migration that died half-way; the original is intact
    if (storeFileKind(file) === 'plain') encryptPlainStore(file, key);
  }
  const db = new Database(file, opts.readonly ? { readonly: true, fileMustExist: true } : {});
  try {
    applyKey(db, key, 'key');
    // The key is only checked when page 1 is read.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    if (isNotADatabase(err)) {
      log.error({ file, err: err instanceof Error ? err.message : String(err) }, 'local store cannot be decrypted with its key');
      throw new ServiceError('STORE_UNREADABLE', STORE_UNREADABLE_MESSAGE);
    }
    throw err;
  }
}
