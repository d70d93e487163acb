import crypto from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildWorld, PASSWORD, referral, type World } from '../../server/test/world.js';
import { Central, startDesktop, syncSettled, tempDataDir, waitFor, type Desktop } from './helpers.js';

/**
 * The centre doctor's calendar against the real central API: booking online reaches the server;
 * booking offline is pending, survives until the server is back and is delivered once; an overlap
 * with the doctor's own calendar is refused locally; a refusal by the server undoes the local
 * change (the consultation and the request's status); reschedule, cancel and complete travel too.
 */
let central: Central;
let world: World;
let t: ReturnType<typeof tempDataDir>;
let d: Desktop | null = null;

beforeEach(async () => {
  central = await Central.start();
  world = await buildWorld(central.server);
  t = tempDataDir();
});
afterEach(async () => {
  await d?.close();
  d = null;
  await central.destroy();
  t.cleanup();
});

const inHours = (h: number) => new Date(Math.ceil((Date.now() + h * 3_600_000) / 60_000) * 60_000).toISOString();
const range = () => ({ from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 30 * 86_400_000).toISOString() });
const db = () => central.server.api.ctx.db.kysely;
const serverConsultation = (id: string) => db().selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
const serverRequestStatus = async (id: string) => (await db().selectFrom('consultation_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

async function doctor(): Promise<Desktop> {
  d = await startDesktop(t.dir);
  await d.rpc.call('session.signIn', { serverUrl: central.url, login: 'doc-bakulev', password: PASSWORD });
  await syncSettled(d);
  return d;
}

async function inQueue(desk: Desktop, requestId: string) {
  await waitFor(async () => (await desk.rpc.call('requests.queue', {})).items.some((r) => r.request.id === requestId), `request ${requestId} in the local queue`);
}

it('books online, refuses an overlap locally naming the clash, reschedules, cancels and completes through sync', async () => {
  const desk = await doctor();
  await inQueue(desk, world.pA.requestId);
  const at = inHours(50);
  const booked = await desk.rpc.call('consultations.schedule', { requestId: world.pA.requestId, startsAt: at, durationMinutes: 30 });
  expect(booked).toMatchObject({ requestId: world.pA.requestId, status: 'scheduled', startsAt: at, doctorId: world.doctorBakulev.id });
  const listed = await desk.rpc.call('calendar.list', range());
  expect(listed.consultations.map((c) => c.id)).toContain(booked.id);
  expect(listed.patientNames[world.pA.patientId]).toMatch(/^Тестов /);

  await syncSettled(desk);
  expect(await serverConsultation(booked.id)).toMatchObject({ status: 'scheduled', starts_at: at, doctor_id: world.doctorBakulev.id });
  expect(await serverRequestStatus(world.pA.requestId)).toBe('scheduled');
  await waitFor(async () => (await desk.rpc.call('calendar.list', range())).consultations.find((c) => c.id === booked.id && !c.pending), 'the booking to be confirmed');

  // Another request of the centre, 15 minutes into the first booking: refused at once, nothing queued.
  const second = await referral(central.server, world.physicianA.actor, 'bakulev');
  await inQueue(desk, second.requestId);
  const clash = desk.rpc.call('consultations.schedule', { requestId: second.requestId, startsAt: new Date(Date.parse(at) + 15 * 60_000).toISOString(), durationMinutes: 30 });
  await expect(clash).rejects.toMatchObject({ code: 'CONFLICT' });
  await expect(clash).rejects.toThrow(/уже назначена консультация с .* \(МСК\), пациент Тестов/);
  expect((await desk.rpc.call('sync.status')).pending).toBe(0);

  // Reschedule: the old one cancelled with the reason, the new one points back at it.
  const moved = await desk.rpc.call('consultations.reschedule', { id: booked.id, startsAt: inHours(60), durationMinutes: 45, reason: 'Врач на конференции' });
  expect(moved).toMatchObject({ status: 'scheduled', rescheduledFrom: booked.id });
  const during = await desk.rpc.call('calendar.list', range());
  expect(during.consultations.find((c) => c.id === booked.id)).toMatchObject({ status: 'cancelled', pending: true });
  expect(during.consultations.find((c) => c.id === moved.id)).toMatchObject({ status: 'scheduled', pending: true });
  await syncSettled(desk);
  expect(await serverConsultation(booked.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'Врач на конференции', cancelled_by: 'doctor' });
  expect(await serverConsultation(moved.id)).toMatchObject({ status: 'scheduled', rescheduled_from: booked.id });
  // The freed time can now hold the second request.
  const secondBooking = await desk.rpc.call('consultations.schedule', { requestId: second.requestId, startsAt: at, durationMinutes: 30 });

  // Cancel: the request goes back to review (locally at once, on the server after sync).
  await desk.rpc.call('consultations.cancel', { id: secondBooking.id, reason: 'Пациент в стационаре' });
  await syncSettled(desk);
  expect(await serverConsultation(secondBooking.id)).toMatchObject({ status: 'cancelled', cancelled_by: 'doctor' });
  expect(await serverRequestStatus(second.requestId)).toBe('under_review');

  // Complete: held, the request consulted.
  await desk.rpc.call('consultations.complete', { id: moved.id });
  await syncSettled(desk);
  expect(await serverConsultation(moved.id)).toMatchObject({ status: 'completed' });
  expect(await serverRequestStatus(world.pA.requestId)).toBe('consulted');
  await expect(desk.rpc.call('consultations.cancel', { id: moved.id, reason: 'Слишком поздно' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
  expect((await desk.rpc.call('sync.rejections')).items).toHaveLength(0);
  // The patient and the referring physician were told about every change.
  const kinds = (await db().selectFrom('notifications').select('kind').where('user_id', '=', world.patientA.id).execute()).map((n) => n.kind).sort();
  expect(kinds).toEqual(['consultation.rescheduled', 'consultation.scheduled']);
});

it('books offline: pending while the server is down, delivered once on reconnect', async () => {
  const desk = await doctor();
  await inQueue(desk, world.pA.requestId);
  await central.stop();
  const at = inHours(70);
  const booked = await desk.rpc.call('consultations.schedule', { requestId: world.pA.requestId, startsAt: at, durationMinutes: 60 });
  const offline = await desk.rpc.call('calendar.list', range());
  expect(offline.consultations.map((c) => [c.id, c.pending])).toEqual([[booked.id, true]]);
  await waitFor(async () => (await desk.rpc.call('sync.status')).state === 'offline', 'offline state');
  expect((await desk.rpc.call('sync.status')).pending).toBe(1);
  // The local calendar already holds the time.
  await expect(desk.rpc.call('consultations.schedule', { requestId: world.pA.requestId, startsAt: inHours(90), durationMinutes: 30 })).rejects.toMatchObject({ code: 'INVALID_STATE' });

  await central.restart();
  const status = await desk.rpc.call('sync.now');
  expect(status).toMatchObject({ state: 'online', pending: 0, lastError: null });
  expect(await serverConsultation(booked.id)).toMatchObject({ status: 'scheduled', starts_at: at });
  const rows = await db().selectFrom('consultations').select('id').where('request_id', '=', world.pA.requestId).execute();
  expect(rows).toHaveLength(1);
  await waitFor(async () => (await desk.rpc.call('calendar.list', range())).consultations.find((c) => c.id === booked.id && !c.pending), 'delivered');
});

it('a booking the server refuses (a duty slot it knows of) is undone locally: no consultation, the request as before', async () => {
  const desk = await doctor();
  await inQueue(desk, world.pA.requestId);
  const at = inHours(80);
  await db()
    .insertInto('duty_slots')
    .values({ id: crypto.randomUUID(), doctor_id: world.doctorBakulev.id, centre: 'bakulev', starts_at: at, ends_at: new Date(Date.parse(at) + 3_600_000).toISOString(), consultation_id: null, created_at: new Date().toISOString() })
    .execute();
  const booked = await desk.rpc.call('consultations.schedule', { requestId: world.pA.requestId, startsAt: at, durationMinutes: 30 });
  const rejected = await waitFor(async () => (await desk.rpc.call('sync.rejections')).items[0], 'the refusal');
  expect(rejected.error.code).toBe('CONFLICT');
  expect(rejected.error.message).toMatch(/дежурный приём/);
  expect((await desk.rpc.call('calendar.list', range())).consultations.find((c) => c.id === booked.id)).toBeUndefined();
  const row = (await desk.rpc.call('requests.queue', {})).items.find((r) => r.request.id === world.pA.requestId);
  expect(row?.request.status).toBe('new');
  expect(await serverConsultation(booked.id)).toBeUndefined();
});
