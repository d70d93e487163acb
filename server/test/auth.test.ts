import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, MAX_FAILED_LOGINS } from '../auth/accounts.js';
import { generateOneTimeSecret, hashOneTimeSecret } from '../auth/passwords.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { buildWorld, PASSWORD, type World } from './world.js';

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

describe('accounts and sessions', () => {
  it('stores staff passwords as argon2id and session tokens only as hashes', async () => {
    const db = server.api.ctx.db.kysely;
    const user = await db.selectFrom('users').selectAll().where('login', '=', world.manager.login).executeTakeFirstOrThrow();
    expect(user.password_hash.startsWith('$argon2id$')).toBe(true);
    const sessions = await db.selectFrom('sessions').select('token_hash').execute();
    expect(sessions.some((s) => s.token_hash === world.manager.token)).toBe(false);
    expect(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
  });

  it('login answers token and user with id and role', async () => {
    const res = await call(server.url, 'POST', '/api/auth/login', { body: { login: world.doctorBakulev.login, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect(res.body.user).toMatchObject({ id: world.doctorBakulev.id, role: 'doctor', centre: 'bakulev' });
  });

  it('logout revokes the token', async () => {
    const token = await loginAs(server.url, world.physicianA.login, PASSWORD);
    expect((await call(server.url, 'GET', '/api/me', { token })).status).toBe(200);
    expect((await call(server.url, 'POST', '/api/auth/logout', { token })).status).toBe(200);
    expect((await call(server.url, 'GET', '/api/me', { token })).status).toBe(401);
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    await createUser(server.api.ctx.db.kysely, { login: 'victim', password: PASSWORD, role: 'physician', fullName: 'Жертва перебора' }, null);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const res = await call(server.url, 'POST', '/api/auth/login', { body: { login: 'victim', password: `guess-${i}` } });
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await call(server.url, 'POST', '/api/auth/login', { body: { login: 'victim', password: PASSWORD } });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(locked.body.error.message).toMatch(/мин/);
  });

  it('an unknown login and a wrong password give the same answer', async () => {
    const a = await call(server.url, 'POST', '/api/auth/login', { body: { login: 'no-such-user', password: 'whatever-pass' } });
    const b = await call(server.url, 'POST', '/api/auth/login', { body: { login: world.manager.login, password: 'whatever-pass' } });
    expect(a.status).toBe(b.status);
    expect(a.body).toEqual(b.body);
  });

  it('one-time SMS credentials force a new password before anything else', async () => {
    const db = server.api.ctx.db.kysely;
    const secret = generateOneTimeSecret();
    expect(secret).toMatch(/^[a-z2-9]{16}$/);
    const now = new Date().toISOString();
    await db
      .updateTable('users')
      .set({ password_kind: 'one_time', password_hash: hashOneTimeSecret(secret), updated_at: now })
      .where('id', '=', world.patientB.id)
      .execute();
    const login = await call(server.url, 'POST', '/api/auth/login', { body: { login: world.patientB.login, password: secret } });
    expect(login.status).toBe(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    const token: string = login.body.token;
    const blocked = await call(server.url, 'GET', `/api/patients/${world.pB.patientId}`, { token });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const weak = await call(server.url, 'POST', '/api/auth/change-password', { token, body: { currentPassword: secret, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    const changed = await call(server.url, 'POST', '/api/auth/change-password', { token, body: { currentPassword: secret, newPassword: 'my-own-long-password' } });
    expect(changed.status).toBe(200);
    expect((await call(server.url, 'GET', `/api/patients/${world.pB.patientId}`, { token })).status).toBe(200);
    // The one-time secret is spent.
    const reuse = await call(server.url, 'POST', '/api/auth/login', { body: { login: world.patientB.login, password: secret } });
    expect(reuse.status).toBe(401);
    const row = await db.selectFrom('users').select(['password_kind', 'password_hash']).where('id', '=', world.patientB.id).executeTakeFirstOrThrow();
    expect(row.password_kind).toBe('argon2id');
  });

  it('health and OpenAPI are public and describe the contract', async () => {
    const health = await call(server.url, 'GET', '/api/health');
    expect(health.body).toMatchObject({ status: 'ok', database: process.env.OBLAKO_TEST_DB === 'postgres' ? 'postgres' : 'sqlite' });
    const doc = await call(server.url, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.0.3');
    expect(doc.body.paths['/api/auth/login'].post.requestBody).toBeDefined();
    expect(doc.body.paths['/api/patients/{id}'].get['x-roles']).toContain('doctor');
  });
});
