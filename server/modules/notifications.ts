import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppNotification, type NotificationKind } from '../../shared/domain/notifications.js';
import type { Actor } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import type { Database } from '../db/schema.js';
import { newSmsId, OutboxSmsGateway, type SmsMessage } from '../sms/gateway.js';

/**
 * In-app notifications (one row per recipient, the shown fields as JSON in `payload`) and the
 * scheduling events that produce them: the patient is told in the portal and by SMS, the
 * referring physician in the desktop. Both are written in the caller's transaction, so a booking
 * that rolls back notifies nobody; the SMS hand-off runs after the commit.
 */

export interface NotificationContent {
  kind: NotificationKind;
  title: string;
  body: string;
  patientId: string | null;
  requestId: string | null;
  consultationId: string | null;
  conclusionId: string | null;
}

type Payload = Omit<AppNotification, 'id' | 'createdAt' | 'readAt'>;

/** One row per distinct user, in the caller's transaction. */
export async function notifyUsers(tx: Kysely<Database>, userIds: readonly (string | null | undefined)[], content: NotificationContent, at = new Date().toISOString()): Promise<void> {
  const users = [...new Set(userIds.filter((u): u is string => !!u))];
  if (users.length === 0) return;
  const payload: Payload = { ...content };
  await tx
    .insertInto('notifications')
    .values(users.map((u) => ({ id: crypto.randomUUID(), user_id: u, kind: content.kind, payload: JSON.stringify(payload), created_at: at, read_at: null })))
    .execute();
}

/** The patient's own accounts (portal users linked to the patient). */
export async function patientUserIds(tx: Kysely<Database>, patientId: string): Promise<string[]> {
  const rows = await tx.selectFrom('users').select('id').where('patient_id', '=', patientId).where('role', '=', 'patient').where('disabled', '=', 0).execute();
  return rows.map((r) => r.id);
}

/**
 * Queues SMS in the caller's transaction and hands them to the gateway once it has committed
 * (the dispatcher's wake-up, the outbox log line), never for a write that rolled back.
 */
export async function queueSms(w: WriteScope, messages: readonly SmsMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const gateway = w.ctx.sms?.gateway ?? new OutboxSmsGateway(w.ctx.config.dataDir);
  await gateway.queue(w.tx, messages);
  w.afterCommit(() => gateway.afterCommit(messages));
}

const SCHEDULE_SMS: SmsMessage['kind'] = 'schedule';

/** «25.11.2026 в 14:00» in Moscow time (the programme's time zone; the texts say «МСК»). */
export function moscowDateTime(iso: string): string {
  const parts = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')}.${get('month')}.${get('year')} в ${get('hour')}:${get('minute')}`;
}

export type SchedulingEvent =
  | { kind: 'consultation.scheduled' }
  | { kind: 'consultation.rescheduled'; previousStartsAt: string; reason: string }
  | { kind: 'consultation.cancelled'; reason: string; by: 'doctor' | 'patient' | 'system' }
  | { kind: 'consultation.reminder' };

export interface SchedulingSubject {
  consultationId: string;
  requestId: string;
  patientId: string;
  startsAt: string;
  doctorId: string;
}

/**
 * Tells the patient (portal + SMS) and the referring physician (desktop) about a booking, a new
 * time, a cancellation or the coming consultation. The texts carry time and doctor, never the
 * diagnosis: an SMS is read on a locked screen. A patient who cancelled gets no SMS about it;
 * their doctor is told in the app instead.
 */
