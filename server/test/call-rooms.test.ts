import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { measureLink } from '../../shared/call/link-probe.js';
import { CALL_CLOSE, CALL_WS_PATH, CallServerMessage, type CallClientMessage, type CallTicket } from '../../shared/call/protocol.js';
import { createUser } from '../auth/accounts.js';
import { DEFAULT_CALL_CONFIG, loadCallConfig } from '../config.js';
import { iceServersFor } from '../calls/ice.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { buildWorld, PASSWORD, referral, type World } from './world.js';

/**
 * The call rooms against the real central API: who may join (the consultation's doctor and
 * patient, and nobody else), when (the room's window), the waiting room and admission, signals
 * relayed between the two and only within the current session, reconnects, the end — and the
 * audit trail of all of it.
 */
let server: TestServer;
let world: World;
let otherBakulevDoctor: string;

beforeAll(async () => {
  // The room opens a day early here, so each test books its own slot of the doctor's day.
  server = await startTestServer({ call: { ...DEFAULT_CALL_CONFIG, earlyMinutes: 24 * 60 } });
  world = await buildWorld(server);
  await createUser(server.api.ctx.db.kysely, { login: 'doc-bakulev-2', password: PASSWORD, role: 'doctor', fullName: 'Второй Врач', centre: 'bakulev', patientId: null }, null);
  otherBakulevDoctor = await loginAs(server.url, 'doc-bakulev-2', PASSWORD);
});
afterAll(async () => server?.close());

const db = () => server.api.ctx.db.kysely;
let minutes = 2;

/** A patient referred to Bakulev with a portal account, as each test's own participant. */
interface Patient {
  patientId: string;
  requestId: string;
  userId: string;
  token: string;
}
let patient: Patient;

async function patientWithAccount(): Promise<Patient> {
  const ref = await referral(server, world.physicianA.actor, 'bakulev');
  const login = `pt-${crypto.randomBytes(4).toString('hex')}`;
  const u = await createUser(db(), { login, password: PASSWORD, role: 'patient', fullName: login, centre: null, patientId: ref.patientId }, null);
  return { ...ref, userId: u.id, token: await loginAs(server.url, login, PASSWORD) };
}

/** A consultation of this test's patient with Bakulev's doctor, starting in a few minutes. */
async function consultationSoon(startInMinutes = (minutes += 16)): Promise<string> {
  patient = await patientWithAccount();
  const consultationId = crypto.randomUUID();
  const startsAt = new Date(Date.now() + startInMinutes * 60_000).toISOString();
  const res = await call(server.url, 'POST', '/api/sync/push', {
    token: world.doctorBakulev.token,
    body: { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'request.schedule', args: { id: patient.requestId, consultationId, startsAt, durationMinutes: 15 } }] },
  });
  expect(res.body.results[0]).toMatchObject({ status: 'applied' });
  return consultationId;
}

