import crypto from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, MutationName, MutationResult, PullResponse } from '../../shared/sync/protocol.js';
import { audienceOf } from '../auth/actor.js';
import { pullChanges } from '../sync/pull.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, referral, type World, type WorldUser } from './world.js';

/**
 * Chat messages as the synced `message` entity: they reach exactly the request's patient and the
 * request's centre (never another patient, another centre's doctors, the referring physician or
 * the manager), the desktop sends and reads through push mutations (exactly once, audited), a
 * read mark covers only what the reader had seen, a transfer moves the chat to the new centre,
 * and every write pokes the patient's socket.
 */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

type MessageChange = Extract<Change, { entity: 'message' }>;

/** Staff pull over HTTP as the desktop does; a patient (who has no desktop) by the same function. */
async function pullAll(who: WorldUser): Promise<Change[]> {
  const out: Change[] = [];
  let since = 0;
  for (;;) {
    let page: PullResponse;
    if (who.role === 'patient') {
      page = await pullChanges(server.api.ctx.db.kysely, audienceOf(who.actor)!, { since, limit: 5000 });
    } else {
      const res = await call<PullResponse>(server.url, 'POST', '/api/sync/pull', { token: who.token, body: { since, limit: 5000 } });
      expect(res.status).toBe(200);
      page = res.body;
    }
    out.push(...page.changes);
    since = page.cursor;
    if (!page.hasMore) return out;
  }
}

/** The latest state of each message id this user's pulls ended with (put data, or 'del'). */
async function messagesSeenBy(who: WorldUser): Promise<Map<string, MessageChange>> {
  const seen = new Map<string, MessageChange>();
  for (const c of await pullAll(who)) if (c.entity === 'message') seen.set(c.id, c as MessageChange);
  return seen;
}

const clients = new Map<string, { id: string; next: number }>();
async function push(who: WorldUser, name: MutationName, args: unknown): Promise<MutationResult> {
  let c = clients.get(who.id);
  if (!c) clients.set(who.id, (c = { id: crypto.randomUUID(), next: 1 }));
  const res = await call<{ results: MutationResult[] }>(server.url, 'POST', '/api/sync/push', { token: who.token, body: { clientId: c.id, mutations: [{ id: c.next++, name, args }] } });
  expect(res.status).toBe(200);
  return res.body.results[0]!;
}

