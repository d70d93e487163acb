import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../auth/accounts.js';
import { generateOneTimeSecret, hashOneTimeSecret } from '../auth/passwords.js';
import { credentialsText } from '../modules/batch-import.js';
import { resendSms } from '../modules/sms-outbox.js';
import { SmsDispatcher } from '../sms/dispatcher.js';
import { insertSmsRows, maskSecrets, newSmsId, OutboxSmsGateway } from '../sms/gateway.js';
import type { Timing } from '../sms/rate-limit.js';
import { SmsRuProvider } from '../sms/smsru.js';
import { startSmsRuStub, type SmsRuStub } from '../sms/smsru-stub.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, PASSWORD, referral, type World } from './world.js';

/**
 * Resending an SMS through the HTTP API: a credentials SMS gets a new one-time password in the
 * same row (the old one stops working, the new one works), is refused once the patient chose a
 * password or while the message is still queued; other messages are re-queued as they are. The
 * queue's filters and new fields.
 */
let server: TestServer;
let world: World;
let stub: SmsRuStub;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
  stub = await startSmsRuStub({ apiId: 'k' });
});
afterAll(async () => {
  await stub?.close();
  await server?.close();
});

const db = () => server.api.ctx.db.kysely;
const row = (id: string) => db().selectFrom('sms_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const secretOf = (body: string) => /пароль ([a-z2-9]{16})/.exec(body)?.[1] ?? '';

const clock: Timing = { now: () => Date.now(), sleep: async () => undefined };
const dispatcher = () => new SmsDispatcher(db(), new SmsRuProvider({ url: stub.url, apiId: 'k', sender: '', timeoutMs: 2_000 }), { timing: clock });

/** A referred patient with an unused one-time password and its credentials SMS, already sent. */
async function patientWithCredentials(login: string) {
  const { patientId } = await referral(server, world.physicianA.actor, 'bakulev');
  const user = await createUser(db(), { login, password: PASSWORD, role: 'patient', fullName: login, centre: null, patientId }, null);
  const secret = generateOneTimeSecret();
  await db().updateTable('users').set({ password_hash: hashOneTimeSecret(secret), password_kind: 'one_time', must_change_password: 1 }).where('id', '=', user.id).execute();
  const id = newSmsId();
  await db()
    .transaction()
    .execute((tx) => insertSmsRows(tx, [{ id, phone: '+79161112233', body: credentialsText(server.api.ctx.config.publicUrl, login, secret), kind: 'credentials', patientId }]));
  await db().updateTable('sms_outbox').set({ status: 'failed', attempts: 6, error: 'Нет связи с SMS.ru.' }).where('id', '=', id).execute();
  return { patientId, userId: user.id, secret, smsId: id };
}

const login = (name: string, password: string) => call<{ token: string }>(server.url, 'POST', '/api/auth/login', { body: { login: name, password } });
const resend = (id: string, token = world.manager.token) => call<{ status: string; attempts: number; error: string | null; text: string; masked: boolean; patientId: string }>(server.url, 'POST', `/api/sms-outbox/${id}/resend`, { token });

describe('resend of an SMS', () => {
  it('gives a credentials SMS a new one-time password: the old one stops working, the new one works', async () => {
    const p = await patientWithCredentials('p-resend-1');
    const res = await resend(p.smsId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'queued', attempts: 0, error: null, masked: true, patientId: p.patientId });
    expect(res.body.text).toContain('••••••••');

    const stored = await row(p.smsId);
    expect(stored).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: null, error: null, provider_message_id: null });
    const fresh = secretOf(stored.body);
    expect(fresh).toHaveLength(16);
    expect(fresh).not.toBe(p.secret);
    // Still one credentials row for the patient.
    expect(await db().selectFrom('sms_outbox').select('id').where('patient_id', '=', p.patientId).execute()).toHaveLength(1);

    expect((await login('p-resend-1', p.secret)).status).toBe(401);

    // The dispatcher sends the new text and keeps only the masked one.
    expect(await dispatcher().step()).toMatchObject({ sent: 1 });
    const last = stub.sendRequests().at(-1);
    expect(last?.msg).toContain(fresh);
    expect(last?.to).toBe('79161112233');
    expect((await row(p.smsId)).body).toBe(maskSecrets(stored.body));

    expect((await login('p-resend-1', fresh)).status).toBe(200);

    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'sms.resend').where('entity_id', '=', p.smsId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ patient_id: p.patientId, actor_id: world.manager.id, result: 'ok' });
    expect(audit[0]?.details ?? '').not.toContain(fresh);
  });

  it('after a sign-in with the one-time password but before the change: allowed, and the session ends', async () => {
    const p = await patientWithCredentials('p-resend-2');
    const first = await login('p-resend-2', p.secret);
    expect(first.status).toBe(200);
    expect((await resend(p.smsId)).status).toBe(200);
    // The session opened with the old password is gone.
    const who = await call(server.url, 'POST', '/api/auth/change-password', { token: first.body.token, body: { currentPassword: p.secret, newPassword: 'Новый-пароль-пациента-1' } });
    expect(who.status).toBe(401);
    expect(who.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const fresh = secretOf((await row(p.smsId)).body);
    expect((await login('p-resend-2', fresh)).status).toBe(200);
  });

  it('is refused while the message is still queued, and once the patient has chosen a password', async () => {
    const p = await patientWithCredentials('p-resend-3');
    expect((await resend(p.smsId)).status).toBe(200);
    const again = await resend(p.smsId);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'INVALID_STATE' } });
    expect(JSON.stringify(again.body)).toContain('уже в очереди');

    const fresh = secretOf((await row(p.smsId)).body);
    await dispatcher().step();
    const session = await login('p-resend-3', fresh);
    expect(session.status).toBe(200);
    const changed = await call(server.url, 'POST', '/api/auth/change-password', { token: session.body.token, body: { currentPassword: fresh, newPassword: 'Новый-пароль-пациента-3' } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    const before = await db().selectFrom('users').select(['password_hash', 'password_kind']).where('id', '=', p.userId).executeTakeFirstOrThrow();
    const refused = await resend(p.smsId);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'INVALID_STATE' } });
    expect(JSON.stringify(refused.body)).toMatch(/уже задал собственный пароль.*сбросом пароля/);
    // Nothing changed: the chosen password still works.
    expect(await db().selectFrom('users').select(['password_hash', 'password_kind']).where('id', '=', p.userId).executeTakeFirstOrThrow()).toEqual(before);
    expect((await row(p.smsId)).status).toBe('sent');
    expect((await login('p-resend-3', 'Новый-пароль-пациента-3')).status).toBe(200);
  });

  it('re-queues any other message with the same text', async () => {
    const id = newSmsId();
    await db()
      .insertInto('sms_outbox')
      .values({ id, phone: '+79160000009', body: 'Облако здоровья: консультация завтра в 10:00.', status: 'undelivered', attempts: 1, provider_message_id: '000000-1', error: 'Не доставлено (код 104).', created_at: new Date().toISOString(), sent_at: new Date().toISOString(), patient_id: null, kind: 'notice', next_attempt_at: null, delivered_at: new Date().toISOString(), updated_at: null })
      .execute();
    const res = await resend(id);
    expect(res.status).toBe(200);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 0, error: null, provider_message_id: null, delivered_at: null, body: 'Облако здоровья: консультация завтра в 10:00.' });
  });

  it('is for the manager only; an unknown id is not found', async () => {
    const p = await patientWithCredentials('p-resend-4');
    expect((await resend(p.smsId, world.physicianA.token)).status).toBe(403);
    await expect(resendSms(server.api.ctx, world.doctorBakulev.actor, p.smsId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await resend('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await row(p.smsId)).status).toBe('failed');
  });

  it('wakes the dispatcher when the context has one', async () => {
    const p = await patientWithCredentials('p-resend-5');
    let woken = 0;
    // Only wake() is used here; the rest of a dispatcher is beside the point.
    const dispatcher = { wake: () => void (woken += 1) } as unknown as SmsDispatcher;
    await resendSms({ ...server.api.ctx, sms: { gateway: new OutboxSmsGateway(server.api.ctx.config.dataDir), dispatcher } }, world.manager.actor, p.smsId);
    expect(woken).toBe(1);
  });
});

describe('the SMS queue list', () => {
  it('filters by status and patient and shows attempts, errors and delivery', async () => {
    const p = await patientWithCredentials('p-list-1');
    const all = await call<{ items: { id: string; status: string; attempts: number; error: string | null; deliveredAt: string | null; providerMessageId: string | null }[]; total: number }>(
      server.url,
      'GET',
      `/api/sms-outbox?patientId=${p.patientId}`,
      { token: world.manager.token },
    );
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.total).toBe(1);
    expect(all.body.items[0]).toMatchObject({ id: p.smsId, status: 'failed', attempts: 6, error: 'Нет связи с SMS.ru.', deliveredAt: null, providerMessageId: null });

    const failed = await call<{ items: { status: string }[]; total: number }>(server.url, 'GET', '/api/sms-outbox?status=failed&limit=500', { token: world.manager.token });
    expect(failed.body.total).toBeGreaterThanOrEqual(1);
    expect(failed.body.items.every((m) => m.status === 'failed')).toBe(true);
    const none = await call<{ total: number }>(server.url, 'GET', `/api/sms-outbox?status=delivered&patientId=${p.patientId}`, { token: world.manager.token });
    expect(none.body.total).toBe(0);
  });
});
