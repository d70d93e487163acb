import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppNotification } from '../../shared/domain/notifications.js';
import { notifyUsers } from '../modules/notifications.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, type World } from './world.js';

/** In-app notifications: each user sees only their own, newest first, with the unread count; reading is per user. */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => {
  await server?.close();
});

const content = (title: string) => ({ kind: 'consultation.scheduled' as const, title, body: `Текст: ${title}`, patientId: null, requestId: null, consultationId: crypto.randomUUID(), conclusionId: null });
const list = (token: string) => call<{ items: AppNotification[]; unread: number }>(server.url, 'GET', '/api/notifications', { token });
const read = (token: string, ids: string[]) => call(server.url, 'POST', '/api/notifications/read', { token, body: { ids } });

describe('notifications', () => {
  it('lists own only, newest first, with the unread count; marking read is own only', async () => {
    const db = server.api.ctx.db.kysely;
    await notifyUsers(db, [world.physicianA.id], content('первое'), '2026-01-01T10:00:00.000Z');
    await notifyUsers(db, [world.physicianA.id, world.patientA.id], content('второе'), '2026-01-02T10:00:00.000Z');
    await notifyUsers(db, [world.physicianB.id], content('чужое'), '2026-01-03T10:00:00.000Z');

    const a = await list(world.physicianA.token);
    expect(a.status).toBe(200);
    expect(a.body.items.map((n) => n.title)).toEqual(['второе', 'первое']);
    expect(a.body.unread).toBe(2);
    expect(a.body.items[0]).toMatchObject({ kind: 'consultation.scheduled', body: 'Текст: второе', readAt: null });

    const b = await list(world.physicianB.token);
    expect(b.body.items.map((n) => n.title)).toEqual(['чужое']);

    // B tries to mark A's as read: ignored, A still has both unread.
    expect((await read(world.physicianB.token, a.body.items.map((n) => n.id))).status).toBe(200);
    expect((await list(world.physicianA.token)).body.unread).toBe(2);

    const first = a.body.items[1]?.id ?? '';
    expect((await read(world.physicianA.token, [first])).status).toBe(200);
    const after = await list(world.physicianA.token);
    expect(after.body.unread).toBe(1);
    expect(after.body.items.find((n) => n.id === first)?.readAt).not.toBeNull();
    // The patient's copy of «второе» is theirs, still unread.
    const patient = await list(world.patientA.token);
    expect(patient.body.items.map((n) => [n.title, n.readAt])).toEqual([['второе', null]]);
  });

  it('refuses an empty or malformed read request and needs a session', async () => {
    expect((await read(world.physicianA.token, [])).status).toBe(400);
    expect((await read(world.physicianA.token, ['not-an-id'])).status).toBe(400);
    expect((await call(server.url, 'GET', '/api/notifications')).status).toBe(401);
  });
});
