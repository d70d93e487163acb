import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { DatabaseTooNewError, migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, type TestDatabase } from './harness.js';
import { envFor, runAdmin, spawnServer } from './processes.js';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('start-up', () => {
  it('migrates once, and a second run applies nothing', async () => {
    db = await createTestDatabase();
    const conn = openDatabase(db.database);
    try {
      expect(await migrateToLatest(conn)).toEqual(['0001_initial', '0002_referrals', '0003_documents', '0004_batch_import', '0005_intake_and_sms', '0006_scale_indexes', '0007_consultations_conclusions', '0008_portal', '0009_chat_sync']);
      expect(await migrateToLatest(conn)).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('refuses a database migrated by a newer server', async () => {
    db = await createTestDatabase();
    const conn = openDatabase(db.database);
    try {
      await migrateToLatest(conn);
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(conn.kysely);
      await expect(migrateToLatest(conn)).rejects.toBeInstanceOf(DatabaseTooNewError);
    } finally {
      await conn.close();
    }
  });

  it('demo mode seeds the demo accounts; production refuses to start while they exist', async () => {
    db = await createTestDatabase();
    const env = envFor(db);
    const seeded = await runAdmin(env, ['seed-demo']);
    expect(seeded.code, seeded.stderr).toBe(0);
    const demo = await spawnServer(env, ['--demo']);
    const login = await fetch(`${demo.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'demo-doctor-kulakov', password: 'oblako-demo' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const queue = await fetch(`${demo.url}/api/requests?centre=kulakov`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await queue.json()) as { total: number }).total).toBeGreaterThan(5);
    demo.proc.kill('SIGTERM');
    expect(await demo.exited).toBe(0);

    await expect(spawnServer({ ...env, NODE_ENV: 'production' })).rejects.toThrow(/exited with 2/);
  });

  it('create-user makes an account that can sign in', async () => {
    db = await createTestDatabase();
    const env = { ...envFor(db), OBLAKO_NEW_PASSWORD: 'a-strong-new-password' };
    const created = await runAdmin(env, ['create-user', '--login', 'doc-new', '--role', 'doctor', '--name', 'Новый Врач', '--centre', 'bakulev']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ login: 'doc-new', role: 'doctor', centre: 'bakulev' });
    const bad = await runAdmin(env, ['create-user', '--login', 'doc-x', '--role', 'doctor', '--name', 'Без центра']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/центр/i);
  });
});
