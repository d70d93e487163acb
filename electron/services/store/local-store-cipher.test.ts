import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../errors.js';
import { MemorySecretStore } from '../secrets.js';
import { encryptPlainStore, storeFileKind } from './cipher.js';
import { LocalStore } from './local-store.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { loadOrCreateStoreKey, storeKeyName } from './store-key.js';
import { patient, tempDir, testStoreKey } from './test-fixtures.js';

/**
 * The local store is encrypted at rest: what lies on disk (database and WAL) holds no patient
 * data in the clear and not even SQLite's header, a wrong key is refused with a clear error, and
 * a plain store from before the encryption is converted in place with everything kept.
 */
let t: ReturnType<typeof tempDir>;
beforeEach(() => (t = tempDir()));
afterEach(() => t.cleanup());

const SQLITE_MAGIC = Buffer.from('SQLite format 3');
// Distinctive, so a hit cannot be a coincidence; UTF-8 as SQLite stores text.
const NAME = { lastName: 'Шифрованная', firstName: 'Аглая', middleName: 'Феоктистовна' };

function filesOf(file: string): Buffer[] {
  return ['', '-wal', '-journal'].filter((s) => fs.existsSync(file + s)).map((s) => fs.readFileSync(file + s));
}

function expectNoPlaintext(file: string): void {
  const blobs = filesOf(file);
  expect(blobs.length).toBeGreaterThan(0);
  for (const blob of blobs) {
    expect(blob.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)).toBe(false);
    expect(blob.includes(SQLITE_MAGIC)).toBe(false);
    for (const part of Object.values(NAME)) expect(blob.includes(Buffer.from(part, 'utf8'))).toBe(false);
    // The JSON copy of the row too, and the search column (lower case).
    expect(blob.includes(Buffer.from(NAME.lastName.toLowerCase(), 'utf8'))).toBe(false);
  }
}

function writePatient(store: LocalStore, p = patient(NAME)): string {
  store.mutate({ name: 'patient.create', args: { id: p.id }, summary: `Новый пациент ${p.lastName}`, entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } });
  return p.id;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ServiceError ? e.code : `not a ServiceError: ${String(e)}`;
  }
  return undefined;
}

