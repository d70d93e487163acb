import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../auth/accounts.js';
import { CONSENT_VERSION } from '../modules/consent.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { buildWorld, CONSENT_BASIS, PASSWORD, pdfBytes, uploadPath, type World } from './world.js';

/** The portal's ways into the queue (self-application, the duty doctor) and the chat per request. */
let server: TestServer;
let world: World;
let duty = { id: '', token: '' };

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
  const u = await createUser(server.api.ctx.db.kysely, { login: 'duty-bakulev', password: PASSWORD, role: 'doctor', fullName: 'Дежурова Анна Сергеевна', centre: 'bakulev', isDuty: true }, null);
  duty = { id: u.id, token: await loginAs(server.url, 'duty-bakulev', PASSWORD) };
});
afterAll(async () => server?.close());

const consent = (token: string) => call(server.url, 'POST', '/api/me/consent', { token, body: { version: CONSENT_VERSION, agree: true } });
const inDays = (d: number, hour = 9) => {
  const t = new Date(Date.now() + d * 86_400_000);
  t.setUTCHours(hour, 0, 0, 0);
  return t.toISOString();
};
async function pullIds(token: string): Promise<{ entity: string; id: string }[]> {
  const out: { entity: string; id: string }[] = [];
  let since = 0;
  for (;;) {
    const r = await call(server.url, 'POST', '/api/sync/pull', { token, body: { since, limit: 5000 } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    for (const c of r.body.changes as { op: string; entity: string; id: string }[]) if (c.op === 'put') out.push({ entity: c.entity, id: c.id });
    since = r.body.cursor;
    if (!r.body.hasMore) return out;
  }
}

/** A patient who registers in the portal by SMS code (no referral, no СНИЛС). */
async function selfRegistered(): Promise<{ token: string; patientId: string; userId: string }> {
  const phone = `+7913${String(1000000 + Math.floor(Math.random() * 8999999))}`;
  expect((await call(server.url, 'POST', '/api/auth/register', { body: { phone } })).status).toBe(200);
  const sms = await server.api.ctx.db.kysely.selectFrom('sms_outbox').select('body').where('phone', '=', phone).executeTakeFirstOrThrow();
  const code = /код подтверждения (\d{6})/.exec(sms.body)?.[1] ?? '';
  const r = await call(server.url, 'POST', '/api/auth/register/confirm', {
    body: { phone, code, lastName: 'Сам', firstName: 'Обратившийся', sex: 'male', birthDate: '1966-02-03', password: 'пароль-пациента-1' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { token: r.body.token, patientId: r.body.user.patientId, userId: r.body.user.id };
}

describe('self-application', () => {
  it('lands in the centre\'s queue: a centre doctor pulls it, the other centre does not', async () => {
    const p = await selfRegistered();
    const body = { id: crypto.randomUUID(), centre: 'bakulev', profile: 'rhythm_disorders', diagnosis: 'Фибрилляция предсердий', complaints: 'Перебои в работе сердца' };
    const refused = await call(server.url, 'POST', '/api/applications', { token: p.token, body });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('CONSENT_REQUIRED');
    expect((await consent(p.token)).status).toBe(200);
    const r = await call(server.url, 'POST', '/api/applications', { token: p.token, body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id: body.id, patientId: p.patientId, source: 'self_application', status: 'new', centre: 'bakulev', complaints: body.complaints, referredBy: null });
    const dueDays = (Date.parse(r.body.dueAt) - Date.parse(r.body.createdAt)) / 86_400_000;
    expect(dueDays).toBe(3);
    // Idempotent by id.
    const again = await call(server.url, 'POST', '/api/applications', { token: p.token, body });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(body.id);
    const bak = await pullIds(world.doctorBakulev.token);
    expect(bak).toContainEqual({ entity: 'request', id: body.id });
    expect(bak).toContainEqual({ entity: 'patient', id: p.patientId });
    const kul = await pullIds(world.doctorKulakov.token);
    expect(kul.map((c) => c.id)).not.toContain(body.id);
    const audit = await server.api.ctx.db.kysely.selectFrom('audit_events').select('action').where('entity_id', '=', body.id).where('action', '=', 'request.create').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('checks the profile against the centre and the pregnancy term', async () => {
    const t = world.patientB.token;
    await consent(t);
    const base = { diagnosis: 'Диагноз', complaints: 'Жалобы' };
    const wrongCentre = await call(server.url, 'POST', '/api/applications', { token: t, body: { id: crypto.randomUUID(), centre: 'kulakov', profile: 'rhythm_disorders', ...base } });
    expect(wrongCentre.status).toBe(400);
    expect(wrongCentre.body.error.message).toMatch(/Профиль не относится/);
    const noWeeks = await call(server.url, 'POST', '/api/applications', { token: t, body: { id: crypto.randomUUID(), centre: 'kulakov', profile: 'fetal_malformations', ...base } });
    expect(noWeeks.status).toBe(400);
    expect(noWeeks.body.error.message).toMatch(/срок беременности/);
    const ok = await call(server.url, 'POST', '/api/applications', { token: t, body: { id: crypto.randomUUID(), centre: 'kulakov', profile: 'fetal_malformations', pregnancyWeeks: 22, ...base } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.pregnancyWeeks).toBe(22);
    // Someone else's id is not replayed.
    const other = await call(server.url, 'POST', '/api/applications', { token: t, body: { id: world.pA.requestId, centre: 'kulakov', profile: 'breast_pathology', ...base } });
    expect(other.status).toBe(409);
  });
});

describe('duty doctor', () => {
  it('only a duty doctor opens slots; future only; no overlap', async () => {
    const body = { startsAt: inDays(3), durationMinutes: 30, count: 4 };
    const notDuty = await call(server.url, 'POST', '/api/duty/slots', { token: world.doctorBakulev.token, body });
    expect(notDuty.status).toBe(403);
    expect(notDuty.body.error.message).toMatch(/дежурные врачи/);
    const past = await call(server.url, 'POST', '/api/duty/slots', { token: duty.token, body: { ...body, startsAt: new Date(Date.now() - 3_600_000).toISOString() } });
    expect(past.status).toBe(400);
    const r = await call(server.url, 'POST', '/api/duty/slots', { token: duty.token, body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items).toHaveLength(4);
    expect(r.body.items[1]).toMatchObject({ centre: 'bakulev', doctorId: duty.id, doctorName: 'Дежурова Анна Сергеевна', free: true });
    expect(Date.parse(r.body.items[1].startsAt) - Date.parse(r.body.items[0].startsAt)).toBe(30 * 60_000);
    const overlap = await call(server.url, 'POST', '/api/duty/slots', { token: duty.token, body: { ...body, startsAt: new Date(Date.parse(body.startsAt) + 45 * 60_000).toISOString(), count: 1 } });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.message).toMatch(/дежурный приём/);
  });

  it('refuses slots over the doctor\'s scheduled consultation', async () => {
    const req = await server.api.ctx.db.kysely.selectFrom('consultation_requests').select('id').where('id', '=', world.pA.requestId).executeTakeFirstOrThrow();
    // The duty doctor is a Бакулев doctor too: they schedule patient A's referral.
    const startsAt = inDays(5, 12);
    const s = await call(server.url, 'POST', `/api/requests/${req.id}/schedule`, { token: duty.token, body: { startsAt, durationMinutes: 30 } });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const r = await call(server.url, 'POST', '/api/duty/slots', { token: duty.token, body: { startsAt: new Date(Date.parse(startsAt) - 15 * 60_000).toISOString(), durationMinutes: 30, count: 1 } });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/уже назначена консультация/);
  });

  it('a patient books a free slot: request and consultation, notified in the portal and by SMS', async () => {
    const p = await selfRegistered();
    await consent(p.token);
    const list = await call(server.url, 'GET', '/api/duty/slots?centre=bakulev', { token: p.token });
    expect(list.status).toBe(200);
    const slot = (list.body.items as { id: string; free: boolean; startsAt: string }[]).find((s) => s.free);
    expect(slot).toBeTruthy();
    const r = await call(server.url, 'POST', `/api/duty/slots/${slot?.id}/book`, { token: p.token, body: { question: 'Можно ли бегать после стентирования?' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.request).toMatchObject({ patientId: p.patientId, source: 'duty_booking', status: 'scheduled', centre: 'bakulev', assignedDoctorId: duty.id, complaints: 'Можно ли бегать после стентирования?' });
    expect(r.body.consultation).toMatchObject({ kind: 'duty', doctorId: duty.id, startsAt: slot?.startsAt, status: 'scheduled', requestId: r.body.request.id });
    const after = await call(server.url, 'GET', '/api/duty/slots?centre=bakulev', { token: p.token });
    expect((after.body.items as { id: string; free: boolean }[]).find((s) => s.id === slot?.id)?.free).toBe(false);
    const notes = await call(server.url, 'GET', '/api/notifications', { token: p.token });
    expect((notes.body.items as { kind: string }[]).map((x) => x.kind)).toContain('consultation.scheduled');
    const sms = await server.api.ctx.db.kysely.selectFrom('sms_outbox').select('kind').where('patient_id', '=', p.patientId).where('kind', '=', 'schedule').execute();
    expect(sms).toHaveLength(1);
    // The slot's doctor sees it in the pull.
    expect(await pullIds(duty.token)).toContainEqual({ entity: 'consultation', id: r.body.consultation.id });
    const taken = await call(server.url, 'POST', `/api/duty/slots/${slot?.id}/book`, { token: world.patientA.token, body: { question: 'Вопрос' } });
    expect([403, 409]).toContain(taken.status);

    // The patient cancels: the slot is free again for someone else.
    const cancelled = await call(server.url, 'POST', `/api/consultations/${r.body.consultation.id}/cancel`, { token: p.token, body: { reason: 'Не смогу в это время' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const reopened = await call(server.url, 'GET', '/api/duty/slots?centre=bakulev', { token: p.token });
    expect((reopened.body.items as { id: string; free: boolean }[]).find((s) => s.id === slot?.id)?.free).toBe(true);
  });

  it('two concurrent bookings of one slot: exactly one wins (5 times)', async () => {
    await consent(world.patientA.token);
    await consent(world.patientB.token);
    const created = await call(server.url, 'POST', '/api/duty/slots', { token: duty.token, body: { startsAt: inDays(7), durationMinutes: 20, count: 5 } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    for (const slot of created.body.items as { id: string }[]) {
      const [a, b] = await Promise.all([
        call(server.url, 'POST', `/api/duty/slots/${slot.id}/book`, { token: world.patientA.token, body: { question: 'Питание при ИБС' } }),
        call(server.url, 'POST', `/api/duty/slots/${slot.id}/book`, { token: world.patientB.token, body: { question: 'Реабилитация' } }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.body, b.body])).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error.code).toBe('CONFLICT');
      expect(loser.body.error.message).toMatch(/Это время уже заняли/);
      const consultations = await server.api.ctx.db.kysely
        .selectFrom('consultations')
        .innerJoin('duty_slots', 'duty_slots.starts_at', 'consultations.starts_at')
        .select('consultations.id')
        .where('duty_slots.id', '=', slot.id)
        .where('consultations.doctor_id', '=', duty.id)
        .execute();
      expect(consultations).toHaveLength(1);
    }
  });
});

describe('chat per request', () => {
  it('patient ↔ centre doctor, strangers 404, unread counts and read marks, attachments of the patient only', async () => {
    const path = `/api/requests/${world.pA.requestId}/messages`;
    const send = (token: string, body: string, documentId: string | null = null, id = crypto.randomUUID()) => call(server.url, 'POST', path, { token, body: { id, body, documentId } });
    const list = (token: string) => call(server.url, 'GET', path, { token });

    const first = await send(world.patientA.token, 'Здравствуйте! Нужно ли повторить ЭКГ?');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ requestId: world.pA.requestId, senderId: world.patientA.id, senderRole: 'patient', readAt: null, documentId: null });
    // Retried with the same id: the same message.
    const retry = await send(world.patientA.token, 'Здравствуйте! Нужно ли повторить ЭКГ?', null, first.body.id);
    expect(retry.body.id).toBe(first.body.id);

    const docView = await list(world.doctorBakulev.token);
    expect(docView.status).toBe(200);
    expect(docView.body.items).toHaveLength(1);
    expect(docView.body.unread).toBe(1);
    for (const stranger of [world.doctorKulakov.token, world.patientB.token]) {
      expect((await list(stranger)).status).toBe(404);
      expect((await send(stranger, 'Чужое')).status).toBe(404);
    }
    // The patient's own messages are not unread for them.
    expect((await list(world.patientA.token)).body.unread).toBe(0);

    const reply = await send(world.doctorBakulev.token, 'Добрый день. Да, приложите свежую ЭКГ.');
    expect(reply.status).toBe(200);
    expect(reply.body.senderRole).toBe('doctor');
    expect((await list(world.patientA.token)).body.unread).toBe(1);
    expect((await call(server.url, 'POST', `${path}/read`, { token: world.patientA.token })).status).toBe(200);
    const patientView = await list(world.patientA.token);
    expect(patientView.body.unread).toBe(0);
    expect(patientView.body.items.find((m: { id: string }) => m.id === reply.body.id).readAt).not.toBeNull();
    // The doctor's unread is the patient's message until the doctor reads.
    expect((await list(world.doctorBakulev.token)).body.unread).toBe(1);
    await call(server.url, 'POST', `${path}/read`, { token: world.doctorBakulev.token });
    expect((await list(world.doctorBakulev.token)).body.unread).toBe(0);

    // Attachments: a document of this patient, not another patient's.
    const own = await call(server.url, 'POST', uploadPath(world.pA.patientId), { token: world.physicianA.token, bytes: pdfBytes() });
    const foreign = await call(server.url, 'POST', uploadPath(world.pB.patientId, { basis: CONSENT_BASIS }), { token: world.physicianB.token, bytes: pdfBytes() });
    expect(own.status).toBe(200);
    expect(foreign.status).toBe(200);
    const bad = await send(world.patientA.token, 'Вот документ', foreign.body.id);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/только документ этого пациента/);
    const good = await send(world.patientA.token, 'Вот ЭКГ', own.body.id);
    expect(good.status).toBe(200);
    expect(good.body.documentId).toBe(own.body.id);

    const audit = await server.api.ctx.db.kysely
      .selectFrom('audit_events')
      .select(['action', 'patient_id'])
      .where('action', 'in', ['message.send', 'message.list', 'message.read'])
      .where('patient_id', '=', world.pA.patientId)
      .execute();
    expect(new Set(audit.map((a) => a.action))).toEqual(new Set(['message.send', 'message.list', 'message.read']));
  });
});
