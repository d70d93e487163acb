import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation } from '../../shared/domain/consultations.js';
import type { MutationName, MutationResult } from '../../shared/sync/protocol.js';
import { createUser } from '../auth/accounts.js';
import { writeTransaction } from '../context.js';
import { rescheduleConsultation } from '../modules/consultations.js';
import { ReminderJob } from '../modules/reminders.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { buildWorld, PASSWORD, referral, type World } from './world.js';

/**
 * Scheduling by the centre doctor: booking tells the patient (portal + SMS) and the referring
 * physician; overlaps are refused in Russian; a reschedule keeps the history; the patient cancels
 * their own consultation (and only theirs); completing moves the request on; reminders go once.
 */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => {
  await server?.close();
});

const db = () => server.api.ctx.db.kysely;
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
// Whole minutes far apart per test, so one test's bookings never clash with another's.
let slot = 200;
const nextSlot = () => {
  slot += 5;
  return inHours(slot);
};

interface Pushed {
  results: MutationResult[];
}
const push = (token: string, mutations: { id: number; name: MutationName; args: unknown }[], clientId: string = crypto.randomUUID()) =>
  call<Pushed>(server.url, 'POST', '/api/sync/push', { token, body: { clientId, mutations } });

const notificationsOf = (userId: string, consultationId: string) =>
  db()
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .execute()
    .then((rows) => rows.filter((r) => (JSON.parse(r.payload) as { consultationId: string | null }).consultationId === consultationId));
const smsOf = (patientId: string) => db().selectFrom('sms_outbox').selectAll().where('patient_id', '=', patientId).where('kind', '=', 'schedule').orderBy('created_at').execute();
const consultation = (id: string) => db().selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const requestStatus = async (id: string) => (await db().selectFrom('consultation_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

/** A referred patient at Bakulev with a portal account (for their in-app notifications and cancels). */
async function patientWithAccount() {
  const ref = await referral(server, world.physicianA.actor, 'bakulev');
  const login = `pt-${crypto.randomBytes(4).toString('hex')}`;
  const user = await createUser(db(), { login, password: PASSWORD, role: 'patient', fullName: login, centre: null, patientId: ref.patientId }, null);
  const token = await loginAs(server.url, login, PASSWORD);
  return { ...ref, userId: user.id, token };
}

async function book(requestId: string, startsAt = nextSlot(), durationMinutes = 30, token = world.doctorBakulev.token) {
  const consultationId = crypto.randomUUID();
  const res = await push(token, [{ id: 1, name: 'request.schedule', args: { id: requestId, consultationId, startsAt, durationMinutes } }]);
  return { consultationId, startsAt, result: res.body.results[0] };
}

describe('booking', () => {
  it('notifies the patient (in-app + SMS without the diagnosis) and the referring physician', async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId);
    expect(b.result).toMatchObject({ status: 'applied' });
    expect(await requestStatus(p.requestId)).toBe('scheduled');

    const forPatient = await notificationsOf(p.userId, b.consultationId);
    expect(forPatient).toHaveLength(1);
    expect(forPatient[0]?.kind).toBe('consultation.scheduled');
    const payload = JSON.parse(forPatient[0]?.payload ?? '{}') as { title: string; body: string; requestId: string; patientId: string };
    expect(payload).toMatchObject({ title: 'Консультация назначена', requestId: p.requestId, patientId: p.patientId });
    expect(payload.body).toMatch(/МСК/);
    expect(await notificationsOf(world.physicianA.id, b.consultationId)).toHaveLength(1);
    // Nobody else: not the other physician, not the other patient.
    expect(await notificationsOf(world.physicianB.id, b.consultationId)).toHaveLength(0);
    expect(await notificationsOf(world.patientA.id, b.consultationId)).toHaveLength(0);

    const sms = await smsOf(p.patientId);
    expect(sms).toHaveLength(1);
    const patient = await db().selectFrom('patients').select('phone').where('id', '=', p.patientId).executeTakeFirstOrThrow();
    expect(sms[0]).toMatchObject({ phone: patient.phone, status: 'queued' });
    // Date and time in Moscow time, no diagnosis (the test request's is «Тестовый диагноз», I25.1).
    const msk = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(b.startsAt));
    expect(sms[0]?.body).toContain(msk);
    expect(sms[0]?.body).toMatch(/МСК/);
    expect(sms[0]?.body).not.toMatch(/диагноз|I25/i);
    // The gateway's after-commit step ran (the outbox log line).
    const log = fs.readFileSync(path.join(server.db.dataDir, 'sms-outbox.log'), 'utf8');
    expect(log).toContain(sms[0]?.id ?? 'missing');
  });

  it('refuses an overlap in Russian and leaves no notification or SMS behind', async () => {
    const a = await patientWithAccount();
    const b = await patientWithAccount();
    const at = nextSlot();
    expect((await book(a.requestId, at, 60)).result).toMatchObject({ status: 'applied' });
    const clash = await book(b.requestId, new Date(Date.parse(at) + 30 * 60_000).toISOString(), 30);
    expect(clash.result).toMatchObject({ status: 'rejected', error: { code: 'CONFLICT' } });
    expect(clash.result?.status === 'rejected' ? clash.result.error.message : '').toMatch(/уже назначена консультация с .* \(МСК\)/);
    expect(await notificationsOf(b.userId, clash.consultationId)).toHaveLength(0);
    expect(await smsOf(b.patientId)).toHaveLength(0);
    expect(await requestStatus(b.requestId)).toBe('new');
  });

  it("refuses a booking in the doctor's own free duty slot", async () => {
    const p = await patientWithAccount();
    const at = nextSlot();
    await db()
      .insertInto('duty_slots')
      .values({ id: crypto.randomUUID(), doctor_id: world.doctorBakulev.id, centre: 'bakulev', starts_at: at, ends_at: new Date(Date.parse(at) + 3_600_000).toISOString(), consultation_id: null, created_at: new Date().toISOString() })
      .execute();
    const res = await book(p.requestId, at, 30);
    expect(res.result).toMatchObject({ status: 'rejected', error: { code: 'CONFLICT' } });
    expect(res.result?.status === 'rejected' ? res.result.error.message : '').toMatch(/дежурный приём/);
  });
});