describe('the encrypted local store', () => {
  it('keeps no patient name and no SQLite header on disk, in the database or its WAL', () => {
    const file = path.join(t.dir, 'u', 'store.sqlite');
    const store = LocalStore.open(file, testStoreKey());
    const id = writePatient(store);
    // Still open: the change may be in the WAL only.
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expectNoPlaintext(file);
    store.close();
    expectNoPlaintext(file);
    expect(storeFileKind(file)).toBe('encrypted');

    const again = LocalStore.open(file, testStoreKey());
    try {
      expect(again.getPatient(id)).toMatchObject(NAME);
      expect(again.pendingCount()).toBe(1);
    } finally {
      again.close();
    }
  });

  it('cannot be read without the key, and a wrong key is STORE_UNREADABLE with a Russian message', () => {
    const file = path.join(t.dir, 'store.sqlite');
    LocalStore.open(file, testStoreKey()).close();

    const bare = new BetterSqlite3(file);
    try {
      expect(() => bare.prepare('SELECT COUNT(*) FROM sqlite_master').get()).toThrow(/not a database/);
    } finally {
      bare.close();
    }

    let error: unknown;
    try {
      LocalStore.open(file, crypto.randomBytes(32));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('STORE_UNREADABLE');
    expect((error as ServiceError).message).toMatch(/не удаётся расшифровать/);
    expect((error as ServiceError).message).toMatch(/Обратитесь к администратору/);
    // The file is left as it was: the right key still opens it.
    const ok = LocalStore.open(file, testStoreKey());
    ok.close();
  });

  it('wipes its key on close, and when it cannot open', () => {
    const file = path.join(t.dir, 'store.sqlite');
    const key = testStoreKey();
    const store = LocalStore.open(file, key);
    expect(key.equals(Buffer.alloc(32))).toBe(false);
    store.close();
    expect(key.equals(Buffer.alloc(32))).toBe(true);

    const wrong = crypto.randomBytes(32);
    expect(codeOf(() => LocalStore.open(file, wrong))).toBe('STORE_UNREADABLE');
    expect(wrong.equals(Buffer.alloc(32))).toBe(true);
  });

  it('encrypts a plain store from an earlier version in place, keeping rows, outbox, cursor and version', () => {
    const file = path.join(t.dir, 'legacy', 'store.sqlite');
    fs.mkdirSync(path.dirname(file));
    const p = patient(NAME);
    // A store as the previous release left it: plain, WAL, the latest schema, unsent changes.
    const legacy = new BetterSqlite3(file);
    legacy.pragma('journal_mode = WAL');
    migrate(legacy);
    legacy.prepare("INSERT INTO meta (key, value) VALUES ('client_id', 'c-legacy'), ('pull_cursor', '77')").run();
    legacy.prepare('INSERT INTO patients (id, last_name, first_name, middle_name, search, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)').run(p.id, p.lastName, p.firstName, p.middleName, p.lastName.toLowerCase(), p.updatedAt, JSON.stringify(p));
    legacy.prepare("INSERT INTO outbox (name, args, summary, entity, entity_id, created_at) VALUES ('patient.create', ?, 'Новый пациент', 'patient', ?, ?)").run(JSON.stringify({ id: p.id }), p.id, p.updatedAt);
    const version = Number(legacy.pragma('user_version', { simple: true }));
    legacy.close();
    expect(storeFileKind(file)).toBe('plain');
    expect(fs.readFileSync(file).includes(Buffer.from(NAME.lastName))).toBe(true);

    const store = LocalStore.open(file, testStoreKey());
    try {
      expect(store.clientId).toBe('c-legacy');
      expect(store.cursor).toBe(77);
      expect(store.getPatient(p.id)).toEqual(p);
      expect(store.outbox(10).map((o) => [o.name, o.entityId])).toEqual([['patient.create', p.id]]);
      expect(store.db.pragma('user_version', { simple: true })).toBe(version);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      store.close();
    }
    expect(storeFileKind(file)).toBe('encrypted');
    expectNoPlaintext(file);
    expect(fs.existsSync(`${file}.encrypting`)).toBe(false);
  });

  it('starts the conversion over when an earlier one died half-way (the plain original is intact)', () => {
    const file = path.join(t.dir, 'store.sqlite');
    const legacy = new BetterSqlite3(file);
    migrate(legacy, MIGRATIONS);
    const p = patient(NAME);
    legacy.prepare('INSERT INTO patients (id, last_name, first_name, search, updated_at, data) VALUES (?, ?, ?, ?, ?, ?)').run(p.id, p.lastName, p.firstName, p.lastName.toLowerCase(), p.updatedAt, JSON.stringify(p));
    legacy.close();
    // A torn temp copy from a crash during the conversion.
    fs.writeFileSync(`${file}.encrypting`, crypto.randomBytes(5000));

    const store = LocalStore.open(file, testStoreKey());
    try {
      expect(store.getPatient(p.id)?.lastName).toBe(NAME.lastName);
    } finally {
      store.close();
    }
    expect(fs.existsSync(`${file}.encrypting`)).toBe(false);
    expectNoPlaintext(file);
  });

  it('refuses to convert a plain store another connection still writes to, leaving it untouched', () => {
    const file = path.join(t.dir, 'store.sqlite');
    const busy = new BetterSqlite3(file);
    busy.pragma('journal_mode = WAL');
    migrate(busy);
    busy.prepare("INSERT INTO meta (key, value) VALUES ('pull_cursor', '5')").run();
    const reader = new BetterSqlite3(file);
    const snapshot = reader.prepare('SELECT * FROM meta');
    const it = snapshot.iterate(); // holds a read transaction: the WAL cannot be emptied
    it.next();
    try {
      expect(() => encryptPlainStore(file, testStoreKey())).toThrow(/in use/);
      expect(storeFileKind(file)).toBe('plain');
    } finally {
      it.return?.();
      reader.close();
      busy.close();
    }
  });
});

describe('the store key', () => {
  it('is made once per store and user and kept in the secret store, a fresh buffer each time', () => {
    const secrets = new MemorySecretStore();
    const file = path.join(t.dir, 'a', 'store.sqlite');
    const userId = crypto.randomUUID();
    const first = loadOrCreateStoreKey(secrets, file, userId);
    expect(first).toHaveLength(32);
    expect(secrets.get(storeKeyName(file, userId))).toBe(first.toString('base64'));
    const second = loadOrCreateStoreKey(secrets, file, userId);
    expect(second.equals(first)).toBe(true);
    expect(second).not.toBe(first);
    expect(storeKeyName(path.join(t.dir, 'b', 'store.sqlite'), userId)).not.toBe(storeKeyName(file, userId));
    expect(storeKeyName(file, crypto.randomUUID())).not.toBe(storeKeyName(file, userId));
  });

  it('is never replaced under an encrypted store whose key is gone: STORE_UNREADABLE, the file kept', () => {
    const secrets = new MemorySecretStore();
    const file = path.join(t.dir, 'store.sqlite');
    const userId = crypto.randomUUID();
    const store = LocalStore.open(file, loadOrCreateStoreKey(secrets, file, userId));
    writePatient(store);
    store.close();
    secrets.delete(storeKeyName(file, userId));
    expect(codeOf(() => loadOrCreateStoreKey(secrets, file, userId))).toBe('STORE_UNREADABLE');
    expect(secrets.get(storeKeyName(file, userId))).toBeNull();
    expect(storeFileKind(file)).toBe('encrypted');
  });
});
