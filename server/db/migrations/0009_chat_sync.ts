import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../config.js';

/**
 * Chat messages become a synced entity (`message`): the messages written before this version
 * (through the portal and the REST routes) get their sync-index entries — the request's patient
 * and the request's centre — so the doctors' desktops receive them on their next pull. Change
 * numbers come from the one counter, in message order, so a pull sees them oldest first.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _kind: DatabaseKind): Promise<void> {
  const rows = (await db
    .selectFrom('messages as m')
    .innerJoin('consultation_requests as r', 'r.id', 'm.request_id')
    .select(['m.id', 'r.patient_id', 'r.centre'])
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute()) as { id: string; patient_id: string; centre: string }[];
  if (rows.length > 0) {
    const counter = (await db
      .updateTable('sync_counter')
      .set((eb) => ({ value: eb('value', '+', rows.length * 2) }))
      .where('id', '=', 1)
      .returning('value')
      .executeTakeFirstOrThrow()) as { value: number | string | bigint };
    let next = Number(counter.value) - rows.length * 2;
    const entries = rows.flatMap((r) => [
      { audience: `patient:${r.patient_id}`, entity: 'message', entity_id: r.id, change_no: ++next, deleted: 0 },
      { audience: `centre:${r.centre}`, entity: 'message', entity_id: r.id, change_no: ++next, deleted: 0 },
    ]);
    for (let i = 0; i < entries.length; i += 400) {
      await db
        .insertInto('sync_index')
        .values(entries.slice(i, i + 400))
        .onConflict((oc) => oc.columns(['audience', 'entity', 'entity_id']).doNothing())
        .execute();
    }
  }
  // Unread counts per request: the other side's messages without `read_at`.
  await db.schema.createIndex('messages_request_read_ix').on('messages').columns(['request_id', 'read_at']).execute();
}
