import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, type World } from './world.js';

/** Self-registration and password reset by an SMS code (issue #7). */
let server: TestServer;
let world: World;
let n = 0;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

const db = () => server.api.ctx.db.kysely;
const phone = () => `+7912${String(3000000 + ++n * 7919 + Math.floor(Math.random() * 1000)).padStart(7, '0')}`;
const PASSWORD = 'моё-надёжное-пароль-2026';

async function smsTo(p: string) {
  return db().selectFrom('sms_outbox').select(['body', 'kind', 'created_at']).where('phone', '=', p).orderBy('created_at').execute();
}
async function codeFor(p: string): Promise<string> {
  const last = (await smsTo(p)).at(-1);
  const m = /код подтверждения (\d{6})/.exec(last?.body ?? '');
  if (!m?.[1]) throw new Error(`no code SMS for ${p}: ${last?.body}`);
  return m[1];
}
/** Moves the phone's code requests back in time (instead of waiting out the pauses). */
async function age(p: string, seconds: number) {
  const rows = await db().selectFrom('sms_codes').select(['id', 'created_at']).where('phone', '=', p).execute();
  for (const r of rows) {
    await db().updateTable('sms_codes').set({ created_at: new Date(Date.parse(r.created_at) - seconds * 1000).toISOString() }).where('id', '=', r.id).execute();
  }
}
const registration = (p: string, code: string, extra: Record<string, unknown> = {}) => ({
  phone: p,
  code,
  lastName: 'Самойлова',
  firstName: 'Ирина',
  middleName: 'Олеговна',
  sex: 'female',
  birthDate: '1984-07-21',
  password: PASSWORD,
  ...extra,
});

describe('registration by SMS code', () => {
  it('sends a code, registers, signs in and audits', async () => {
    const p = phone();
    const start = await call(server.url, 'POST', '/api/auth/register', { body: { phone: p.replace('+7', '8 (').replace(/^(8 \(\d{3})/, '$1) ') } });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body).toEqual({ ok: true, resendAfterSeconds: 60, expiresInSeconds: 600 });
    const sms = await smsTo(p);
    expect(sms).toHaveLength(1);
    expect(sms[0]?.kind).toBe('code');
    // Only a salted hash is stored.
    const stored = await db().selectFrom('sms_codes').selectAll().where('phone', '=', p).executeTakeFirstOrThrow();
    const code = await codeFor(p);
    expect(stored.code_hash).toMatch(/^s256\$/);
    expect(stored.code_hash).not.toContain(code);

    const res = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, code) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.token).toBeTruthy();
    expect(res.body.user.role).toBe('patient');
    expect(res.body.user.login).toMatch(/^p\d{8}$/);
    expect(res.body.user.mustChangePassword).toBe(false);
    const patientId = res.body.user.patientId as string;
    const patient = await db().selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirstOrThrow();
    expect(patient).toMatchObject({ last_name: 'Самойлова', phone: p, referred_by: null, stage: 'signed_in' });
    const user = await db().selectFrom('users').select(['password_kind', 'password_hash']).where('id', '=', res.body.user.id).executeTakeFirstOrThrow();
    expect(user.password_kind).toBe('argon2id');
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await db().selectFrom('audit_events').select(['action', 'patient_id']).where('action', '=', 'patient.register').where('patient_id', '=', patientId).execute();
    expect(audit).toHaveLength(1);
    // The session works, and the login plus password sign in later.
    expect((await call(server.url, 'GET', '/api/me', { token: res.body.token })).status).toBe(200);
    expect((await call(server.url, 'POST', '/api/auth/login', { body: { login: res.body.user.login, password: PASSWORD } })).status).toBe(200);
    // The code is spent.
    const again = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, code) });
    expect(again.status).toBe(400);
  });

  it('counts wrong codes: five tries per code, then a new code is needed', async () => {
    const p = phone();
    await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const code = await codeFor(p);
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 1; i <= 5; i++) {
      const r = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, wrong) });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.message).toMatch(i < 5 ? `Осталось попыток: ${5 - i}` : /исчерпаны/);
    }
    const right = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, code) });
    expect(right.status).toBe(400);
    expect(right.body.error.message).toMatch(/слишком много раз.*новый код/);
    // A new code (after the pause) works.
    await age(p, 61);
    await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const ok = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, await codeFor(p)) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('refuses an expired code', async () => {
    const p = phone();
    await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const code = await codeFor(p);
    await db().updateTable('sms_codes').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('phone', '=', p).execute();
    const r = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, code) });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/устарел/);
  });

  it('does not resend within 60 s', async () => {
    const p = phone();
    await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const second = await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    expect(second.status).toBe(200);
    expect(second.body.resendAfterSeconds).toBeGreaterThan(0);
    expect(second.body.resendAfterSeconds).toBeLessThanOrEqual(60);
    expect(await smsTo(p)).toHaveLength(1);
  });

  it('answers alike for a phone that already has an account, and the SMS says to sign in', async () => {
    const existing = await db().selectFrom('patients').select('phone').where('id', '=', world.pA.patientId).executeTakeFirstOrThrow();
    const p = existing.phone ?? '';
    const fresh = phone();
    const a = await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const b = await call(server.url, 'POST', '/api/auth/register', { body: { phone: fresh } });
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    const sms = (await smsTo(p)).at(-1);
    expect(sms?.body).toMatch(/уже есть личный кабинет.*patient-a.*восстановите пароль/);
    expect(sms?.body).not.toMatch(/код подтверждения/);
    // No code was sent, so no code registers a second account.
    const r = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, '123456') });
    expect(r.status).toBe(400);
  });

  it('sends at most 3 codes per phone per hour', async () => {
    const p = phone();
    for (let i = 0; i < 3; i++) {
      const r = await call(server.url, 'POST', i === 1 ? '/api/auth/reset' : '/api/auth/register', { body: { phone: p } });
      expect(r.status).toBe(200);
      await age(p, 61);
    }
    const fourth = await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('RATE_LIMITED');
    expect(fourth.body.error.message).toMatch(/уже отправлено 3 кода за час.*мин/);
    // An hour later it may ask again.
    await age(p, 3600);
    expect((await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } })).status).toBe(200);
  });
});

