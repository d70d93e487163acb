import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { pullChanges } from '../sync/pull.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

/**
 * 0009 on a database with chat messages from before messages synced: each old message gets
 * sync-index entries for its request's patient and centre (new change numbers above everything
 * already handed out), so a desktop pulling from its old cursor receives them; nobody else does.
 */
let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('migration 0009_chat_sync', () => {
  it('indexes the old messages for the patient and the centre, after every existing change number', async () => {
    tdb = await createTestDatabase();
    const db = openDatabase(tdb.database);
    try {
      await migrateTo(db, '0008_portal');
      const now = '2026-10-01T10:00:00.000Z';
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const raw = db.kysely as unknown as Kysely<any>;
      const doctorId = '10000000-0000-4000-8000-000000000001';
      const patientId = '20000000-0000-4000-8000-000000000001';
      const requestId = '30000000-0000-4000-8000-000000000001';
      const messageIds = ['60000000-0000-4000-8000-000000000001', '60000000-0000-4000-8000-000000000002'];
      await raw.insertInto('users').values({ id: doctorId, login: 'old-doc', role: 'doctor', full_name: 'Врач Старый', centre: 'bakulev', password_hash: 'x', password_kind: 'argon2id', created_at: now, updated_at: now }).execute();
      await raw.insertInto('patients').values({ id: patientId, last_name: 'Старая', first_name: 'Запись', sex: 'female', birth_date: '1970-01-01', created_at: now, updated_at: now }).execute();
      await raw
        .insertInto('consultation_requests')
        .values({ id: requestId, patient_id: patientId, centre: 'bakulev', profile: 'ischemic_heart_disease', source: 'duty_booking', status: 'scheduled', urgency: 'planned', due_at: now, created_at: now, updated_at: now })
        .execute();
      // The request was already indexed by the older server; its change number is the highest so far.
      await raw.updateTable('sync_counter').set({ value: 7 }).where('id', '=', 1).execute();
      await raw.insertInto('sync_index').values({ audience: 'centre:bakulev', entity: 'request', entity_id: requestId, change_no: 7, deleted: 0 }).execute();
      await raw
        .insertInto('messages')
        .values(messageIds.map((id, i) => ({ id, request_id: requestId, sender_id: doctorId, body: `Старое сообщение ${i + 1}`, created_at: `2026-10-01T10:0${i}:00.000Z`, read_at: null, document_id: null })))
        .execute();

      const applied = await migrateToLatest(db);
      expect(applied).toEqual(['0009_chat_sync']);

      const entries = await db.kysely.selectFrom('sync_index').select(['audience', 'entity_id', 'change_no', 'deleted']).where('entity', '=', 'message').orderBy('change_no').execute();
      expect(entries.map((e) => [e.audience, e.entity_id, Number(e.deleted)])).toEqual([
        [`patient:${patientId}`, messageIds[0], 0],
        ['centre:bakulev', messageIds[0], 0],
        [`patient:${patientId}`, messageIds[1], 0],
        ['centre:bakulev', messageIds[1], 0],
      ]);
      expect(entries.every((e) => Number(e.change_no) > 7)).toBe(true);
      const counter = await db.kysely.selectFrom('sync_counter').select('value').executeTakeFirstOrThrow();
      expect(Number(counter.value)).toBe(11);

      // A desktop at cursor 7 pulls both, oldest first; the manager's audience gets none.
      const page = await pullChanges(db.kysely, 'centre:bakulev', { since: 7, limit: 100 });
      expect(page.changes.map((c) => [c.entity, c.id])).toEqual(messageIds.map((id) => ['message', id]));
      expect((await pullChanges(db.kysely, 'manager', { since: 0, limit: 100 })).changes).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