async function cancel(consultationId: string): Promise<void> {
  const res = await call(server.url, 'POST', `/api/consultations/${consultationId}/cancel`, { token: world.doctorBakulev.token, body: { reason: 'Тест окончен' } });
  expect(res.status).toBe(200);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ticket = (token: string, consultationId: string) => call<CallTicket & { error?: any }>(server.url, 'POST', `/api/consultations/${consultationId}/call`, { token });

/** A call socket that collects what the server says, with waits for particular messages. */
class Client {
  readonly messages: CallServerMessage[] = [];
  closed: { code: number } | null = null;
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;

  constructor(base: string) {
    this.ws = new WebSocket(base.replace(/^http/, 'ws') + CALL_WS_PATH);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (raw: WebSocket.RawData) => {
      this.messages.push(CallServerMessage.parse(JSON.parse(raw.toString())));
      this.wake();
    });
    this.ws.on('close', (code) => {
      this.closed = { code };
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(m: CallClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(m));
  }

  /** The first message (from `from` on) that matches, waiting for it. */
  async next<T extends CallServerMessage['type']>(type: T, from = 0, match: (m: Extract<CallServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<CallServerMessage, { type: T }>> {
    for (;;) {
      const found = this.messages.slice(from).find((m): m is Extract<CallServerMessage, { type: T }> => m.type === type && match(m as Extract<CallServerMessage, { type: T }>));
      if (found) return found;
      if (this.closed) throw new Error(`closed (${this.closed.code}) before a ${type} message; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async whenClosed(): Promise<number> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.closed.code;
  }

  /** Sends a ping and waits for its pong: everything sent before has been handled by then. */
  async roundTrip(): Promise<void> {
    const from = this.messages.length;
    this.send({ type: 'ping' });
    await this.next('pong', from);
  }

  close(): void {
    this.ws.close();
  }
}

async function joined(token: string, consultationId: string): Promise<Client> {
  const t = await ticket(token, consultationId);
  expect(t.status, JSON.stringify(t.body)).toBe(200);
  const c = new Client(server.url);
  await c.opened;
  c.send({ type: 'join', ticket: t.body.ticket });
  await c.next('joined');
  return c;
}

const auditOf = (consultationId: string) =>
  db().selectFrom('audit_events').select(['action', 'actor_id', 'result', 'patient_id', 'details']).where('entity_id', '=', consultationId).orderBy('seq').execute();

describe('who may join', () => {
  it('issues tickets to the consultation’s doctor and patient only; everyone else is told it does not exist or is refused', async () => {
    const id = await consultationSoon();
    const doctor = await ticket(world.doctorBakulev.token, id);
    expect(doctor.status).toBe(200);
    expect(doctor.body).toMatchObject({ role: 'doctor', consultationId: id, requestId: patient.requestId, iceServers: [], iceTransportPolicy: 'all' });
    const own = await ticket(patient.token, id);
    expect(own.body).toMatchObject({ role: 'patient', consultationId: id });
    expect(own.body.peerName).toBe('doc-bakulev');

    // Another patient, another centre's doctor, another doctor of the same centre: not found.
    for (const stranger of [world.patientA.token, world.patientB.token, world.doctorKulakov.token, otherBakulevDoctor]) {
      const r = await ticket(stranger, id);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    // Roles that never take part in calls are refused before the lookup.
    for (const token of [world.physicianA.token, world.manager.token, world.admin.token]) expect((await ticket(token, id)).status).toBe(403);
    // And the refusals are on record.
    const denied = await db().selectFrom('audit_events').select(['actor_id', 'result']).where('action', '=', 'api.callTicket').where('entity_id', '=', id).execute();
    expect(denied.filter((d) => d.result === 'denied')).toHaveLength(7);
    await cancel(id);
  });

  it('refuses a ticket used twice, a made-up ticket and a missing one', async () => {
    const id = await consultationSoon();
    const t = await ticket(patient.token, id);
    const first = new Client(server.url);
    await first.opened;
    first.send({ type: 'join', ticket: t.body.ticket });
    await first.next('joined');

    const again = new Client(server.url);
    await again.opened;
    again.send({ type: 'join', ticket: t.body.ticket });
    expect(await again.whenClosed()).toBe(CALL_CLOSE.badTicket);
    expect((await again.next('error').catch(() => again.messages.find((m) => m.type === 'error')))?.type).toBe('error');

    const forged = new Client(server.url);
    await forged.opened;
    forged.send({ type: 'join', ticket: crypto.randomBytes(32).toString('base64url') });
    expect(await forged.whenClosed()).toBe(CALL_CLOSE.badTicket);

    // A socket that says anything else first gets nowhere: signals are not relayed without a seat.
    const silent = new Client(server.url);
    await silent.opened;
    silent.send({ type: 'signal', session: 1, data: { type: 'offer', sdp: 'v=0' } });
    expect(await silent.whenClosed()).toBe(CALL_CLOSE.badTicket);
    expect(first.messages.filter((m) => m.type === 'signal')).toHaveLength(0);
    first.close();
    await cancel(id);
  });

  it('opens the room only around the consultation’s time, and not for a cancelled one', async () => {
    const later = await consultationSoon(3 * 24 * 60);
    const early = await ticket(patient.token, later);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'CALL_NOT_OPEN' });
    expect(early.body.error.message).toMatch(/Подключиться можно с .* \(МСК\)/);
    await cancel(later);
    const cancelled = await ticket(world.doctorBakulev.token, later);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error.message).toMatch(/отменена/);
  });
});

describe('the waiting room and the call', () => {
  it('keeps the patient waiting until admitted, then starts a session and relays signals both ways', async () => {
    const id = await consultationSoon();
    const pt = await joined(patient.token, id);
    expect(pt.messages[0]).toEqual({ type: 'joined', role: 'patient', state: 'waiting' });

    const doctor = await joined(world.doctorBakulev.token, id);
    await doctor.next('presence', 0, (m) => m.patient === 'waiting');
    // Waiting means waiting: nothing starts, and the patient cannot let themself in or end the call.
    pt.send({ type: 'admit' });
    await pt.next('error');
    pt.send({ type: 'end' });
    await pt.roundTrip();
    expect(pt.messages.some((m) => m.type === 'start')).toBe(false);
    expect(doctor.messages.some((m) => m.type === 'start')).toBe(false);

    doctor.send({ type: 'admit' });
    const pStart = await pt.next('start');
    const dStart = await doctor.next('start');
    expect(dStart).toEqual({ type: 'start', session: 1, initiator: true });
    expect(pStart).toEqual({ type: 'start', session: 1, initiator: false });
    await pt.next('joined', 1, (m) => m.state === 'admitted');

    doctor.send({ type: 'signal', session: 1, data: { type: 'offer', sdp: 'v=0 offer' } });
    expect((await pt.next('signal')).data).toEqual({ type: 'offer', sdp: 'v=0 offer' });
    pt.send({ type: 'signal', session: 1, data: { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } } });
    expect((await doctor.next('signal')).data.candidate?.candidate).toMatch(/typ host/);
    // A signal of another session is dropped.
    const before = pt.messages.length;
    doctor.send({ type: 'signal', session: 7, data: { type: 'offer', sdp: 'stale' } });
    await doctor.roundTrip();
    await pt.roundTrip();
    expect(pt.messages.slice(before).filter((m) => m.type === 'signal')).toHaveLength(0);
    // An oversized or malformed signal is refused, not relayed.
    doctor.send({ type: 'signal', session: 1, data: { type: 'offer', sdp: 'x'.repeat(40 * 1024) } });
    await doctor.next('error', 0, (m) => m.code === 'VALIDATION_FAILED');

    // Reports reach the other side; a failure goes on record.
    pt.send({ type: 'report', event: 'audio-only' });
    await doctor.next('peer-report', 0, (m) => m.event === 'audio-only');
    pt.send({ type: 'report', event: 'media-failed', detail: 'camera unplugged' });
    await doctor.next('peer-report', 0, (m) => m.event === 'media-failed');

    doctor.send({ type: 'end' });
    await pt.next('ended');
    expect(await pt.whenClosed()).toBe(CALL_CLOSE.ended);
    expect(await doctor.whenClosed()).toBe(CALL_CLOSE.ended);

    const audit = await auditOf(id);
    const actions = audit.map((a) => a.action);
    for (const a of ['call.ticket', 'call.join', 'call.admit', 'call.start', 'call.audio-only', 'call.fail', 'call.end']) expect(actions).toContain(a);
    expect(audit.every((a) => a.patient_id === patient.patientId)).toBe(true);
    expect(audit.find((a) => a.action === 'call.fail')).toMatchObject({ result: 'error', actor_id: patient.userId });
    expect(audit.find((a) => a.action === 'call.admit')).toMatchObject({ actor_id: world.doctorBakulev.id });
    // The chain still verifies with all of that in it.
    const verify = await call(server.url, 'GET', '/api/audit/verify', { token: world.admin.token });
    expect(verify.body.ok).toBe(true);
    await cancel(id).catch(() => undefined);
  });

  it('lets an admitted patient back in after a dropped connection and starts a fresh session; a second tab replaces the first', async () => {
    const id = await consultationSoon();
    const doctor = await joined(world.doctorBakulev.token, id);
    const pt = await joined(patient.token, id);
    doctor.send({ type: 'admit' });
    await doctor.next('start');
    pt.close();
    await doctor.next('peer-left');
    await doctor.next('presence', 0, (m) => m.patient === 'absent');

    const back = await joined(patient.token, id);
    expect(back.messages[0]).toEqual({ type: 'joined', role: 'patient', state: 'admitted' });
    expect(await back.next('start')).toEqual({ type: 'start', session: 2, initiator: false });
    await doctor.next('start', 0, (m) => m.session === 2);

    // The same patient in a second tab: the older connection is closed as replaced.
    const tab = await joined(patient.token, id);
    expect(await back.whenClosed()).toBe(CALL_CLOSE.replaced);
    await tab.next('start', 0, (m) => m.session === 3);

    // A broken peer connection asks for a fresh session (not more often than every 2 s).
    await new Promise((r) => setTimeout(r, 2100)); // the renew limit is wall-clock; nothing to await
    tab.send({ type: 'renew', session: 3 });
    await tab.next('start', 0, (m) => m.session === 4);
    tab.send({ type: 'renew', session: 3 }); // stale: ignored
    await tab.roundTrip();
    expect(tab.messages.filter((m) => m.type === 'start').map((m) => (m as { session: number }).session)).toEqual([3, 4]);
    doctor.send({ type: 'end' });
    await tab.whenClosed();
    expect((await auditOf(id)).map((a) => a.action)).toContain('call.restart');
  });
});

describe('ICE configuration', () => {
  it('has no servers unless configured, and makes expiring TURN credentials from the shared secret', () => {
    expect(loadCallConfig({}).iceUrls).toEqual([]);
    const config = loadCallConfig({ OBLAKO_ICE_SERVERS: 'stun:turn.centre.example:3478, turn:turn.centre.example:3478?transport=udp', OBLAKO_TURN_SECRET: 'sekret', OBLAKO_ICE_RELAY_ONLY: '1' });
    expect(config.relayOnly).toBe(true);
    const until = new Date('2026-12-02T12:00:00Z');
    const servers = iceServersFor(config, 'user-1', until);
    expect(servers[0]).toEqual({ urls: ['stun:turn.centre.example:3478'] });
    const turn = servers[1]!;
    expect(turn.username).toBe(`${until.getTime() / 1000}:user-1`);
    expect(turn.credential).toBe(crypto.createHmac('sha1', 'sekret').update(turn.username!).digest('base64'));
    expect(() => loadCallConfig({ OBLAKO_ICE_SERVERS: 'turn:x:3478' })).toThrow(/OBLAKO_TURN_SECRET/);
    expect(() => loadCallConfig({ OBLAKO_ICE_RELAY_ONLY: '1' })).toThrow(/TURN/);
    expect(() => loadCallConfig({ OBLAKO_ICE_SERVERS: 'http://stun.example' })).toThrow(/STUN\/TURN/);
  });

  it('hands the configured servers and the relay-only policy to the participants', async () => {
    const relay = await startTestServer({ call: loadCallConfig({ OBLAKO_ICE_SERVERS: 'turn:127.0.0.1:3478', OBLAKO_TURN_SECRET: 's3', OBLAKO_ICE_RELAY_ONLY: '1' }) });
    try {
      const w = await buildWorld(relay);
      const consultationId = crypto.randomUUID();
      const startsAt = new Date(Date.now() + 5 * 60_000).toISOString();
      await call(relay.url, 'POST', '/api/sync/push', { token: w.doctorBakulev.token, body: { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'request.schedule', args: { id: w.pA.requestId, consultationId, startsAt, durationMinutes: 15 } }] } });
      const t = await call<CallTicket>(relay.url, 'POST', `/api/consultations/${consultationId}/call`, { token: w.patientA.token });
      expect(t.body.iceTransportPolicy).toBe('relay');
      expect(t.body.iceServers).toHaveLength(1);
      expect(t.body.iceServers[0]!.urls).toEqual(['turn:127.0.0.1:3478']);
      // Credentials outlive the room by the configured slack only.
      const expiry = Number(t.body.iceServers[0]!.username!.split(':')[0]) * 1000;
      expect(expiry).toBeGreaterThan(Date.parse(t.body.closesAt));
      expect(expiry).toBeLessThanOrEqual(Date.parse(t.body.closesAt) + 3600_000 + 1000);
    } finally {
      await relay.close();
    }
  });
});

describe('the pre-call probe', () => {
  it('serves random bytes to time and counts what is sent', async () => {
    const down = await fetch(`${server.url}/api/call/probe`, { headers: { authorization: `Bearer ${world.patientA.token}` } });
    expect(down.status).toBe(200);
    const bytes = new Uint8Array(await down.arrayBuffer());
    expect(bytes.length).toBe(256 * 1024);
    const up = await call(server.url, 'POST', '/api/call/probe', { token: world.patientA.token, bytes: bytes.subarray(0, 100_000) });
    expect(up.body).toEqual({ bytes: 100_000 });
  });

  it('the shared measurement both apps run reads figures from the real endpoints, and says when refused', async () => {
    const figures = await measureLink({ baseUrl: `${server.url}/`, headers: { authorization: `Bearer ${world.patientA.token}` } });
    expect(figures.downBps).toBeGreaterThan(0);
    expect(figures.upBps).toBeGreaterThan(0);
    expect(Number.isInteger(figures.rttMs)).toBe(true);
    await expect(measureLink({ baseUrl: server.url, headers: { authorization: 'Bearer not-a-session' } })).rejects.toThrow(/down\) answered 401/);
  });
});
