import type { Kysely } from 'kysely';
import type { PatientStage } from '../../shared/domain/patients.js';
import { profileChecklist } from '../../shared/reference/index.js';
import type { WriteScope } from '../context.js';
import type { Database } from '../db/schema.js';

/** Request statuses past `new` are stages of the same name (the request is the patient's furthest fact). */
const STAGE_OF_STATUS: Readonly<Record<string, PatientStage>> = {
  cancelled: 'cancelled',
  invited: 'invited',
  conclusion_issued: 'conclusion_issued',
  consulted: 'consulted',
  scheduled: 'scheduled',
  under_review: 'under_review',
};

/**
 * Where the patient is in the programme, from the facts alone: the latest request's status, then
 * the documents for that request's profile, then a sign-in of the patient's account, then a
 * credentials SMS. The latest request wins so a new referral after a cancelled one shows as live.
 */
export async function computePatientStage(db: Kysely<Database>, patientId: string): Promise<PatientStage> {
  const request = await db
    .selectFrom('consultation_requests')
    .select(['status', 'centre', 'profile'])
    .where('patient_id', '=', patientId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const byStatus = request ? STAGE_OF_STATUS[request.status] : undefined;
  if (byStatus) return byStatus;

  if (request) {
    const required = profileChecklist(request.centre, request.profile).filter((d) => d.required).map((d) => d.type);
    if (required.length > 0) {
      const docs = await db
        .selectFrom('documents')
        .select('doc_type')
        .distinct()
        .where('patient_id', '=', patientId)
        .where('deleted_at', 'is', null)
        .execute();
      const have = new Set(docs.map((d) => d.doc_type));
      if (required.every((t) => have.has(t))) return 'documents_complete';
    }
  }

  const session = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select('s.id')
    .where('u.patient_id', '=', patientId)
    .limit(1)
    .executeTakeFirst();
  if (session) return 'signed_in';

  const sms = await db
    .selectFrom('sms_outbox')
    .select('id')
    .where('patient_id', '=', patientId)
    .where('kind', '=', 'credentials')
    .limit(1)
    .executeTakeFirst();
  if (sms) return 'credentials_sent';
  return 'imported';
}

/**
 * Recomputes the patient's stage and, when it moved, stores it and bumps the patient's change so
 * every audience pulls the new stage. Call it in the transaction of any write that changes a fact
 * the stage depends on. Returns the stage.
 */
export async function refreshPatientStage(w: WriteScope, patientId: string): Promise<PatientStage> {
  const current = await w.tx.selectFrom('patients').select('stage').where('id', '=', patientId).executeTakeFirst();
  if (!current) throw new Error(`refreshPatientStage: no patient ${patientId}`);
  const stage = await computePatientStage(w.tx, patientId);
  if (stage !== current.stage) {
    await w.tx.updateTable('patients').set({ stage, updated_at: new Date().toISOString() }).where('id', '=', patientId).execute();
    await w.changed('patient', [patientId]);
  }
  return stage;
}