describe('reschedule', () => {
  it('cancels the old one with the reason, makes the new one pointing back, notifies, and is idempotent for the same newId', async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId);
    const newId = crypto.randomUUID();
    const newAt = nextSlot();
    const res = await push(world.doctorBakulev.token, [
      { id: 1, name: 'consultation.reschedule', args: { id: b.consultationId, newId, startsAt: newAt, durationMinutes: 45, reason: 'Врач на конференции' } },
    ]);
    expect(res.body.results[0]).toMatchObject({ status: 'applied', result: { id: newId, status: 'scheduled', rescheduledFrom: b.consultationId } });
    const old = await consultation(b.consultationId);
    expect(old).toMatchObject({ status: 'cancelled', cancel_reason: 'Врач на конференции', cancelled_by: 'doctor' });
    const fresh = await consultation(newId);
    expect(fresh).toMatchObject({ status: 'scheduled', rescheduled_from: b.consultationId, starts_at: newAt });
    expect(Date.parse(fresh.ends_at) - Date.parse(fresh.starts_at)).toBe(45 * 60_000);
    expect(await requestStatus(p.requestId)).toBe('scheduled');
    const n = await notificationsOf(p.userId, newId);
    expect(n.map((x) => x.kind)).toEqual(['consultation.rescheduled']);
    expect(JSON.parse(n[0]?.payload ?? '{}').body).toMatch(/Врач на конференции/);
    expect(await notificationsOf(world.physicianA.id, newId)).toHaveLength(1);
    expect(await smsOf(p.patientId)).toHaveLength(2);

    // The same newId again (a replay from another install): the same consultation, nothing new.
    const again = await writeTransaction(server.api.ctx, (w) =>
      rescheduleConsultation(w, world.doctorBakulev.actor, { id: b.consultationId, newId, startsAt: nextSlot(), durationMinutes: 30, reason: 'Повтор' }),
    );
    expect(again).toMatchObject({ id: newId, startsAt: newAt });
    expect(await smsOf(p.patientId)).toHaveLength(2);

    // The history through the API: both, by start.
    const list = await call<{ items: Consultation[] }>(server.url, 'GET', `/api/consultations?requestId=${p.requestId}`, { token: p.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => [c.id, c.status])).toEqual([
      [b.consultationId, 'cancelled'],
      [newId, 'scheduled'],
    ]);
  });

  it('refuses a new time that clashes, a time in the past, and a consultation already cancelled', async () => {
    const a = await patientWithAccount();
    const b = await patientWithAccount();
    const ba = await book(a.requestId, nextSlot(), 60);
    const bb = await book(b.requestId);
    const clash = await push(world.doctorBakulev.token, [
      { id: 1, name: 'consultation.reschedule', args: { id: bb.consultationId, newId: crypto.randomUUID(), startsAt: new Date(Date.parse(ba.startsAt) + 10 * 60_000).toISOString(), durationMinutes: 30, reason: 'Другое время' } },
    ]);
    expect(clash.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'CONFLICT' } });
    expect((await consultation(bb.consultationId)).status).toBe('scheduled');
    const past = await push(world.doctorBakulev.token, [
      { id: 1, name: 'consultation.reschedule', args: { id: bb.consultationId, newId: crypto.randomUUID(), startsAt: inHours(-1), durationMinutes: 30, reason: 'Другое время' } },
    ]);
    expect(past.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    // Moving within its own time (a longer call) is not a clash with itself.
    const longer = await push(world.doctorBakulev.token, [
      { id: 1, name: 'consultation.reschedule', args: { id: bb.consultationId, newId: crypto.randomUUID(), startsAt: bb.startsAt, durationMinutes: 90, reason: 'Нужно больше времени' } },
    ]);
    expect(longer.body.results[0]).toMatchObject({ status: 'applied' });
    const onCancelled = await push(world.doctorBakulev.token, [
      { id: 1, name: 'consultation.reschedule', args: { id: bb.consultationId, newId: crypto.randomUUID(), startsAt: nextSlot(), durationMinutes: 30, reason: 'Ещё раз' } },
    ]);
    expect(onCancelled.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'INVALID_STATE' } });
  });
});

