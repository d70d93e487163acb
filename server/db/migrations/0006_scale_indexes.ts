import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * Indexes for programme scale (100,000 patients), found by measuring (bench/bulk-import and the
 * pipeline at 100k):
 * - the pipeline dashboard groups patients by stage, region and organisation and requests by
 *   day, centre and due date: summary 240–570 ms without, 35–65 ms with (SQLite);
 * - every write records its changes by (entity, entity_id) in sync_index, whose key starts with
 *   the audience: without an index that lookup read the whole table (72 s of a 100k import);
 * - the duplicate check finds patients by phone (surname + name + birth date + phone): 25 s of
 *   table scans at 100k without an index.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  await db.schema.createIndex('patients_stage_ix').on('patients').column('stage').execute();
  await db.schema.createIndex('patients_region_ix').on('patients').column('region').execute();
  await db.schema.createIndex('patients_organization_ix').on('patients').column('referring_organization').execute();
  await db.schema.createIndex('requests_created_at_ix').on('consultation_requests').column('created_at').execute();
  await db.schema.createIndex('requests_centre_patient_ix').on('consultation_requests').columns(['centre', 'patient_id']).execute();
  await db.schema.createIndex('requests_status_due_ix').on('consultation_requests').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('sync_index_entity_ix').on('sync_index').columns(['entity', 'entity_id']).execute();
  await db.schema.createIndex('patients_phone_ix').on('patients').column('phone').execute();
}
