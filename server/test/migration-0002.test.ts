import { Migrator, type Kysely, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import * as m0001 from '../db/migrations/0001_initial.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

/** 0002 on a database that already holds 0001 data: columns added, stages backfilled. */
let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('migration 0002_referrals', () => {
  it('adds the stage from the latest request to existing patients', async () => {
    tdb = await createTestDatabase();
    const db = openDatabase(tdb.database);
    try {
      const only0001 = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async (): Promise<Record<string, Migration>> => ({ '0001_initial': { up: (k) => m0001.up(k, db.kind) } }) },
      });
      const first = await only0001.migrateToLatest();
      expect(first.error).toBeUndefined();
      const now = new Date().toISOString();
      // Typed as the latest schema; 0001 lacks the new columns, so insert through an untyped view.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const raw = db.kysely as unknown as Kysely<any>;
      const patient = (id: string) => ({ id, last_name: 'Старый', first_name: 'Пациент', middle_name: null, sex: 'male', birth_date: '1970-01-01', snils: null, enp: null, phone: null, region: null, referring_organization: null, attending_physician: null, referred_by: null, created_by: null, created_at: now, updated_at: now });
      await raw.insertInto('patients').values([patient('00000000-0000-4000-8000-000000000001'), patient('00000000-0000-4000-8000-000000000002'), patient('00000000-0000-4000-8000-000000000003')]).execute();
      const request = (id: string, patientId: string, status: string, createdAt: string) => ({ id, patient_id: patientId, centre: 'bakulev', profile: 'cardiomyopathies', source: 'referral', status, icd10: null, diagnosis: null, complaints: null, urgency: 'planned', pregnancy_weeks: null, note: null, referred_by: null, assigned_doctor_id: null, due_at: now, created_at: createdAt, updated_at: now });
      await raw.insertInto('consultation_requests').values([
        request('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'cancelled', '2026-01-01T00:00:00.000Z'),
        request('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'scheduled', '2026-02-01T00:00:00.000Z'),
        request('10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'new', '2026-02-01T00:00:00.000Z'),
      ]).execute();

      // 0002 first; later migrations follow it.
      expect((await migrateToLatest(db))[0]).toBe('0002_referrals');
      const rows = await db.kysely.selectFrom('patients').select(['id', 'stage', 'batch_id', 'batch_row']).orderBy('id').execute();
      expect(rows.map((r) => r.stage)).toEqual(['scheduled', 'imported', 'imported']);
      expect(rows.every((r) => r.batch_id === null && r.batch_row === null)).toBe(true);
      expect(await db.kysely.selectFrom('referral_batches').selectAll().execute()).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