describe('cancel', () => {
  it('the patient cancels their own through the API: request back to review, stage follows, physician and doctor told, no SMS', async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId);
    const res = await call<Consultation>(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: p.token, body: { reason: 'Не смогу в это время' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelledBy: 'patient', cancelReason: 'Не смогу в это время' });
    expect(await requestStatus(p.requestId)).toBe('under_review');
    const stage = await db().selectFrom('patients').select('stage').where('id', '=', p.patientId).executeTakeFirstOrThrow();
    expect(stage.stage).toBe('under_review');
    expect((await notificationsOf(world.physicianA.id, b.consultationId)).map((n) => n.kind).sort()).toEqual(['consultation.cancelled', 'consultation.scheduled']);
    expect((await notificationsOf(world.doctorBakulev.id, b.consultationId)).map((n) => n.kind)).toEqual(['consultation.cancelled']);
    expect(await smsOf(p.patientId)).toHaveLength(1);
    // Booked again: the request can be scheduled anew.
    expect((await book(p.requestId)).result).toMatchObject({ status: 'applied' });
    // Audit: who cancelled.
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'consultation.cancel').where('entity_id', '=', b.consultationId).execute();
    expect(audit).toHaveLength(1);
  });

  it("a patient cannot cancel someone else's (404), nor can a physician (403), nor a doctor of another centre", async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId);
    const other = await call(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: world.patientB.token, body: { reason: 'Чужая консультация' } });
    expect(other.status).toBe(404);
    const sameCentreOtherPatient = await call(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: world.patientA.token, body: { reason: 'Чужая консультация' } });
    expect(sameCentreOtherPatient.status).toBe(404);
    const physician = await call(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: world.physicianA.token, body: { reason: 'Не врач центра' } });
    expect(physician.status).toBe(403);
    const otherCentre = await push(world.doctorKulakov.token, [{ id: 1, name: 'consultation.cancel', args: { id: b.consultationId, reason: 'Не мой центр' } }]);
    expect(otherCentre.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
    const otherCentreHttp = await call(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: world.doctorKulakov.token, body: { reason: 'Не мой центр' } });
    expect(otherCentreHttp.status).toBe(404);
    const tooShort = await call(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: p.token, body: { reason: 'no' } });
    expect(tooShort.status).toBe(400);
    expect((await consultation(b.consultationId)).status).toBe('scheduled');
  });

  it("the doctor cancels their own by sync (SMS to the patient); a colleague of the same centre cannot", async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId);
    const colleague = await createUser(db(), { login: `doc-${crypto.randomBytes(3).toString('hex')}`, password: PASSWORD, role: 'doctor', fullName: 'Коллега', centre: 'bakulev', patientId: null }, null);
    const colleagueToken = await loginAs(server.url, colleague.login, PASSWORD);
    const byColleague = await push(colleagueToken, [{ id: 1, name: 'consultation.cancel', args: { id: b.consultationId, reason: 'Не моя' } }]);
    expect(byColleague.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
    const res = await push(world.doctorBakulev.token, [{ id: 1, name: 'consultation.cancel', args: { id: b.consultationId, reason: 'Болезнь врача' } }]);
    expect(res.body.results[0]).toMatchObject({ status: 'applied', result: { status: 'cancelled', cancelledBy: 'doctor' } });
    expect(await requestStatus(p.requestId)).toBe('under_review');
    const sms = await smsOf(p.patientId);
    expect(sms).toHaveLength(2);
    expect(sms[1]?.body).toMatch(/отменена/);
    expect((await notificationsOf(p.userId, b.consultationId)).map((n) => n.kind).sort()).toEqual(['consultation.cancelled', 'consultation.scheduled']);
  });
});

