import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * The patient portal: one-time SMS codes for self-registration and password reset (only a salted
 * hash is kept), the patient's consent to processing (each version agreed to, with who and when),
 * resumable chunked uploads (the bytes wait in `<dataDir>/uploads/<id>.part` until complete), and
 * a document attached to a chat message.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  await db.schema
    .createTable('sms_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('phone', 'text', (c) => c.notNull())
    /** `register` | `reset`. */
    .addColumn('purpose', 'text', (c) => c.notNull())
    /** Null: nothing was sent that could be entered (the answer is the same either way). */
    .addColumn('code_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('sms_codes_phone_ix').on('sms_codes').columns(['phone', 'created_at']).execute();

  await db.schema
    .createTable('patient_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('given_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('patient_consents_patient_ix').on('patient_consents').columns(['patient_id', 'given_at']).execute();

  await db.schema
    .createTable('upload_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_by_role', 'text', (c) => c.notNull())
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('received', 'bigint', (c) => c.notNull().defaultTo(0))
    /** `open` | `complete` | `rejected`. */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('mime', 'text')
    .addColumn('consent_basis', 'text')
    .addColumn('document_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('upload_sessions_state_ix').on('upload_sessions').columns(['state', 'created_at']).execute();

  await db.schema.alterTable('messages').addColumn('document_id', 'text', (c) => c.references('documents.id')).execute();
}
