import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * Referral batches (a physician's table sent as one operation), the patient's stage in the
 * programme, and the link from an imported patient back to its batch row. The credentials SMS
 * gets the patient it was sent for, so the stage can tell "credentials sent" from "imported".
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  await db.schema
    .createTable('referral_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('physician_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('file_hash', 'text')
    .addColumn('row_count', 'integer', (c) => c.notNull())
    // The rows as sent (JSON of ReferralBatchRow[]): the physician's table is kept verbatim.
    .addColumn('rows', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referral_batches_physician_idx').on('referral_batches').columns(['physician_id', 'created_at']).execute();
  await db.schema.createIndex('referral_batches_hash_idx').on('referral_batches').columns(['physician_id', 'file_hash']).execute();

  // One column per statement: SQLite's ALTER TABLE adds one column at a time.
  await db.schema.alterTable('patients').addColumn('stage', 'text', (c) => c.notNull().defaultTo('imported')).execute();
  await db.schema.alterTable('patients').addColumn('batch_id', 'text', (c) => c.references('referral_batches.id')).execute();
  await db.schema.alterTable('patients').addColumn('batch_row', 'integer').execute();
  await db.schema.createIndex('patients_batch_idx').on('patients').columns(['batch_id', 'batch_row']).execute();

  await db.schema.alterTable('sms_outbox').addColumn('patient_id', 'text').execute();
  await db.schema.alterTable('sms_outbox').addColumn('kind', 'text').execute();
  await db.schema.createIndex('sms_outbox_patient_idx').on('sms_outbox').columns(['patient_id', 'kind']).execute();

  // Existing patients: the stage from their latest request (request statuses past `new` are
  // stage names too). Documents, sign-ins and SMS are refined on the patient's next change.
  await sql`UPDATE patients SET stage = COALESCE((
      SELECT CASE WHEN r.status = 'new' THEN NULL ELSE r.status END
      FROM consultation_requests r WHERE r.patient_id = patients.id
      ORDER BY r.created_at DESC, r.id DESC LIMIT 1), 'imported')`.execute(db);
}
