import type { Kysely } from 'kysely';
import type { CallRole } from '../../shared/call/protocol.js';
import type { Actor } from '../auth/actor.js';
import type { CallConfig } from '../config.js';
import type { Database } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { formatMoscow } from '../modules/consultations.js';

/** A consultation as its call needs it, with the caller's part in it. */
export interface CallAccess {
  role: CallRole;
  consultationId: string;
  requestId: string;
  patientId: string;
  doctorId: string;
  startsAt: string;
  endsAt: string;
  opensAt: string;
  closesAt: string;
  /** The other participant's name, as the caller's screen shows it. */
  peerName: string;
}

function initials(last: string, first: string, middle: string | null): string {
  return [last, `${first.slice(0, 1)}.`, middle ? `${middle.slice(0, 1)}.` : ''].filter(Boolean).join(' ');
}

/**
 * Who may be in a consultation's room: its doctor and its patient, nobody else — not another
 * doctor of the centre, not the referring physician, not another patient (they are told the
 * consultation does not exist, as anywhere else). And only while the room is open: from
 * `earlyMinutes` before the start to `lateMinutes` after the scheduled end, for a consultation
 * still scheduled. Checked when the ticket is issued and again when it is presented.
 */
export async function loadCallAccess(db: Kysely<Database>, actor: Pick<Actor, 'role' | 'userId' | 'patientId'>, consultationId: string, config: CallConfig, now = Date.now()): Promise<CallAccess> {
  const row = await db
    .selectFrom('consultations as c')
    .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
    .innerJoin('users as d', 'd.id', 'c.doctor_id')
    .innerJoin('patients as p', 'p.id', 'r.patient_id')
    .select(['c.id', 'c.request_id', 'c.doctor_id', 'c.starts_at', 'c.ends_at', 'c.status', 'r.patient_id', 'd.full_name as doctor_name', 'p.last_name', 'p.first_name', 'p.middle_name'])
    .where('c.id', '=', consultationId)
    .executeTakeFirst();
  const role: CallRole | null = !row
    ? null
    : actor.role === 'doctor' && row.doctor_id === actor.userId
      ? 'doctor'
      : actor.role === 'patient' && actor.patientId !== null && row.patient_id === actor.patientId
        ? 'patient'
        : null;
  if (!row || !role) throw notFound('Консультация');
  if (row.status === 'cancelled') throw new AppError('CALL_NOT_OPEN', 'Эта консультация отменена. Посмотрите новое время в списке консультаций.');
  if (row.status === 'completed') throw new AppError('CALL_NOT_OPEN', 'Эта консультация уже проведена. Заключение появится в разделе «Заключения».');
  const opens = Date.parse(row.starts_at) - config.earlyMinutes * 60_000;
  const closes = Date.parse(row.ends_at) + config.lateMinutes * 60_000;
  if (now < opens) {
    throw new AppError('CALL_NOT_OPEN', `Подключиться можно с ${formatMoscow(new Date(opens).toISOString())} (МСК), за ${config.earlyMinutes} мин до начала. Вернитесь к этому времени.`);
  }
  if (now > closes) throw new AppError('CALL_NOT_OPEN', 'Время этой консультации прошло. Если она не состоялась, запишитесь на другое время.');
  return {
    role,
    consultationId: row.id,
    requestId: row.request_id,
    patientId: row.patient_id,
    doctorId: row.doctor_id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    opensAt: new Date(opens).toISOString(),
    closesAt: new Date(closes).toISOString(),
    peerName: role === 'doctor' ? initials(row.last_name, row.first_name, row.middle_name) : row.doctor_name,
  };
}
