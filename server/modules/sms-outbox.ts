import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/schema.js';
import { forbidden } from '../errors.js';
import { maskSecrets } from '../sms/gateway.js';

export interface SmsOutboxItem {
  id: string;
  phone: string;
  patientId: string | null;
  kind: string | null;
  status: string;
  createdAt: string;
  sentAt: string | null;
  text: string;
  masked: boolean;
}

/**
 * The SMS queue for the manager, newest first. Passwords are masked unless the server runs in
 * demo mode, where the end-to-end tests read the one-time credentials from here.
 */
export async function listSmsOutbox(
  db: Kysely<Database>,
  actor: Actor,
  opts: { limit: number; offset: number; demo: boolean },
): Promise<{ items: SmsOutboxItem[]; total: number }> {
  if (actor.role !== 'manager') throw forbidden();
  const total = await db.selectFrom('sms_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await db.selectFrom('sms_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(opts.limit).offset(opts.offset).execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      phone: r.phone,
      patientId: r.patient_id,
      kind: r.kind,
      status: r.status,
      createdAt: r.created_at,
      sentAt: r.sent_at,
      text: opts.demo ? r.body : maskSecrets(r.body),
      masked: !opts.demo,
    })),
    total: Number(total.n),
  };
}
