import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, patientInput, type World } from './world.js';

/** Hostile and sloppy input: a clear 4xx with a stable code, and nothing written. */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer({ bodyLimitBytes: 64 * 1024 });
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

async function rowCounts() {
  const db = server.api.ctx.db.kysely;
  const n = async (t: 'patients' | 'consultation_requests' | 'users' | 'sync_mutations') =>
    Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { patients: await n('patients'), requests: await n('consultation_requests'), users: await n('users'), mutations: await n('sync_mutations') };
}

const cases: { name: string; route: string; rawBody?: string; body?: unknown; headers?: Record<string, string>; status: number; code: string }[] = [
  { name: 'malformed JSON', route: '/api/patients', rawBody: '{"lastName": "Иванов",', status: 400, code: 'MALFORMED_JSON' },
  { name: 'empty JSON body', route: '/api/patients', rawBody: '', status: 400, code: 'MALFORMED_JSON' },
  { name: 'JSON that is not an object', route: '/api/patients', rawBody: '[1,2,3]', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong types', route: '/api/patients', body: { ...patientInput(), birthDate: 19800201, sex: true }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'unknown fields', route: '/api/patients', body: { ...patientInput(), isAdmin: true }, status: 400, code: 'VALIDATION_FAILED' },
  { name: '__proto__ in the body', route: '/api/patients', rawBody: JSON.stringify(patientInput()).replace(/^\{/, '{"__proto__":{"polluted":true},'), status: 400, code: 'MALFORMED_JSON' },
  { name: 'oversize body', route: '/api/patients', body: { ...patientInput(), attendingPhysician: 'я'.repeat(100_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'wrong content type', route: '/api/patients', rawBody: 'lastName=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'SQL-ish name', route: '/api/patients', body: { ...patientInput(), lastName: "Robert'); DROP TABLE patients;--" }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'bad СНИЛС checksum', route: '/api/patients', body: { ...patientInput(), snils: '112-233-445 96' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'birth date in the future', route: '/api/patients', body: { ...patientInput(), birthDate: '2999-01-01' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'impossible date', route: '/api/patients', body: { ...patientInput(), birthDate: '1980-02-31' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'control characters in text', route: '/api/patients', body: { ...patientInput(), attendingPhysician: 'Петров\u0000' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'push with a non-uuid client id', route: '/api/sync/push', body: { clientId: "1' OR '1'='1", mutations: [{ id: 1, name: 'patient.create', args: {} }] }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'push with an unknown mutation', route: '/api/sync/push', body: { clientId: '7a4c3c1e-5b8e-4a57-9a59-2f3d1c7e9b10', mutations: [{ id: 1, name: 'patient.drop', args: {} }] }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'pull with a negative cursor', route: '/api/sync/pull', body: { since: -1 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'pull with a huge limit', route: '/api/sync/pull', body: { since: 0, limit: 10_000_000 }, status: 400, code: 'VALIDATION_FAILED' },
];

describe('bad input', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}, nothing written`, async () => {
      const before = await rowCounts();
      const res = await call(server.url, 'POST', c.route, {
        token: world.physicianA.token,
        ...(c.rawBody !== undefined ? { rawBody: c.rawBody } : { body: c.body }),
        ...(c.headers ? { headers: c.headers } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(c.status);
      expect(res.body.error.code).toBe(c.code);
      expect(res.body.error.message.length).toBeGreaterThan(5);
      expect(await rowCounts()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('a SQL-ish search string is data, not SQL', async () => {
    const res = await call(server.url, 'GET', `/api/patients?q=${encodeURIComponent("' OR 1=1; DROP TABLE patients;--")}`, { token: world.manager.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect((await rowCounts()).patients).toBeGreaterThan(0);
  });

  it('unknown query parameters are refused', async () => {
    const res = await call(server.url, 'GET', '/api/patients?limit=5&sort=name', { token: world.manager.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a malformed path id is a validation error, not a server error', async () => {
    const res = await call(server.url, 'GET', "/api/patients/1'%20OR%20'1'='1", { token: world.manager.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a garbage bearer token is 401, and an unknown route is a JSON 404', async () => {
    const res = await call(server.url, 'GET', '/api/me', { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    const nf = await call(server.url, 'GET', '/api/nowhere');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
  });
});
