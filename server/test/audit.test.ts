import { sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit-log.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { runAdmin, envFor } from './processes.js';
import { buildWorld, type World } from './world.js';

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

/** Edits an audit row behind the application's back, as an attacker with file/DB access would. */
async function tamper(statement: string): Promise<void> {
  const database = server.db.database;
  if (database.kind === 'sqlite') {
    const raw = new SqliteDatabase(database.file);
    raw.exec('DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;');
    raw.exec(statement);
    raw.close();
  } else {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    await c.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    await c.query(statement);
    await c.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    await c.end();
  }
}

describe('audit log', () => {
  it('records who, what, which patient, when and the result of a read', async () => {
    await call(server.url, 'GET', `/api/patients/${world.pA.patientId}`, { token: world.doctorBakulev.token });
    const event = await server.api.ctx.db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'patient.read')
      .where('actor_id', '=', world.doctorBakulev.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_role: 'doctor', patient_id: world.pA.patientId, result: 'ok' });
    expect(Date.parse(event.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records a denied read with the patient id asked for', async () => {
    await call(server.url, 'GET', `/api/patients/${world.pA.patientId}`, { token: world.doctorKulakov.token });
    const event = await server.api.ctx.db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('actor_id', '=', world.doctorKulakov.id)
      .where('result', '=', 'denied')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.entity_id).toBe(world.pA.patientId);
  });

  it('is append-only in the database itself', async () => {
    const db = server.api.ctx.db.kysely;
    await expect(sql`UPDATE audit_events SET action = 'x' WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_events WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('verify-audit passes on an intact chain and fails after one event is edited', async () => {
    const env = envFor(server.db);
    const intact = await runAdmin(env, ['verify-audit', '--json']);
    expect(intact.code, intact.stderr).toBe(0);
    const good = JSON.parse(intact.stdout) as { ok: boolean; checked: number };
    expect(good.ok).toBe(true);
    expect(good.checked).toBeGreaterThan(10);

    await tamper(`UPDATE audit_events SET action = 'patient.read.tampered' WHERE seq = 5`);
    const broken = await runAdmin(env, ['verify-audit']);
    expect(broken.code).toBe(3);
    expect(broken.stdout).toMatch(/ЖУРНАЛ АУДИТА ПОВРЕЖДЁН.*№5/);
    const result = await verifyAuditChain(server.api.ctx.db.kysely);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 5 });

    const api = await call(server.url, 'GET', '/api/audit/verify', { token: world.admin.token });
    expect(api.body).toMatchObject({ ok: false, firstBadSeq: 5 });
  });
});
