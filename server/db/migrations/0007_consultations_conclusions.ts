import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * The doctor's workspace: consultations get their kind (regular or duty), who cancelled, the one
 * a rescheduled consultation replaced, and when the reminder went out; conclusions become
 * immutable issued versions with a snapshot of the doctor's name and post, the verification code
 * and the version they correct; doctors get a post for the conclusion's signature block; duty
 * doctors publish slots that patients book (the portal).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  await db.schema.alterTable('consultations').addColumn('kind', 'text', (c) => c.notNull().defaultTo('regular')).execute();
  await db.schema.alterTable('consultations').addColumn('cancelled_by', 'text').execute();
  await db.schema.alterTable('consultations').addColumn('rescheduled_from', 'text', (c) => c.references('consultations.id')).execute();
  await db.schema.alterTable('consultations').addColumn('reminder_sent_at', 'text').execute();
  await db.schema.createIndex('consultations_status_start_ix').on('consultations').columns(['status', 'starts_at']).execute();

  await db.schema.alterTable('conclusions').addColumn('doctor_name', 'text').execute();
  await db.schema.alterTable('conclusions').addColumn('doctor_post', 'text').execute();
  await db.schema.alterTable('conclusions').addColumn('verification_code', 'text').execute();
  await db.schema.alterTable('conclusions').addColumn('superseded_by', 'text').execute();
  await db.schema.alterTable('conclusions').addColumn('corrects_id', 'text').execute();
  await db.schema.createIndex('conclusions_verification_uq').on('conclusions').column('verification_code').unique().execute();
  await db.schema.createIndex('conclusions_request_ix').on('conclusions').column('request_id').execute();
  // The public «is this file genuine?» check looks a conclusion up by its PDF's hash.
  await db.schema.createIndex('conclusions_pdf_sha256_ix').on('conclusions').column('pdf_sha256').execute();

  await db.schema.alterTable('users').addColumn('post', 'text').execute();

  await db.schema
    .createTable('duty_slots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doctor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('centre', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('consultation_id', 'text', (c) => c.references('consultations.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('duty_slots_doctor_start_ix').on('duty_slots').columns(['doctor_id', 'starts_at']).execute();
  // A slot holds at most one consultation: the second of two concurrent bookings fails here.
  await db.schema.createIndex('duty_slots_consultation_uq').on('duty_slots').column('consultation_id').unique().execute();
}
