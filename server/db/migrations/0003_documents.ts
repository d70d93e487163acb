import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * Documents, as uploaded: 0001 made the table with the file's hash, size and type; this adds who
 * uploaded in which role and, for an upload on the patient's behalf (a referring physician
 * attaching a CT study for an elderly patient), the consent on record: who recorded it, when, and
 * on what basis. The bytes live on disk under their SHA-256, so the same file is stored once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one column at a time.
  await db.schema.alterTable('documents').addColumn('uploaded_by_role', 'text').execute();
  await db.schema.alterTable('documents').addColumn('consent_recorded_by', 'text', (c) => c.references('users.id')).execute();
  await db.schema.alterTable('documents').addColumn('consent_at', 'text').execute();
  await db.schema.alterTable('documents').addColumn('consent_basis', 'text').execute();
  await db.schema.createIndex('documents_sha256_idx').on('documents').column('sha256').execute();
}
