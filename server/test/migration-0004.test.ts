import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

/** 0004 on a database with a batch and patients from before it: tables and guards added, data intact. */
let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('migration 0004_batch_import', () => {
  it('adds decisions and outcomes; a batch row can then make only one patient', async () => {
    tdb = await createTestDatabase();
    const db = openDatabase(tdb.database);
    try {
      await migrateTo(db, '0003_documents');
      const now = new Date().toISOString();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const raw = db.kysely as unknown as Kysely<any>;
      const userId = '10000000-0000-4000-8000-000000000001';
      const batchId = '30000000-0000-4000-8000-000000000001';
      await raw.insertInto('users').values({ id: userId, login: 'old-phys', role: 'physician', full_name: 'Врач', password_hash: 'x', password_kind: 'argon2id', created_at: now, updated_at: now }).execute();
      await raw.insertInto('referral_batches').values({ id: batchId, physician_id: userId, title: 'Старая', file_name: null, file_hash: null, row_count: 1, rows: '[]', status: 'sent', created_at: now, updated_at: now }).execute();
      const patient = (id: string, row: number | null) => ({ id, last_name: 'Старый', first_name: 'Пациент', middle_name: null, sex: 'male', birth_date: '1970-01-01', snils: null, enp: null, phone: null, region: null, referring_organization: null, attending_physician: null, referred_by: null, created_by: null, created_at: now, updated_at: now, batch_id: row === null ? null : batchId, batch_row: row });
      await raw.insertInto('patients').values([patient('00000000-0000-4000-8000-000000000001', 2), patient('00000000-0000-4000-8000-000000000002', null), patient('00000000-0000-4000-8000-000000000003', null)]).execute();

      expect(await migrateToLatest(db)).toEqual(['0004_batch_import', '0005_intake_and_sms', '0006_scale_indexes', '0007_consultations_conclusions', '0008_portal', '0009_chat_sync']);
      expect(await db.kysely.selectFrom('batch_import_rows').selectAll().execute()).toEqual([]);
      expect(await db.kysely.selectFrom('batch_import_decisions').selectAll().execute()).toEqual([]);
      expect((await db.kysely.selectFrom('patients').select('id').execute()).length).toBe(3);
      await expect(raw.insertInto('patients').values(patient('00000000-0000-4000-8000-000000000004', 2)).execute()).rejects.toThrow();
      await db.kysely.insertInto('batch_import_rows').values({ batch_id: batchId, row: 2, outcome: 'skipped', patient_id: null, request_id: null, reason: null, created_at: now }).execute();
      await expect(db.kysely.insertInto('batch_import_rows').values({ batch_id: batchId, row: 2, outcome: 'skipped', patient_id: null, request_id: null, reason: null, created_at: now }).execute()).rejects.toThrow();
    } finally {
      await db.close();
    }
  });
});