async function patientSends(body: string): Promise<{ id: string; createdAt: string }> {
  const res = await call(server.url, 'POST', `/api/requests/${world.pA.requestId}/messages`, { token: world.patientA.token, body: { id: crypto.randomUUID(), body, documentId: null } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('message sync: audiences', () => {
  it('the patient and the request’s centre receive a message; other patients, other centres, the physician and the manager never do', async () => {
    const fromPatient = await patientSends('Добрый день, когда будет консультация?');
    const fromDoctor = await push(world.doctorBakulev, 'message.send', { requestId: world.pA.requestId, id: crypto.randomUUID(), body: 'Здравствуйте! Скоро назначим.', documentId: null });
    expect(fromDoctor.status).toBe('applied');
    const doctorMessageId = (fromDoctor as { result: { id: string } }).result.id;

    for (const who of [world.doctorBakulev, world.patientA]) {
      const seen = await messagesSeenBy(who);
      const a = seen.get(fromPatient.id);
      const b = seen.get(doctorMessageId);
      expect(a?.op, who.login).toBe('put');
      expect(b?.op, who.login).toBe('put');
      if (a?.op === 'put') expect(a.data).toMatchObject({ requestId: world.pA.requestId, patientId: world.pA.patientId, senderRole: 'patient', body: 'Добрый день, когда будет консультация?' });
      if (b?.op === 'put') expect(b.data).toMatchObject({ senderRole: 'doctor', senderId: world.doctorBakulev.id, patientId: world.pA.patientId });
    }
    // Strangers: no message entity at all in what they pull — not even a tombstone.
    for (const who of [world.patientB, world.doctorKulakov, world.physicianA, world.physicianB, world.manager]) {
      const all = await pullAll(who);
      expect(all.filter((c) => c.entity === 'message').map((c) => c.id), who.login).toEqual([]);
    }
    // And none of them can write into the chat through a push.
    const foreign = await push(world.doctorKulakov, 'message.send', { requestId: world.pA.requestId, id: crypto.randomUUID(), body: 'Чужое', documentId: null });
    expect(foreign).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
    const physician = await push(world.physicianA, 'message.send', { requestId: world.pA.requestId, id: crypto.randomUUID(), body: 'Врач-направитель', documentId: null });
    expect(physician).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
  });
});

describe('message sync: desktop mutations', () => {
  it('message.send is applied once (a re-send is a replay), audited with the patient, and visible to the patient over REST', async () => {
    const id = crypto.randomUUID();
    const args = { requestId: world.pA.requestId, id, body: 'Пришлите, пожалуйста, свежую ЭКГ.', documentId: null };
    const first = await push(world.doctorBakulev, 'message.send', args);
    expect(first).toMatchObject({ status: 'applied', replayed: false, result: { id, patientId: world.pA.patientId, senderRole: 'doctor' } });
    // A new mutation id with the same message id (the desktop re-queued it): the same message, no copy.
    const again = await push(world.doctorBakulev, 'message.send', args);
    expect(again).toMatchObject({ status: 'applied', result: { id } });
    const rows = await server.api.ctx.db.kysely.selectFrom('messages').select('id').where('id', '=', id).execute();
    expect(rows).toHaveLength(1);

    const list = await call(server.url, 'GET', `/api/requests/${world.pA.requestId}/messages`, { token: world.patientA.token });
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(id);

    const audit = await server.api.ctx.db.kysely.selectFrom('audit_events').selectAll().where('action', '=', 'message.send').where('entity_id', '=', id).execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(audit[0]).toMatchObject({ actor_id: world.doctorBakulev.id, patient_id: world.pA.patientId, result: 'ok' });
  });

  it('message.read marks only up to the message the doctor had on screen, and the read receipt syncs to the patient', async () => {
    const seen = await patientSends('Первое');
    const later = await patientSends('Второе, пришло позже');
    const read = await push(world.doctorBakulev, 'message.read', { requestId: world.pA.requestId, upTo: seen.id });
    expect(read.status).toBe('applied');

    const rows = await server.api.ctx.db.kysely.selectFrom('messages').select(['id', 'read_at']).where('id', 'in', [seen.id, later.id]).execute();
    const readAt = new Map(rows.map((r) => [r.id, r.read_at]));
    expect(readAt.get(seen.id)).not.toBeNull();
    expect(readAt.get(later.id)).toBeNull();

    const patientView = await messagesSeenBy(world.patientA);
    const receipt = patientView.get(seen.id);
    expect(receipt?.op === 'put' && receipt.data.readAt).toBeTruthy();
    const unread = await call(server.url, 'GET', `/api/requests/${world.pA.requestId}/messages`, { token: world.doctorBakulev.token });
    expect(unread.body.unread).toBeGreaterThanOrEqual(1);
    expect(unread.body.items.find((m: { id: string }) => m.id === later.id).readAt).toBeNull();

    const audit = await server.api.ctx.db.kysely.selectFrom('audit_events').select(['patient_id', 'details']).where('action', '=', 'message.read').where('actor_id', '=', world.doctorBakulev.id).execute();
    expect(audit.map((a) => a.patient_id)).toContain(world.pA.patientId);

    // A message id from another request is not a read mark for this one.
    const other = await push(world.doctorBakulev, 'message.read', { requestId: world.pA.requestId, upTo: crypto.randomUUID() });
    expect(other).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
  });
});

describe('message sync: follows its request', () => {
  it('a request transferred to another centre takes its chat along: a tombstone for the old centre, the messages for the new one', async () => {
    const r = await referral(server, world.physicianA.actor, 'bakulev');
    const sent = await push(world.doctorBakulev, 'message.send', { requestId: r.requestId, id: crypto.randomUUID(), body: 'Уточните диагноз, пожалуйста.', documentId: null });
    expect(sent.status).toBe('applied');
    const messageId = (sent as { result: { id: string } }).result.id;
    expect((await messagesSeenBy(world.doctorKulakov)).has(messageId)).toBe(false);

    const moved = await push(world.manager, 'request.transfer', { id: r.requestId, centre: 'kulakov', profile: 'female_genital_oncology', reason: 'Профиль другого центра' });
    expect(moved.status, JSON.stringify(moved)).toBe('applied');
    expect((await messagesSeenBy(world.doctorBakulev)).get(messageId)?.op).toBe('del');
    expect((await messagesSeenBy(world.doctorKulakov)).get(messageId)?.op).toBe('put');
    expect((await pullAll(world.manager)).some((c) => c.entity === 'message')).toBe(false);
  });
});

describe('message sync: live', () => {
  it('a doctor’s message pokes the patient’s WebSocket', async () => {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/ws`);
    const frames: string[] = [];
    const waitFrame = (type: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} frame; got ${frames.join(', ')}`)), 10_000);
        const check = () => {
          if (frames.some((f) => (JSON.parse(f) as { type: string }).type === type)) {
            clearTimeout(timer);
            resolve();
          } else socket.once('message', check);
        };
        check();
      });
    socket.on('message', (raw: Buffer) => frames.push(raw.toString('utf8')));
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'auth', token: world.patientA.token }));
      await waitFrame('ready');
      frames.length = 0;
      const sent = await push(world.doctorBakulev, 'message.send', { requestId: world.pA.requestId, id: crypto.randomUUID(), body: 'Вы на связи?', documentId: null });
      expect(sent.status).toBe('applied');
      await waitFrame('poke');
    } finally {
      socket.close();
    }
  });
});
