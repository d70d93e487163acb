import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor.js';
import { createUser } from '../auth/accounts.js';
import type { AppContext } from '../context.js';
import { writeTransaction } from '../context.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { makeSnils } from '../demo/seed.js';
import { submitReferralBatch, validateReferralSubmit } from '../modules/referral-batches.js';
import { call, createTestDatabase, loginAs, testConfig, type TestDatabase } from './harness.js';
import { envFor, spawnServer } from './processes.js';
import { batchInput, batchRow, PASSWORD } from './world.js';

/**
 * kill -9 of the central API in the middle of a 2,000-row import: after a restart and a second
 * commit there is exactly one patient, one request, one account and one SMS per row, and every
 * row has its outcome. Between the crash and the restart the database holds whole chunks only.
 */
const ROWS = 2000;
let db: TestDatabase;
let batchId = '';

beforeAll(async () => {
  db = await createTestDatabase();
  const conn = openDatabase(db.database);
  await migrateToLatest(conn);
  const phys = await createUser(conn.kysely, { login: 'crash-phys', password: PASSWORD, role: 'physician', fullName: 'Врач' }, null);
  await createUser(conn.kysely, { login: 'crash-manager', password: PASSWORD, role: 'manager', fullName: 'Руководитель' }, null);
  const snils = new Set<string>();
  while (snils.size < ROWS) snils.add(makeSnils(Math.random));
  const list = [...snils];
  const input = batchInput(0);
  input.rows = Array.from({ length: ROWS }, (_, i) => batchRow(i + 2, { snils: list[i] ?? '', phone: `+7916${String(1_000_000 + i)}` }));
  const ctx: AppContext = { config: testConfig(db), db: conn, pokes: { poke: () => undefined } };
  const actor: Actor = { userId: phys.id, role: 'physician', centre: null, patientId: null, isDuty: false, sessionId: 'test', mustChangePassword: false };
  batchId = (await writeTransaction(ctx, (w) => submitReferralBatch(w, actor, validateReferralSubmit(input)))).id;
  await conn.close();
}, 120_000);
afterAll(async () => db?.drop());

async function tally(conn: Db) {
  const k = conn.kysely;
  const n = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  const patientIds = k.selectFrom('patients').select('id').where('batch_id', '=', batchId);
  return {
    outcomes: await n(k.selectFrom('batch_import_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', '=', batchId).executeTakeFirstOrThrow()),
    created: await n(k.selectFrom('batch_import_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', '=', batchId).where('outcome', '=', 'created').executeTakeFirstOrThrow()),
    patients: await n(k.selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', '=', batchId).executeTakeFirstOrThrow()),
    distinctRows: await n(k.selectFrom('patients').select((eb) => eb.fn.count<number>('batch_row').distinct().as('n')).where('batch_id', '=', batchId).executeTakeFirstOrThrow()),
    requests: await n(k.selectFrom('consultation_requests').select((eb) => eb.fn.countAll<number>().as('n')).where('patient_id', 'in', patientIds).executeTakeFirstOrThrow()),
    users: await n(k.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('patient_id', 'in', patientIds).executeTakeFirstOrThrow()),
    sms: await n(k.selectFrom('sms_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('patient_id', 'in', patientIds).where('kind', '=', 'credentials').executeTakeFirstOrThrow()),
    status: (await k.selectFrom('referral_batches').select('status').where('id', '=', batchId).executeTakeFirstOrThrow()).status,
  };
}

interface Progress {
  status: string;
  running: boolean;
  done: number;
  total: number;
  created: number;
  error: string | null;
}

describe('kill -9 during a bulk import', () => {
  it('resumes after a restart: one patient per row, nothing twice, every outcome recorded', async () => {
    // Small chunks, so the kill lands between many commits.
    const env = { ...envFor(db), OBLAKO_IMPORT_CHUNK_ROWS: '50' };
    const first = await spawnServer(env);
    const token = await loginAs(first.url, 'crash-manager', PASSWORD);
    const started = await call<Progress>(first.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    let seen = 0;
    for (;;) {
      const res = await call<Progress>(first.url, 'GET', `/api/referral-batches/${batchId}/import`, { token });
      seen = res.body.done;
      if (seen > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(ROWS);

    // Whole chunks only: every outcome has its patient, account, request and SMS, and no more.
    const conn = openDatabase(db.database);
    try {
      const mid = await tally(conn);
      expect(mid.status).toBe('importing');
      expect(mid.outcomes).toBeGreaterThanOrEqual(seen);
      expect(mid.outcomes).toBeLessThan(ROWS);
      expect(mid.outcomes % 50).toBe(0);
      expect(mid).toMatchObject({ created: mid.outcomes, patients: mid.outcomes, distinctRows: mid.outcomes, requests: mid.outcomes, users: mid.outcomes, sms: mid.outcomes });
    } finally {
      await conn.close();
    }

    const second = await spawnServer(env);
    try {
      const token2 = await loginAs(second.url, 'crash-manager', PASSWORD);
      const resumed = await call<Progress>(second.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: token2 });
      expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
      expect(resumed.body.done).toBeGreaterThanOrEqual(seen);
      const until = Date.now() + 120_000;
      let last: Progress;
      for (;;) {
        last = (await call<Progress>(second.url, 'GET', `/api/referral-batches/${batchId}/import`, { token: token2 })).body;
        if (!last.running && (last.status === 'imported' || last.error)) break;
        if (Date.now() > until) throw new Error(`import did not finish: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(last).toMatchObject({ status: 'imported', done: ROWS, total: ROWS, created: ROWS, error: null });
      // A third commit after the end changes nothing.
      const again = await call<Progress>(second.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: token2 });
      expect(again.body).toMatchObject({ status: 'imported', done: ROWS });
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
    const after = openDatabase(db.database);
    try {
      expect(await tally(after)).toEqual({ outcomes: ROWS, created: ROWS, patients: ROWS, distinctRows: ROWS, requests: ROWS, users: ROWS, sms: ROWS, status: 'imported' });
    } finally {
      await after.close();
    }
  }, 180_000);
});