export async function notifyScheduling(w: WriteScope, event: SchedulingEvent, s: SchedulingSubject): Promise<void> {
  const tx = w.tx;
  const info = await tx
    .selectFrom('consultation_requests as r')
    .innerJoin('patients as p', 'p.id', 'r.patient_id')
    .select(['r.referred_by', 'p.phone', 'p.last_name', 'p.first_name', 'p.middle_name'])
    .where('r.id', '=', s.requestId)
    .executeTakeFirst();
  if (!info) return;
  const doctor = await tx.selectFrom('users').select('full_name').where('id', '=', s.doctorId).executeTakeFirst();
  const when = moscowDateTime(s.startsAt);
  const doctorName = doctor?.full_name ?? '';
  const patientName = [info.last_name, initial(info.first_name), initial(info.middle_name)].filter(Boolean).join(' ');
  const ids = { patientId: s.patientId, requestId: s.requestId, consultationId: s.consultationId, conclusionId: null };

  let forPatient: { title: string; body: string };
  let forPhysician: { title: string; body: string };
  let sms: string | null;
  switch (event.kind) {
    case 'consultation.scheduled':
      forPatient = { title: 'Консультация назначена', body: `Телеконсультация назначена на ${when} (МСК). Врач: ${doctorName}. Подключитесь в личном кабинете в назначенное время.` };
      forPhysician = { title: 'Пациенту назначена консультация', body: `${patientName}: телеконсультация ${when} (МСК), врач ${doctorName}.` };
      sms = `Облако здоровья: телеконсультация назначена на ${when} (МСК). Подробности в личном кабинете.`;
      break;
    case 'consultation.rescheduled':
      forPatient = { title: 'Консультация перенесена', body: `Телеконсультация перенесена с ${moscowDateTime(event.previousStartsAt)} на ${when} (МСК). Причина: ${event.reason}` };
      forPhysician = { title: 'Консультация пациента перенесена', body: `${patientName}: консультация перенесена на ${when} (МСК). Причина: ${event.reason}` };
      sms = `Облако здоровья: телеконсультация перенесена на ${when} (МСК). Подробности в личном кабинете.`;
      break;
    case 'consultation.cancelled': {
      const who = event.by === 'patient' ? 'пациентом' : event.by === 'doctor' ? 'врачом' : 'системой';
      forPatient = { title: 'Консультация отменена', body: `Телеконсультация ${when} (МСК) отменена ${who}. Причина: ${event.reason}` };
      forPhysician = { title: 'Консультация пациента отменена', body: `${patientName}: консультация ${when} (МСК) отменена ${who}. Причина: ${event.reason}` };
      sms = event.by === 'patient' ? null : `Облако здоровья: телеконсультация ${when} (МСК) отменена. Подробности в личном кабинете.`;
      break;
    }
    case 'consultation.reminder':
      forPatient = { title: 'Напоминание о консультации', body: `Телеконсультация ${when} (МСК). Проверьте камеру, микрофон и интернет (не менее 2 Мбит/с для видео).` };
      forPhysician = { title: 'Скоро консультация пациента', body: `${patientName}: телеконсультация ${when} (МСК).` };
      sms = `Облако здоровья: напоминаем о телеконсультации ${when} (МСК). Вход через личный кабинет.`;
      break;
  }

  const at = new Date().toISOString();
  await notifyUsers(tx, await patientUserIds(tx, s.patientId), { kind: event.kind, ...forPatient, ...ids }, at);
  // The reminder is the patient's; the physician hears about changes, not about every call.
  if (event.kind !== 'consultation.reminder') await notifyUsers(tx, [info.referred_by], { kind: event.kind, ...forPhysician, ...ids }, at);
  if (event.kind === 'consultation.cancelled' && event.by === 'patient') {
    await notifyUsers(tx, [s.doctorId], { kind: event.kind, ...forPhysician, ...ids }, at);
  }
  if (sms && info.phone) await queueSms(w, [{ id: newSmsId(), phone: info.phone, body: sms, kind: SCHEDULE_SMS, patientId: s.patientId }]);
}

function initial(name: string | null): string {
  return name ? `${name.slice(0, 1)}.` : '';
}

function toNotification(row: { id: string; kind: string; payload: string; created_at: string; read_at: string | null }): AppNotification | null {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    return null;
  }
  const parsed = AppNotification.safeParse({ ...(payload as object), id: row.id, kind: row.kind, createdAt: row.created_at, readAt: row.read_at });
  return parsed.success ? parsed.data : null;
}

const LIST_LIMIT = 100;

/** The caller's own notifications, newest first (the latest 100), and how many are unread in all. */
export async function listNotifications(db: Kysely<Database>, actor: Actor): Promise<{ items: AppNotification[]; unread: number }> {
  const rows = await db
    .selectFrom('notifications')
    .select(['id', 'kind', 'payload', 'created_at', 'read_at'])
    .where('user_id', '=', actor.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(LIST_LIMIT)
    .execute();
  const unread = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', actor.userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { items: rows.map(toNotification).filter((n): n is AppNotification => n !== null), unread: Number(unread.n) };
}

/** Marks the caller's own notifications read; ids of someone else's are ignored, not revealed. */
export async function markNotificationsRead(db: Kysely<Database>, actor: Actor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notifications')
    .set({ read_at: new Date().toISOString() })
    .where('user_id', '=', actor.userId)
    .where('id', 'in', [...ids])
    .where('read_at', 'is', null)
    .execute();
}
