import crypto from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { call } from '../../server/test/harness.js';
import { buildWorld, PASSWORD, type World } from '../../server/test/world.js';
import { Central, startDesktop, syncSettled, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** The doctor's chat on the desktop: live by pokes, readable and writable offline, delivered once. */
let central: Central;
let world: World;
let t: ReturnType<typeof tempDataDir>;
let doctor: Desktop | null = null;

beforeEach(async () => {
  central = await Central.start();
  world = await buildWorld(central.server);
  t = tempDataDir();
});
afterEach(async () => {
  await doctor?.close();
  doctor = null;
  await central.destroy();
  t.cleanup();
});

const patientList = async () => (await call(central.url, 'GET', `/api/requests/${world.pA.requestId}/messages`, { token: world.patientA.token })).body as { items: { id: string; body: string; senderRole: string; readAt: string | null }[]; unread: number };

it('a patient’s message arrives live; offline the doctor reads, replies and marks read; on reconnect both reach the server once', async () => {
  doctor = await startDesktop(t.dir);
  await doctor.rpc.call('session.signIn', { serverUrl: central.url, login: 'doc-bakulev', password: PASSWORD });
  await syncSettled(doctor);
  const requestId = world.pA.requestId;
  expect(await doctor.rpc.call('chat.list', { requestId })).toEqual({ items: [], unread: 0 });

  const sent = await call(central.url, 'POST', `/api/requests/${requestId}/messages`, { token: world.patientA.token, body: { id: crypto.randomUUID(), body: 'Нужно ли брать с собой выписку?', documentId: null } });
  expect(sent.status).toBe(200);
  // No sync.now: the server's poke makes the desktop pull.
  const arrived = await waitFor(async () => {
    const c = await doctor!.rpc.call('chat.list', { requestId });
    return c.items.length === 1 ? c : null;
  }, 'the patient’s message to arrive by poke');
  expect(arrived.unread).toBe(1);
  expect(arrived.items[0]).toMatchObject({ id: sent.body.id, senderRole: 'patient', pending: false, patientId: world.pA.patientId });
  expect(await doctor.rpc.call('chat.unread', {})).toEqual({ total: 1, byRequest: { [requestId]: 1 } });

  await central.stop();
  const offline = await doctor.rpc.call('chat.list', { requestId });
  expect(offline.items.map((m) => m.body)).toEqual(['Нужно ли брать с собой выписку?']);
  const reply = await doctor.rpc.call('chat.send', { requestId, body: 'Да, возьмите.\nИ паспорт.' });
  expect(reply).toMatchObject({ pending: true, senderRole: 'doctor', body: 'Да, возьмите.\nИ паспорт.' });
  expect(await doctor.rpc.call('chat.markRead', { requestId })).toEqual({ marked: 1 });
  const local = await doctor.rpc.call('chat.list', { requestId });
  expect(local.unread).toBe(0);
  expect(local.items.map((m) => [m.id, m.pending])).toEqual([
    [sent.body.id, false],
    [reply.id, true],
  ]);
  expect((await doctor.rpc.call('sync.status')).pending).toBe(2);
  // Marking again with nothing new queues nothing.
  expect(await doctor.rpc.call('chat.markRead', { requestId })).toEqual({ marked: 0 });
  expect((await doctor.rpc.call('sync.status')).pending).toBe(2);

  await central.restart();
  await doctor.rpc.call('sync.now');
  await syncSettled(doctor);
  expect((await doctor.rpc.call('sync.rejections')).items).toEqual([]);
  const after = await doctor.rpc.call('chat.list', { requestId });
  expect(after.items.map((m) => [m.id, m.pending])).toEqual([
    [sent.body.id, false],
    [reply.id, false],
  ]);
  expect(after.unread).toBe(0);

  const seen = await patientList();
  expect(seen.items.map((m) => [m.id, m.senderRole])).toEqual([
    [sent.body.id, 'patient'],
    [reply.id, 'doctor'],
  ]);
  // The read receipt reached the server: the patient's message is read.
  expect(seen.items[0]?.readAt).not.toBeNull();
  expect(seen.unread).toBe(1);
  const rows = await central.server.api.ctx.db.kysely.selectFrom('messages').select('id').where('request_id', '=', requestId).execute();
  expect(rows).toHaveLength(2);
});

it('refuses a chat for a request not on this computer and an attachment of another patient', async () => {
  doctor = await startDesktop(t.dir);
  await doctor.rpc.call('session.signIn', { serverUrl: central.url, login: 'doc-bakulev', password: PASSWORD });
  await syncSettled(doctor);
  await expect(doctor.rpc.call('chat.list', { requestId: world.pB.requestId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(doctor.rpc.call('chat.send', { requestId: world.pA.requestId, body: 'x', documentId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  expect((await doctor.rpc.call('sync.status')).pending).toBe(0);
});
