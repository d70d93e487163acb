import crypto from 'node:crypto';
import { createUser } from '../server/auth/accounts.js';
import { writeTransaction } from '../server/context.js';
import { PatientCreate } from '../shared/domain/patients.js';
import { createPatient } from '../server/modules/patients.js';
import { createRequest } from '../server/modules/requests.js';
import { RequestCreate } from '../shared/domain/requests.js';
import { call, createTestDatabase, loginAs, startTestServer, type TestServer } from '../server/test/harness.js';
import { buildCentralApi } from '../server/http/app.js';
import { testConfig } from '../server/test/harness.js';
import type { Actor } from '../server/auth/actor.js';
import { uniqueEnp, uniqueSnils } from './unique-ids.js';

/**
 * Central API sync throughput: pull of N changed records and push of M mutations over HTTP on
 * loopback, next to a raw-insert baseline (the same rows inserted with plain INSERTs in one
 * transaction) measured in the same run on the same engine.
 */
export interface SyncFigures {
  engine: string;
  rawInsertPerSec: number;
  pullRecords: number;
  pullMs: number;
  pullPerSec: number;
  pushMutations: number;
  pushMs: number;
  pushPerSec: number;
}

const PASSWORD = 'bench-password-123';
let n = 0;

function patient() {
  n += 1;
  return {
    id: crypto.randomUUID(),
    lastName: 'Нагрузочный',
    firstName: 'Пациент',
    middleName: 'Тестович',
    sex: 'female' as const,
    birthDate: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`,
    snils: uniqueSnils(n),
    enp: uniqueEnp(n),
    phone: null,
    region: '77',
  };
}

async function rawInsertBaseline(count: number): Promise<number> {
  const db = await createTestDatabase();
  const api = await buildCentralApi(testConfig(db));
  try {
    const now = new Date().toISOString();
    const rows = Array.from({ length: count }, () => {
      const p = patient();
      return { id: p.id, last_name: p.lastName, first_name: p.firstName, middle_name: p.middleName, sex: p.sex, birth_date: p.birthDate, snils: p.snils, enp: p.enp, phone: null, region: p.region, referring_organization: null, attending_physician: null, referred_by: null, created_by: null, created_at: now, updated_at: now };
    });
    const started = performance.now();
    await api.ctx.db.kysely.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('patients').values(rows.slice(i, i + 500)).execute();
    });
    return count / ((performance.now() - started) / 1000);
  } finally {
    await api.close();
    await db.drop();
  }
}

async function seed(server: TestServer, manager: Actor, count: number): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    await writeTransaction(server.api.ctx, async (w) => {
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const p = await createPatient(w, manager, PatientCreate.parse(patient()));
        await createRequest(w, manager, RequestCreate.parse({ id: crypto.randomUUID(), patientId: p.id, centre: 'bakulev', profile: 'ischemic_heart_disease', urgency: 'planned' }));
      }
    });
  }
}

export async function benchSync(engine: 'sqlite' | 'postgres', records: number, mutations: number): Promise<SyncFigures> {
  process.env.OBLAKO_TEST_DB = engine;
  const rawInsertPerSec = await rawInsertBaseline(records);
  const server = await startTestServer({ production: true });
  try {
    const u = await createUser(server.api.ctx.db.kysely, { login: 'bench-manager', password: PASSWORD, role: 'manager', fullName: 'Bench' }, null);
    const manager: Actor = { userId: u.id, role: 'manager', centre: null, patientId: null, isDuty: false, sessionId: 'bench', mustChangePassword: false };
    // N/2 patients with one request each: N changed records for the manager's audience.
    await seed(server, manager, records / 2);
    const token = await loginAs(server.url, 'bench-manager', PASSWORD);

    let pulled = 0;
    let since = 0;
    const pullStart = performance.now();
    for (;;) {
      const res = await call<{ changes: unknown[]; cursor: number; hasMore: boolean }>(server.url, 'POST', '/api/sync/pull', { token, body: { since, limit: 5000 } });
      if (res.status !== 200) throw new Error(`pull failed: ${res.status}`);
      pulled += res.body.changes.length;
      since = res.body.cursor;
      if (!res.body.hasMore) break;
    }
    const pullMs = performance.now() - pullStart;

    const clientId = crypto.randomUUID();
    const all = Array.from({ length: mutations }, (_, i) => ({ id: i + 1, name: 'patient.create', args: patient() }));
    const pushStart = performance.now();
    for (let i = 0; i < all.length; i += 100) {
      const res = await call<{ results: { status: string }[] }>(server.url, 'POST', '/api/sync/push', { token, body: { clientId, mutations: all.slice(i, i + 100) } });
      if (res.status !== 200 || res.body.results.some((r) => r.status !== 'applied')) throw new Error('push failed');
    }
    const pushMs = performance.now() - pushStart;
    return {
      engine,
      rawInsertPerSec,
      pullRecords: pulled,
      pullMs,
      pullPerSec: pulled / (pullMs / 1000),
      pushMutations: mutations,
      pushMs,
      pushPerSec: mutations / (pushMs / 1000),
    };
  } finally {
    await server.close();
  }
}