describe('password reset by SMS code', () => {
  it('sets a new password, ends the sessions, lifts a lockout, audits', async () => {
    const p = phone();
    await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const reg = await call(server.url, 'POST', '/api/auth/register/confirm', { body: registration(p, await codeFor(p)) });
    expect(reg.status).toBe(200);
    const oldToken = reg.body.token as string;
    const userId = reg.body.user.id as string;
    await db().updateTable('users').set({ locked_until: new Date(Date.now() + 600_000).toISOString(), failed_logins: 3 }).where('id', '=', userId).execute();

    await age(p, 61);
    const start = await call(server.url, 'POST', '/api/auth/reset', { body: { phone: p } });
    expect(start.status).toBe(200);
    expect(start.body).toEqual({ ok: true, resendAfterSeconds: 60, expiresInSeconds: 600 });
    expect((await smsTo(p)).at(-1)?.body).toMatch(/восстановления пароля/);
    const newPassword = 'совсем-другой-пароль-7';
    const r = await call(server.url, 'POST', '/api/auth/reset/confirm', { body: { phone: p, code: await codeFor(p), newPassword } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await call(server.url, 'GET', '/api/me', { token: oldToken })).status).toBe(401);
    expect((await call(server.url, 'POST', '/api/auth/login', { body: { login: reg.body.user.login, password: PASSWORD } })).status).toBe(401);
    expect((await call(server.url, 'POST', '/api/auth/login', { body: { login: reg.body.user.login, password: newPassword } })).status).toBe(200);
    const audit = await db().selectFrom('audit_events').select('action').where('action', '=', 'auth.reset_password').where('actor_id', '=', userId).execute();
    expect(audit).toHaveLength(1);
  });

  it('answers alike for a phone without an account and sends nothing', async () => {
    const p = phone();
    const r = await call(server.url, 'POST', '/api/auth/reset', { body: { phone: p } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, resendAfterSeconds: 60, expiresInSeconds: 600 });
    expect(await smsTo(p)).toHaveLength(0);
    const c = await call(server.url, 'POST', '/api/auth/reset/confirm', { body: { phone: p, code: '123456', newPassword: 'какой-то-пароль-1' } });
    expect(c.status).toBe(400);
  });

  it('masks the code in the manager\'s SMS list', async () => {
    const p = phone();
    await call(server.url, 'POST', '/api/auth/register', { body: { phone: p } });
    const code = await codeFor(p);
    const list = await call(server.url, 'GET', '/api/sms-outbox?limit=200', { token: world.manager.token });
    expect(list.status).toBe(200);
    const item = (list.body.items as { phone: string; text: string }[]).find((m) => m.phone === p);
    expect(item?.text).toBeTruthy();
    expect(item?.text).not.toContain(code);
  });
});
