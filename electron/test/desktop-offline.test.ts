import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call } from '../../server/test/harness.js';
import { buildWorld, PASSWORD, type World } from '../../server/test/world.js';
import { storeFile } from '../services/store/paths.js';
import { Central, openStoreDb, startDesktop, tempDataDir, waitFor, type Desktop } from './helpers.js';

let central: Central;
let world: World;
let t: ReturnType<typeof tempDataDir>;
const desktops: Desktop[] = [];

beforeEach(async () => {
  central = await Central.start();
  world = await buildWorld(central.server);
  t = tempDataDir();
});
afterEach(async () => {
  for (const d of desktops.splice(0)) await d.close();
  await central.destroy();
  t.cleanup();
});

async function desktop(): Promise<Desktop> {
  const d = await startDesktop(t.dir);
  desktops.push(d);
  return d;
}

async function closeDesktop(d: Desktop): Promise<void> {
  desktops.splice(desktops.indexOf(d), 1);
  await d.close();
}

const newPatient = { lastName: 'Автономов', firstName: 'Олег', middleName: 'Сергеевич', sex: 'male' as const, birthDate: '1975-06-07', phone: '+7 916 555-44-33' };

async function serverCopies(id: string) {
  if (!central.api) throw new Error('central API is stopped');
  return central.api.ctx.db.kysely.selectFrom('patients').select('id').where('id', '=', id).execute();
}

it('works offline, survives a restart with the session restored, and delivers the change exactly once', async () => {
  const first = await desktop();
  await first.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-a', password: PASSWORD });
  await waitFor(async () => (await first.rpc.call('patients.list', {})).total > 0, 'first sync');

  await central.stop();
  const created = await first.rpc.call('patients.create', newPatient);
  expect(created.pending).toBe(true);
  expect(created.patient.phone).toBe('+79165554433');
  const offline = await waitFor(async () => {
    const s = await first.rpc.call('sync.status');
    return s.state === 'offline' ? s : null;
  }, 'offline state');
  expect(offline.pending).toBe(1);
  expect(offline.lastError?.code).toBe('SERVER_UNREACHABLE');
  await closeDesktop(first);

  // Restarted while the server is still down: the session comes from the secrets file alone.
  const second = await desktop();
  expect((await second.rpc.call('session.get')).user?.login).toBe('phys-a');
  const list = await second.rpc.call('patients.list', { q: 'Автономов' });
  expect(list.items.map((r) => [r.patient.id, r.pending])).toEqual([[created.patient.id, true]]);
  expect((await second.rpc.call('patients.list', {})).items.some((r) => r.patient.id === world.pA.patientId)).toBe(true);
  expect((await second.rpc.call('sync.status')).pending).toBe(1);
  // Signing out now would strand the change on this machine: refused unless the user insists.
  await expect(second.rpc.call('session.signOut', {})).rejects.toMatchObject({ code: 'PENDING_CHANGES' });
  expect((await second.rpc.call('session.get')).user?.login).toBe('phys-a');

  await central.restart();
  const status = await second.rpc.call('sync.now');
  expect(status).toMatchObject({ state: 'online', pending: 0, lastError: null });
  expect(await serverCopies(created.patient.id)).toHaveLength(1);
  const after = await second.rpc.call('patients.list', { q: 'Автономов' });
  expect(after.items.map((r) => [r.patient.id, r.pending])).toEqual([[created.patient.id, false]]);
  expect(after.items[0]?.patient.referredBy).toBe(world.physicianA.id);
  expect((await second.rpc.call('sync.rejections')).items).toHaveLength(0);

  // Sending again changes nothing on the server.
  await second.rpc.call('sync.now');
  expect(await serverCopies(created.patient.id)).toHaveLength(1);
  const mutations = await central.server.api.ctx.db.kysely.selectFrom('sync_mutations').select(['mutation_id', 'status']).execute();
  expect(mutations).toEqual([{ mutation_id: 1, status: 'applied' }]);
});

it('a crash after the server applied a mutation but before the outbox row was dropped replays it, not duplicates it', async () => {
  const first = await desktop();
  await first.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-a', password: PASSWORD });
  await waitFor(async () => (await first.rpc.call('sync.status')).lastSyncedAt !== null, 'first sync');
  await central.stop();
  const created = await first.rpc.call('patients.create', newPatient);
  await closeDesktop(first);
  await central.restart();

  // What the dead app had sent before it died: the same client id and mutation id.
  const db = openStoreDb(t.dir, storeFile(t.dir, central.url, world.physicianA.id), world.physicianA.id, { readonly: true });
  const clientId = (db.prepare("SELECT value FROM meta WHERE key = 'client_id'").get() as { value: string }).value;
  const outbox = db.prepare('SELECT id, name, args FROM outbox').all() as { id: number; name: string; args: string }[];
  db.close();
  expect(outbox).toHaveLength(1);
  const sent = await call(central.url, 'POST', '/api/sync/push', {
    token: world.physicianA.token,
    body: { clientId, mutations: outbox.map((m) => ({ id: m.id, name: m.name, args: JSON.parse(m.args) as unknown })) },
  });
  expect(sent.body.results[0].status).toBe('applied');

  const second = await desktop();
  const status = await second.rpc.call('sync.now');
  expect(status.pending).toBe(0);
  expect((await second.rpc.call('sync.rejections')).items).toHaveLength(0);
  expect(await serverCopies(created.patient.id)).toHaveLength(1);
  const row = (await second.rpc.call('patients.list', { q: 'Автономов' })).items[0];
  expect(row).toMatchObject({ pending: false, patient: { id: created.patient.id } });
});

it('starts signed in and shows local data when the central API is down from the start', async () => {
  const first = await desktop();
  await first.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-a', password: PASSWORD });
  await waitFor(async () => (await first.rpc.call('patients.list', {})).total > 0, 'first sync');
  await closeDesktop(first);
  await central.stop();
  const second = await desktop();
  expect((await second.rpc.call('patients.list', {})).items.map((r) => r.patient.id)).toContain(world.pA.patientId);
  const s = await second.rpc.call('sync.now');
  expect(s.state).toBe('offline');
  // Back by itself once the server is: the retry probe or the poke socket notices.
  await central.restart();
  await waitFor(async () => (await second.rpc.call('sync.status')).state === 'online', 'automatic reconnect', 45_000);
  // The desktop's data directory is per server and user.
  expect(path.dirname(storeFile(t.dir, central.url, world.physicianA.id)).endsWith(world.physicianA.id)).toBe(true);
});