describe('complete', () => {
  it('marks the consultation held and the request consulted; twice is refused', async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId);
    const res = await push(world.doctorBakulev.token, [{ id: 1, name: 'consultation.complete', args: { id: b.consultationId } }]);
    expect(res.body.results[0]).toMatchObject({ status: 'applied', result: { status: 'completed' } });
    expect(await requestStatus(p.requestId)).toBe('consulted');
    const stage = await db().selectFrom('patients').select('stage').where('id', '=', p.patientId).executeTakeFirstOrThrow();
    expect(stage.stage).toBe('consulted');
    const again = await push(world.doctorBakulev.token, [{ id: 1, name: 'consultation.complete', args: { id: b.consultationId } }]);
    expect(again.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'INVALID_STATE' } });
    const cancel = await call(server.url, 'POST', `/api/consultations/${b.consultationId}/cancel`, { token: p.token, body: { reason: 'Поздно отменять' } });
    expect(cancel.status).toBe(409);
  });
});

describe('reminders', () => {
  it('reminds each scheduled consultation once, within the window, and never a cancelled one', async () => {
    const soon = await patientWithAccount();
    const later = await patientWithAccount();
    const cancelled = await patientWithAccount();
    const s = await book(soon.requestId, inHours(3));
    const l = await book(later.requestId, inHours(30));
    const c = await book(cancelled.requestId, inHours(4));
    await push(world.doctorBakulev.token, [{ id: 1, name: 'consultation.cancel', args: { id: c.consultationId, reason: 'Отменено врачом' } }]);

    let now = Date.now();
    const job = new ReminderJob(server.api.ctx, { now: () => now, intervalMs: 60_000 });
    await job.runOnce();
    const reminders = async (p: { userId: string }, id: string) => (await notificationsOf(p.userId, id)).filter((n) => n.kind === 'consultation.reminder');
    expect(await reminders(soon, s.consultationId)).toHaveLength(1);
    expect(await reminders(later, l.consultationId)).toHaveLength(0);
    expect(await reminders(cancelled, c.consultationId)).toHaveLength(0);
    expect((await consultation(s.consultationId)).reminder_sent_at).not.toBeNull();
    const soonSms = await smsOf(soon.patientId);
    expect(soonSms.map((m) => m.body).some((b) => /напоминаем/.test(b))).toBe(true);
    // The physician is not reminded (they heard about the booking).
    expect((await notificationsOf(world.physicianA.id, s.consultationId)).filter((n) => n.kind === 'consultation.reminder')).toHaveLength(0);

    // Again, and concurrently: nothing twice.
    await Promise.all([job.runOnce(), new ReminderJob(server.api.ctx, { now: () => now }).runOnce()]);
    expect(await reminders(soon, s.consultationId)).toHaveLength(1);
    expect(await smsOf(soon.patientId)).toHaveLength(2);

    // Time passes: the later one comes within 24 hours.
    now += 8 * 3_600_000;
    await job.runOnce();
    expect(await reminders(later, l.consultationId)).toHaveLength(1);
    expect(await reminders(soon, s.consultationId)).toHaveLength(1);
    await job.stop();
  });

  it('start and stop run passes on the interval and stop cleanly', async () => {
    const p = await patientWithAccount();
    const b = await book(p.requestId, inHours(2));
    const job = new ReminderJob(server.api.ctx, { intervalMs: 20 });
    job.start();
    for (let i = 0; i < 200 && (await consultation(b.consultationId)).reminder_sent_at === null; i += 1) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    expect((await consultation(b.consultationId)).reminder_sent_at).not.toBeNull();
  });
});
