import crypto from 'node:crypto';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../errors.js';
import { LocalStore } from './local-store.js';
import { migrate } from './migrate.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations/index.js';
import { patient, tempDir, testStoreKey } from './test-fixtures.js';

let t: ReturnType<typeof tempDir>;
beforeEach(() => (t = tempDir()));
afterEach(() => t.cleanup());

describe('local store migrations', () => {
  it('are numbered 1, 2, 3 … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('bring a fresh database to the latest version, in WAL with synchronous=FULL', () => {
    const store = LocalStore.open(path.join(t.dir, 'a', 'store.sqlite'), testStoreKey());
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
      const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['patients', 'requests', 'outbox', 'rejections', 'meta']));
    } finally {
      store.close();
    }
  });

  it('apply each migration in turn: 0001 from version 0', () => {
    const db = new BetterSqlite3(path.join(t.dir, 'step.sqlite'));
    try {
      for (const [i, m] of MIGRATIONS.entries()) {
        expect(migrate(db, MIGRATIONS.slice(0, i + 1))).toBe(m.version);
        expect(db.pragma('user_version', { simple: true })).toBe(m.version);
      }
      // Running again changes nothing.
      expect(migrate(db)).toBe(LATEST_VERSION);
    } finally {
      db.close();
    }
  });

  it('roll back a failing migration whole, leaving the version as it was', () => {
    const db = new BetterSqlite3(path.join(t.dir, 'fail.sqlite'));
    try {
      const broken = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'broken', up: (d: BetterSqlite3.Database) => d.exec('CREATE TABLE x (a); SELECT nope FROM nowhere;') }];
      expect(() => migrate(db, broken)).toThrow();
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('refuse a database from a newer app with STORE_TOO_NEW and a Russian message', () => {
    const file = path.join(t.dir, 'new.sqlite');
    const db = new BetterSqlite3(file);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    let error: unknown;
    try {
      LocalStore.open(file, testStoreKey());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('STORE_TOO_NEW');
    expect((error as ServiceError).message).toMatch(/Обновите приложение/);
  });

  it('0004 keys rejections by their own id, keeping the old ones, so a reused mutation id adds a row', () => {
    const db = new BetterSqlite3(path.join(t.dir, 'r.sqlite'));
    try {
      migrate(db, MIGRATIONS.slice(0, 3));
      db.prepare("INSERT INTO rejections (mutation_id, name, summary, code, message, at) VALUES (7, 'patient.create', 's', 'CONFLICT', 'Нет', '2026-01-01T00:00:00.000Z')").run();
      migrate(db, MIGRATIONS.slice(0, 4));
      expect(db.prepare('SELECT id, mutation_id, issues FROM rejections').all()).toEqual([{ id: 1, mutation_id: 7, issues: null }]);
      db.prepare("INSERT INTO rejections (mutation_id, name, summary, code, message, at) VALUES (7, 'patient.create', 's2', 'CONFLICT', 'Нет', '2026-01-02T00:00:00.000Z')").run();
      expect(db.prepare('SELECT COUNT(*) AS n FROM rejections WHERE mutation_id = 7').get()).toEqual({ n: 2 });
    } finally {
      db.close();
    }
  });

  it('0006 adds the chat and read marks to a version-5 store, keeping its rows and its pull cursor', () => {
    const file = path.join(t.dir, 'chat.sqlite');
    const db = new BetterSqlite3(file);
    const p = patient();
    try {
      migrate(db, MIGRATIONS.slice(0, 5));
      db.prepare("INSERT INTO meta (key, value) VALUES ('pull_cursor', '42')").run();
      db.prepare('INSERT INTO patients (id, last_name, first_name, search, updated_at, data) VALUES (?, ?, ?, ?, ?, ?)').run(p.id, p.lastName, p.firstName, p.lastName.toLowerCase(), p.updatedAt, JSON.stringify(p));
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'messages'").get()).toBeUndefined();
      expect(migrate(db, MIGRATIONS.slice(0, 6))).toBe(6);
      const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(['id', 'request_id', 'patient_id', 'sender_role', 'created_at', 'read_at', 'data', 'server_data', 'server_deleted']);
      expect((db.prepare('PRAGMA table_info(chat_read_marks)').all() as { name: string }[]).map((c) => c.name)).toEqual(['request_id', 'up_to_created_at', 'up_to_id', 'updated_at']);
    } finally {
      db.close();
    }
    // Messages written after the upgrade: pulled, listed per request, oldest first.
    const store = LocalStore.open(file, testStoreKey());
    try {
      expect(store.cursor).toBe(42);
      expect(store.getPatient(p.id)?.id).toBe(p.id);
      const m = { id: crypto.randomUUID(), requestId: crypto.randomUUID(), patientId: p.id, senderId: crypto.randomUUID(), senderName: 'Пациент', senderRole: 'patient' as const, body: 'Здравствуйте', documentId: null, createdAt: '2026-12-01T10:00:00.000Z', readAt: null };
      store.applyPull([{ op: 'put', entity: 'message', id: m.id, data: m }], 43);
      expect(store.db.prepare('SELECT request_id, sender_role, read_at FROM messages WHERE id = ?').get(m.id)).toEqual({ request_id: m.requestId, sender_role: 'patient', read_at: null });
      store.applyPull([{ op: 'del', entity: 'message', id: m.id }], 44);
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });

  it('keep data, the client id and the outbox across a reopen', () => {
    const file = path.join(t.dir, 'reopen.sqlite');
    const p = patient();
    const first = LocalStore.open(file, testStoreKey());
    const clientId = first.clientId;
    first.mutate({ name: 'patient.create', args: { id: p.id }, summary: 'Новый пациент Иванов И. И.', entity: 'patient', entityId: p.id, optimistic: { entity: 'patient', data: p } });
    first.applyPull([], 42);
    first.close();
    const second = LocalStore.open(file, testStoreKey());
    try {
      expect(second.clientId).toBe(clientId);
      expect(second.getPatient(p.id)).toEqual(p);
      expect(second.cursor).toBe(42);
      expect(second.outbox(10).map((o) => [o.id, o.summary])).toEqual([[1, 'Новый пациент Иванов И. И.']]);
    } finally {
      second.close();
    }
  });
});
