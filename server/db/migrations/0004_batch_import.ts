import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * The manager's bulk import of a referral batch: the per-row decisions (create / link / skip)
 * and the per-row outcomes. An outcome is written in the same transaction as the patient,
 * request, account and SMS it stands for, so after a crash the outcomes say exactly which rows
 * are done; (batch_id, row) is unique so a row can never be done twice.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  await db.schema
    .createTable('batch_import_decisions')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('referral_batches.id'))
    .addColumn('row', 'integer', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.references('patients.id'))
    .addColumn('decided_by', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_import_decisions_pk', ['batch_id', 'row'])
    .execute();

  await db.schema
    .createTable('batch_import_rows')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('referral_batches.id'))
    .addColumn('row', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.references('patients.id'))
    .addColumn('request_id', 'text', (c) => c.references('consultation_requests.id'))
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_import_rows_pk', ['batch_id', 'row'])
    .execute();
  await db.schema.createIndex('batch_import_rows_request_uq').on('batch_import_rows').column('request_id').unique().execute();

  // A batch row makes at most one patient (its account and SMS are made in the same transaction).
  await db.schema.createIndex('patients_batch_row_uq').on('patients').columns(['batch_id', 'batch_row']).unique().execute();
  // One credentials SMS per patient: nothing wrote credentials SMS before this migration.
  await sql`CREATE UNIQUE INDEX sms_outbox_credentials_uq ON sms_outbox (patient_id) WHERE kind = 'credentials'`.execute(db);
}
