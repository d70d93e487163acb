import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * The manager's intake and the SMS provider.
 *
 * Batches: where a batch came from (`app` from a physician, `file` taken in by the manager), who
 * handed it in, the sender as described (region, organisation, physician), when it was received,
 * and the file's rows that failed validation (JSON of RejectedRow[], for the batch report).
 * Existing batches were all sent from the app by their physician.
 *
 * SMS: the dispatcher's bookkeeping (when to try next, the provider's delivery report).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  await db.schema.alterTable('referral_batches').addColumn('source', 'text', (c) => c.notNull().defaultTo('app')).execute();
  await db.schema.alterTable('referral_batches').addColumn('submitted_by', 'text', (c) => c.references('users.id')).execute();
  await db.schema.alterTable('referral_batches').addColumn('region', 'text').execute();
  await db.schema.alterTable('referral_batches').addColumn('organization', 'text').execute();
  await db.schema.alterTable('referral_batches').addColumn('referrer', 'text').execute();
  await db.schema.alterTable('referral_batches').addColumn('received_at', 'text').execute();
  await db.schema.alterTable('referral_batches').addColumn('rejected_rows', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await sql`UPDATE referral_batches SET submitted_by = physician_id`.execute(db);
  // The same received file taken in twice is recognised by its hash (not unique: a physician may
  // legitimately send the same file twice through the app).
  await db.schema.createIndex('referral_batches_file_hash_ix').on('referral_batches').column('file_hash').execute();

  await db.schema.alterTable('sms_outbox').addColumn('next_attempt_at', 'text').execute();
  await db.schema.alterTable('sms_outbox').addColumn('delivered_at', 'text').execute();
  await db.schema.alterTable('sms_outbox').addColumn('updated_at', 'text').execute();
  await sql`UPDATE sms_outbox SET updated_at = created_at`.execute(db);
  await db.schema.createIndex('sms_outbox_status_ix').on('sms_outbox').columns(['status', 'next_attempt_at']).execute();
}
