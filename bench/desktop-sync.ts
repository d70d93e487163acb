import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Insertable } from 'kysely';
import { createUser } from '../server/auth/accounts.js';
import type { Database, PatientsTable, RequestsTable } from '../server/db/schema.js';
import { toPatient } from '../server/modules/patients.js';
import { toRequest } from '../server/modules/requests.js';
import { recordChanges } from '../server/sync/change-log.js';
import { loginAs, startTestServer, type TestServer } from '../server/test/harness.js';
import type { Kysely } from 'kysely';
import { ApiClient } from '../electron/services/api/http-client.js';
import { EventBus } from '../electron/services/rpc/events.js';
import { LocalStore } from '../electron/services/store/local-store.js';
import { testStoreKey } from '../electron/services/store/test-fixtures.js';
import { SyncEngine } from '../electron/services/sync/engine.js';

/**
 * Desktop sync throughput: a cold sync of N patients with one request each (2N records) from a
 * real central API into an empty desktop store, then an incremental sync of M changes, next to
 * a raw-insert baseline: the same 2N rows inserted into a plain better-sqlite3 table in one
 * transaction, measured in the same run on the same disk.
 */
export interface DesktopSyncFigures {
  patients: number;
  records: number;
  rawInsertMs: number;
  rawInsertPerSec: number;
  coldMs: number;
  coldPerSec: number;
  incrementalChanges: number;
  incrementalMs: number;
}

const PASSWORD = 'bench-password-123';
let serial = 0;

function rows(count: number): { patients: Insertable<PatientsTable>[]; requests: Insertable<RequestsTable>[] } {
  const now = new Date().toISOString();
  const due = new Date(Date.now() + 4 * 86_400_000).toISOString();
  const patients: Insertable<PatientsTable>[] = [];
  const requests: Insertable<RequestsTable>[] = [];
  for (let i = 0; i < count; i++) {
    // Unique by construction: the server's unique indexes must not trip over random collisions.
    serial += 1;
    const id = crypto.randomUUID();
    patients.push({
      id, last_name: `Нагрузочный${i % 997}`, first_name: 'Пациент', middle_name: 'Тестович', sex: i % 2 ? 'male' : 'female',
      birth_date: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`, snils: String(10_000_000_000 + serial), enp: String(1_000_000_000_000_000 + serial), phone: null, region: '77',
      referring_organization: null, attending_physician: null, referred_by: null, created_by: null, stage: 'imported', batch_id: null, batch_row: null, created_at: now, updated_at: now,
    });
    requests.push({
      id: crypto.randomUUID(), patient_id: id, centre: 'bakulev', profile: 'ischemic_heart_disease', source: 'referral', status: 'new',
      icd10: 'I25.1', diagnosis: 'Нагрузочный диагноз', complaints: null, urgency: 'planned', pregnancy_weeks: null, note: null,
      referred_by: null, assigned_doctor_id: null, due_at: due, created_at: now, updated_at: now,
    });
  }
  return { patients, requests };
}

/** Seeds through the server's own change log, in bulk: the rows plus their sync index entries. */
async function seed(db: Kysely<Database>, data: ReturnType<typeof rows>): Promise<void> {
  const CHUNK = 500;
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < data.patients.length; i += CHUNK) await tx.insertInto('patients').values(data.patients.slice(i, i + CHUNK)).execute();
    for (let i = 0; i < data.requests.length; i += CHUNK) await tx.insertInto('consultation_requests').values(data.requests.slice(i, i + CHUNK)).execute();
    await recordChanges(tx, 'patient', data.patients.map((p) => p.id));
    await recordChanges(tx, 'request', data.requests.map((r) => r.id));
  });
}

function rawInsertBaseline(dir: string, data: ReturnType<typeof rows>): number {
  const db = new BetterSqlite3(path.join(dir, 'raw.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE records (id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO records (id, kind, data) VALUES (?, ?, ?)');
    const patients = data.patients.map((p) => JSON.stringify(toPatient(p as Parameters<typeof toPatient>[0])));
    const requests = data.requests.map((r) => JSON.stringify(toRequest(r as Parameters<typeof toRequest>[0])));
    const started = performance.now();
    db.transaction(() => {
      data.patients.forEach((p, i) => insert.run(p.id, 'patient', patients[i]));
      data.requests.forEach((r, i) => insert.run(r.id, 'request', requests[i]));
    })();
    return performance.now() - started;
  } finally {
    db.close();
  }
}

async function syncOnce(store: LocalStore, server: TestServer, token: string): Promise<number> {
  const engine = new SyncEngine({ store, api: new ApiClient({ baseUrl: server.url, token: () => token, timeoutMs: 120_000 }), bus: new EventBus(), token: () => token, onUnauthenticated: () => undefined, pokes: false });
  const started = performance.now();
  engine.start();
  const status = await engine.syncNow();
  const ms = performance.now() - started;
  await engine.stop();
  if (status.state !== 'online') throw new Error(`sync failed: ${JSON.stringify(status.lastError)}`);
  return ms;
}

export async function benchDesktopSync(patients: number, changes: number): Promise<DesktopSyncFigures> {
  process.env.OBLAKO_TEST_DB = 'sqlite';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-bench-desktop-'));
  const server = await startTestServer({ production: true });
  try {
    await createUser(server.api.ctx.db.kysely, { login: 'bench-manager', password: PASSWORD, role: 'manager', fullName: 'Bench' }, null);
    const data = rows(patients);
    await seed(server.api.ctx.db.kysely, data);
    const token = await loginAs(server.url, 'bench-manager', PASSWORD);
    const records = data.patients.length + data.requests.length;
    const rawInsertMs = rawInsertBaseline(dir, data);

    const store = LocalStore.open(path.join(dir, 'desktop', 'store.sqlite'), testStoreKey());
    try {
      const coldMs = await syncOnce(store, server, token);
      const count = (store.sql('SELECT (SELECT COUNT(*) FROM patients) + (SELECT COUNT(*) FROM requests) AS n').get() as { n: number }).n;
      if (count !== records) throw new Error(`cold sync stored ${count} of ${records} records`);

      // M changes: half new patients with a request each.
      const more = rows(Math.ceil(changes / 2));
      await seed(server.api.ctx.db.kysely, more);
      const incrementalMs = await syncOnce(store, server, token);
      return {
        patients,
        records,
        rawInsertMs,
        rawInsertPerSec: records / (rawInsertMs / 1000),
        coldMs,
        coldPerSec: records / (coldMs / 1000),
        incrementalChanges: more.patients.length + more.requests.length,
        incrementalMs,
      };
    } finally {
      store.close();
    }
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
