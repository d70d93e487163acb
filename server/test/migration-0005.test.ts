import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

/**
 * 0005 (and 0006) on a database with a physician's batch and a queued SMS from before it: the
 * batch reads as sent from the app by its physician, with no rejected rows; the SMS keeps its
 * place in the queue with its creation time as its last update.
 */
let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('migration 0005_intake_and_sms', () => {
  it('keeps old batches as sent from the app by their physician and old SMS queued', async () => {
    tdb = await createTestDatabase();
    const db = openDatabase(tdb.database);
    try {
      await migrateTo(db, '0004_batch_import');
      const now = '2026-10-01T10:00:00.000Z';
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const raw = db.kysely as unknown as Kysely<any>;
      const userId = '10000000-0000-4000-8000-000000000001';
      const batchId = '30000000-0000-4000-8000-000000000001';
      await raw.insertInto('users').values({ id: userId, login: 'old-phys', role: 'physician', full_name: 'Врач', password_hash: 'x', password_kind: 'argon2id', created_at: now, updated_at: now }).execute();
      await raw.insertInto('referral_batches').values({ id: batchId, physician_id: userId, title: 'Старая', file_name: 'a.xlsx', file_hash: 'ab'.repeat(32), row_count: 1, rows: '[]', status: 'sent', created_at: now, updated_at: now }).execute();
      await raw.insertInto('sms_outbox').values({ id: '40000000-0000-4000-8000-000000000001', phone: '+79160000000', body: 'Текст', status: 'queued', attempts: 0, provider_message_id: null, error: null, created_at: now, sent_at: null, patient_id: null, kind: null }).execute();

      expect(await migrateToLatest(db)).toEqual(['0005_intake_and_sms', '0006_scale_indexes', '0007_consultations_conclusions', '0008_portal', '0009_chat_sync']);
      const batch = await db.kysely.selectFrom('referral_batches').selectAll().executeTakeFirstOrThrow();
      expect(batch).toMatchObject({ source: 'app', submitted_by: userId, region: null, organization: null, referrer: null, received_at: null, rejected_rows: '[]' });
      const sms = await db.kysely.selectFrom('sms_outbox').selectAll().executeTakeFirstOrThrow();
      expect(sms).toMatchObject({ status: 'queued', next_attempt_at: null, delivered_at: null, updated_at: now });
    } finally {
      await db.close();
    }
  });
});
