import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { toDocument } from '../modules/documents.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

/** 0003 on a database that already holds a document from before it: columns added, row still readable. */
let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('migration 0003_documents', () => {
  it('adds uploader role and consent columns; an older document reads as the patient’s own', async () => {
    tdb = await createTestDatabase();
    const db = openDatabase(tdb.database);
    try {
      await migrateTo(db, '0002_referrals');
      const now = new Date().toISOString();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const raw = db.kysely as unknown as Kysely<any>;
      const patientId = '00000000-0000-4000-8000-000000000001';
      await raw.insertInto('patients').values({ id: patientId, last_name: 'Старый', first_name: 'Пациент', middle_name: null, sex: 'male', birth_date: '1970-01-01', snils: null, enp: null, phone: null, region: null, referring_organization: null, attending_physician: null, referred_by: null, created_by: null, created_at: now, updated_at: now }).execute();
      await raw.insertInto('documents').values({ id: '20000000-0000-4000-8000-000000000001', patient_id: patientId, request_id: null, doc_type: 'ecg', file_name: 'ecg.pdf', mime: 'application/pdf', size: 10, sha256: 'a'.repeat(64), uploaded_by: null, created_at: now, deleted_at: null }).execute();

      expect(await migrateToLatest(db)).toEqual(['0003_documents', '0004_batch_import', '0005_intake_and_sms', '0006_scale_indexes', '0007_consultations_conclusions', '0008_portal', '0009_chat_sync']);
      const row = await db.kysely.selectFrom('documents').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ uploaded_by_role: null, consent_recorded_by: null, consent_at: null, consent_basis: null });
      expect(toDocument(row, null)).toMatchObject({ uploadedByRole: 'patient', consentBasis: null, size: 10, type: 'ecg' });
    } finally {
      await db.close();
    }
  });
});
