import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

/**
 * 0007 on a database with a consultation and a conclusion from before it: the consultation reads
 * as a regular one that nobody cancelled and nobody reminded; the old conclusion row keeps its body
 * and gets no snapshot, code or correction links (nothing pretends it was verified); doctors
 * have no post yet. The new unique indexes hold: one verification code per conclusion, one
 * consultation per duty slot.
 */
let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('migration 0007_consultations_conclusions', () => {
  it('keeps old consultations regular and old conclusions without codes, and enforces the new unique indexes', async () => {
    tdb = await createTestDatabase();
    const db = openDatabase(tdb.database);
    try {
      await migrateTo(db, '0006_scale_indexes');
      const now = '2026-10-01T10:00:00.000Z';
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const raw = db.kysely as unknown as Kysely<any>;
      const doctorId = '10000000-0000-4000-8000-000000000001';
      const patientId = '20000000-0000-4000-8000-000000000001';
      const requestId = '30000000-0000-4000-8000-000000000001';
      const consultationId = '40000000-0000-4000-8000-000000000001';
      const conclusionId = '50000000-0000-4000-8000-000000000001';
      await raw.insertInto('users').values({ id: doctorId, login: 'old-doc', role: 'doctor', full_name: 'Врач Старый', centre: 'bakulev', password_hash: 'x', password_kind: 'argon2id', created_at: now, updated_at: now }).execute();
      await raw.insertInto('patients').values({ id: patientId, last_name: 'Старая', first_name: 'Запись', sex: 'female', birth_date: '1970-01-01', created_at: now, updated_at: now }).execute();
      await raw
        .insertInto('consultation_requests')
        .values({ id: requestId, patient_id: patientId, centre: 'bakulev', profile: 'ischemic_heart_disease', source: 'referral', status: 'consulted', urgency: 'planned', due_at: now, created_at: now, updated_at: now })
        .execute();
      await raw.insertInto('consultations').values({ id: consultationId, request_id: requestId, doctor_id: doctorId, starts_at: now, ends_at: now, status: 'completed', created_at: now, updated_at: now }).execute();
      await raw
        .insertInto('conclusions')
        .values({ id: conclusionId, request_id: requestId, consultation_id: consultationId, version: 1, body: '{}', outcome: 'conclusion', pdf_sha256: null, issued_by: doctorId, issued_at: null, created_at: now })
        .execute();

      const applied = await migrateToLatest(db);
      expect(applied[0]).toBe('0007_consultations_conclusions');

      const consultation = await db.kysely.selectFrom('consultations').selectAll().executeTakeFirstOrThrow();
      expect(consultation).toMatchObject({ kind: 'regular', cancelled_by: null, rescheduled_from: null, reminder_sent_at: null, status: 'completed' });
      const conclusion = await db.kysely.selectFrom('conclusions').selectAll().executeTakeFirstOrThrow();
      expect(conclusion).toMatchObject({ doctor_name: null, doctor_post: null, verification_code: null, superseded_by: null, corrects_id: null, body: '{}' });
      const doctor = await db.kysely.selectFrom('users').select('post').where('id', '=', doctorId).executeTakeFirstOrThrow();
      expect(doctor.post).toBeNull();

      // Codes are unique; rows without a code (from before) may be many.
      const code = 'ab'.repeat(32);
      const base = { request_id: requestId, consultation_id: null, body: '{}', outcome: 'conclusion', pdf_sha256: null, issued_by: doctorId, issued_at: now, created_at: now, doctor_name: 'Врач', doctor_post: '', superseded_by: null, corrects_id: null };
      await db.kysely.insertInto('conclusions').values({ ...base, id: '50000000-0000-4000-8000-000000000002', version: 2, verification_code: code }).execute();
      await db.kysely.insertInto('conclusions').values({ ...base, id: '50000000-0000-4000-8000-000000000003', version: 3, verification_code: null }).execute();
      await expect(db.kysely.insertInto('conclusions').values({ ...base, id: '50000000-0000-4000-8000-000000000004', version: 4, verification_code: code }).execute()).rejects.toThrow();

      // A duty slot holds at most one consultation.
      const slot = { doctor_id: doctorId, centre: 'bakulev', starts_at: now, ends_at: now, created_at: now };
      await db.kysely.insertInto('duty_slots').values({ ...slot, id: '60000000-0000-4000-8000-000000000001', consultation_id: consultationId }).execute();
      await db.kysely.insertInto('duty_slots').values({ ...slot, id: '60000000-0000-4000-8000-000000000002', consultation_id: null }).execute();
      await expect(db.kysely.insertInto('duty_slots').values({ ...slot, id: '60000000-0000-4000-8000-000000000003', consultation_id: consultationId }).execute()).rejects.toThrow();
    } finally {
      await db.close();
    }
  });
});
