import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call } from '../../server/test/harness.js';
import { PASSWORD, referral, type World } from '../../server/test/world.js';
import { desktopTestFrame, rpcError, type Central, syncSettled, eventsOf, startDesktop, tempDataDir, waitFor, type Desktop } from './helpers.js';

let central: Central;
let world: World;

const open = desktopTestFrame({ restartAfterEach: false }, async (c, w) => {
  central = c;
  world = w;
});

async function signedIn(login: string): Promise<Desktop> {
  const t = tempDataDir();
  const desktop = await startDesktop(t.dir);
  open.push({ desktop, cleanup: t.cleanup });
  const session = await desktop.rpc.call('session.signIn', { serverUrl: `${central.url}/`, login, password: PASSWORD });
  expect(session.user?.login).toBe(login);
  expect(session.serverUrl).toBe(central.url);
  return desktop;
}


describe('desktop services against a real central API', () => {
  it('signs in, syncs the visible patients into the local store and answers home screens from it', async () => {
    const d = await signedIn('phys-a');
    expect(eventsOf(d, 'session.changed').at(-1)?.user?.login).toBe('phys-a');
    await syncSettled(d);
    const list = await d.rpc.call('patients.list', {});
    const ids = list.items.map((r) => r.patient.id);
    expect(ids).toContain(world.pA.patientId);
    expect(ids).not.toContain(world.pB.patientId);
    const row = list.items.find((r) => r.patient.id === world.pA.patientId);
    expect(row?.latestRequest?.id).toBe(world.pA.requestId);
    expect(row?.pending).toBe(false);
    const counts = await d.rpc.call('patients.statusCounts');
    expect(counts.new).toBeGreaterThanOrEqual(1);
    expect(counts.none).toBeTypeOf('number');
    expect(eventsOf(d, 'data.changed').length).toBeGreaterThan(0);
    const info = await d.rpc.call('app.info');
    expect(info).toMatchObject({ version: '0.0.0-test', shell: 'browser', defaultServerUrl: central.url });
  });

  it('a record created on the server arrives through a poke and a pull', async () => {
    const d = await signedIn('phys-a');
    await syncSettled(d);
    const created = await referral(central.server, world.physicianA.actor, 'bakulev', { lastName: 'Поковый' });
    const row = await waitFor(async () => (await d.rpc.call('patients.list', { q: 'Поковый' })).items[0], 'the poked patient');
    expect(row.patient.id).toBe(created.patientId);
    expect(row.latestRequest?.id).toBe(created.requestId);
  });

  it('a mutation the server rejects becomes a Rejection and the optimistic row is rolled back', async () => {
    const d = await signedIn('phys-a');
    await syncSettled(d);
    // Physician A cannot see physician B's patient, so only the server knows this СНИЛС is taken.
    const other = await central.server.api.ctx.db.kysely.selectFrom('patients').select('snils').where('id', '=', world.pB.patientId).executeTakeFirstOrThrow();
    const rejected = new Promise((resolve) => d.rpc.on('sync.rejected', resolve));
    const row = await d.rpc.call('patients.create', { lastName: 'Двойников', firstName: 'Дмитрий', middleName: 'Петрович', sex: 'male', birthDate: '1980-02-03', snils: other.snils });
    expect(row.pending).toBe(true);
    const rejection = (await rejected) as { error: { code: string }; summary: string };
    expect(rejection.error.code).toBe('DUPLICATE_PATIENT');
    expect(rejection.summary).toBe('Новый пациент Двойников Д. П.');
    await waitFor(async () => (await d.rpc.call('patients.list', { q: 'Двойников' })).total === 0, 'rollback');
    const { items } = await d.rpc.call('sync.rejections');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: 'patient.create', summary: 'Новый пациент Двойников Д. П.' });
    expect((await d.rpc.call('sync.status')).pending).toBe(0);
    await d.rpc.call('sync.dismissRejection', { mutationId: items[0]?.mutationId ?? -1 });
    expect((await d.rpc.call('sync.rejections')).items).toHaveLength(0);
    const onServer = await central.server.api.ctx.db.kysely.selectFrom('patients').select('id').where('id', '=', row.patient.id).execute();
    expect(onServer).toHaveLength(0);
  });

  it('invalid arguments are refused with VALIDATION_FAILED and change nothing', async () => {
    const d = await signedIn('phys-a');
    await syncSettled(d);
    const before = await d.rpc.call('patients.list', { limit: 500 });
    const e = await rpcError(d.rpc.call('patients.create', { lastName: 'Неверный', firstName: 'Ввод', sex: 'male', birthDate: '1980-02-03', snils: '123' }));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.issues?.some((i) => i.path === 'snils')).toBe(true);
    // Unknown fields and wrong types too: the schemas are strict.
    expect((await rpcError(d.rpc.call('patients.list', { limit: 'all' } as never))).code).toBe('VALIDATION_FAILED');
    expect((await rpcError(d.rpc.call('patients.create', { id: crypto.randomUUID(), lastName: 'А', firstName: 'Б', sex: 'male', birthDate: '1980-02-03' } as never))).code).toBe('VALIDATION_FAILED');
    const after = await d.rpc.call('patients.list', { limit: 500 });
    expect(after.total).toBe(before.total);
    expect((await d.rpc.call('sync.status')).pending).toBe(0);
  });

  it('a role calling a method outside its roles gets FORBIDDEN; signed out gets NOT_SIGNED_IN', async () => {
    const doctor = await signedIn('doc-bakulev');
    const physician = await signedIn('phys-a');
    expect((await rpcError(doctor.rpc.call('patients.create', { lastName: 'Запретный', firstName: 'Пациент', sex: 'male', birthDate: '1980-02-03' }))).code).toBe('FORBIDDEN');
    expect((await rpcError(physician.rpc.call('requests.take', { id: world.pA.requestId }))).code).toBe('FORBIDDEN');
    expect((await rpcError(physician.rpc.call('requests.queue', {}))).code).toBe('FORBIDDEN');
    await physician.rpc.call('session.signOut');
    expect((await physician.rpc.call('session.get')).user).toBeNull();
    expect((await rpcError(physician.rpc.call('patients.list', {}))).code).toBe('NOT_SIGNED_IN');
  });

  it('a centre doctor takes a request: optimistic locally, then confirmed by the server', async () => {
    const d = await signedIn('doc-bakulev');
    await syncSettled(d);
    const fresh = await referral(central.server, world.physicianA.actor, 'bakulev', { lastName: 'Очередной' });
    const queued = await waitFor(async () => (await d.rpc.call('requests.queue', { q: 'Очередной' })).items[0], 'request in the queue');
    expect(queued.request.id).toBe(fresh.requestId);
    expect(queued.patient?.id).toBe(fresh.patientId);
    const taken = await d.rpc.call('requests.take', { id: fresh.requestId });
    expect(taken.request).toMatchObject({ assignedDoctorId: world.doctorBakulev.id, status: 'under_review' });
    expect(taken.pending).toBe(true);
    await syncSettled(d);
    const server = await central.server.api.ctx.db.kysely.selectFrom('consultation_requests').selectAll().where('id', '=', fresh.requestId).executeTakeFirstOrThrow();
    expect(server.assigned_doctor_id).toBe(world.doctorBakulev.id);
    expect(server.status).toBe('under_review');
    const row = (await d.rpc.call('requests.queue', { q: 'Очередной' })).items[0];
    expect(row?.pending).toBe(false);
    expect((await rpcError(d.rpc.call('requests.take', { id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
  });

  it('a 401 from the server ends the session', async () => {
    const t = tempDataDir();
    const d = await startDesktop(t.dir);
    open.push({ desktop: d, cleanup: t.cleanup });
    await d.rpc.call('session.signIn', { serverUrl: central.url, login: 'manager', password: PASSWORD });
    await syncSettled(d);
    const { FileSecretStore } = await import('../services/secrets.js');
    const path = await import('node:path');
    const stored = JSON.parse(new FileSecretStore(path.join(t.dir, 'secrets.json')).get('oblako.session') ?? '{}') as { token: string };
    expect((await call(central.url, 'POST', '/api/auth/logout', { token: stored.token })).status).toBe(200);
    await d.rpc.call('sync.now');
    await waitFor(() => eventsOf(d, 'session.changed').at(-1)?.user === null, 'session.changed with user null');
    expect((await d.rpc.call('session.get')).user).toBeNull();
    expect(new FileSecretStore(path.join(t.dir, 'secrets.json')).get('oblako.session')).toBeNull();
  });

  it('a local store restored from an older copy still delivers new changes (as a new client), never drops them as replays', async () => {
    const t = tempDataDir();
    let d = await startDesktop(t.dir);
    open.push({ desktop: d, cleanup: t.cleanup });
    await d.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-a', password: PASSWORD });
    await syncSettled(d);
    const create = (lastName: string) => d.rpc.call('patients.create', { lastName, firstName: 'Копия', sex: 'female', birthDate: '1981-04-05' });
    await create('Резервная');
    await syncSettled(d);
    const reopen = async () => {
      await d.close();
      open.splice(open.findIndex((o) => o.desktop === d), 1);
      d = await startDesktop(t.dir);
      open.push({ desktop: d, cleanup: t.cleanup });
    };
    // Closing checkpoints the WAL: the .sqlite file alone is the whole store.
    await d.close();
    const [file] = fs.readdirSync(t.dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('store.sqlite'));
    if (!file) throw new Error('no local store');
    const storePath = path.join(t.dir, file);
    const backup = `${storePath}.backup`;
    fs.copyFileSync(storePath, backup);
    open.splice(open.findIndex((o) => o.desktop === d), 1);
    d = await startDesktop(t.dir);
    open.push({ desktop: d, cleanup: t.cleanup });
    await create('Послекопийная');
    await create('Послекопийнова');
    await syncSettled(d);
    await reopen();
    // The user restores the old copy of the store.
    await d.close();
    open.splice(open.findIndex((o) => o.desktop === d), 1);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(storePath + suffix, { force: true });
    fs.copyFileSync(backup, storePath);
    d = await startDesktop(t.dir);
    open.push({ desktop: d, cleanup: t.cleanup });
    const fresh = await create('Восстановленная');
    await syncSettled(d);
    const onServer = await central.server.api.ctx.db.kysely.selectFrom('patients').select('id').where('id', '=', fresh.patient.id).execute();
    expect(onServer).toHaveLength(1);
    // The full re-pull brought back what was made after the copy.
    expect((await d.rpc.call('patients.list', { q: 'Послекопийн' })).total).toBe(2);
    expect((await d.rpc.call('patients.list', { q: 'Восстановленная' })).items[0]?.pending).toBe(false);
  });

  it('refuses a patient account and wrong credentials', async () => {
    const t = tempDataDir();
    const d = await startDesktop(t.dir);
    open.push({ desktop: d, cleanup: t.cleanup });
    expect((await rpcError(d.rpc.call('session.signIn', { serverUrl: central.url, login: 'patient-a', password: PASSWORD }))).code).toBe('FORBIDDEN');
    expect((await rpcError(d.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-a', password: 'wrong-password' }))).code).toBe('INVALID_CREDENTIALS');
    expect((await rpcError(d.rpc.call('session.signIn', { serverUrl: 'http://127.0.0.1:1', login: 'phys-a', password: PASSWORD }))).code).toBe('SERVER_UNREACHABLE');
    expect((await d.rpc.call('session.get')).user).toBeNull();
  });
});
