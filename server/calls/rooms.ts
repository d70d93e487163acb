import type { CallClientMessage, CallReport, CallRole, CallServerMessage } from '../../shared/call/protocol.js';
import { CALL_CLOSE } from '../../shared/call/protocol.js';
import type { AuditInput } from '../audit/audit-log.js';
import { createLogger } from '../logger.js';
import type { CallAccess } from './access.js';
import type { TicketGrant } from './tickets.js';

const log = createLogger('calls.rooms');

/** What the rooms need of a socket (the WebSocket in the app, a fake in tests). */
export interface RoomSocket {
  send(message: CallServerMessage): void;
  close(code: number, reason: string): void;
}

interface Participant {
  socket: RoomSocket;
  userId: string;
  role: CallRole;
}

interface Room {
  access: CallAccess;
  doctor: Participant | null;
  patient: Participant | null;
  /** The doctor let this patient in; a patient coming back after a dropped link is not sent back to wait. */
  admitted: boolean;
  /** The current peer session: signals of an older one are dropped. 0 before the first start. */
  session: number;
  startedAt: number | null;
  lastRenewAt: number;
}

/** Failures a client reports that go on record as `call.fail` (the rest are for the other screen). */
const FAILURES: ReadonlySet<CallReport> = new Set(['media-failed', 'devices-failed']);
/** A broken connection may ask for a fresh peer session at most this often. */
const RENEW_MIN_INTERVAL_MS = 2_000;

/**
 * The call rooms: one per consultation, two seats (the doctor, the patient). A patient waits until
 * the doctor admits them; once both are in, the server starts a peer session (the doctor offers)
 * and relays its signals, and only between the two seated participants of that room. A seat taken
 * again by the same participant (a reconnect, a second tab) replaces the old connection and starts
 * a fresh session. Every join, admission, start, restart, failure and end is audited.
 *
 * In memory: one central API process holds the rooms (a restart drops them; clients rejoin with
 * new tickets and the patient waits to be admitted again).
 */
export class CallRooms {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly audit: (events: AuditInput[]) => Promise<void>) {}

  /** Seats a participant whose ticket and access were checked. Returns a handle for their messages. */
  async join(grant: TicketGrant, access: CallAccess, socket: RoomSocket, now = Date.now()): Promise<RoomMember> {
    this.sweep(now);
    let room = this.rooms.get(access.consultationId);
    if (!room) {
      room = { access, doctor: null, patient: null, admitted: false, session: 0, startedAt: null, lastRenewAt: 0 };
      this.rooms.set(access.consultationId, room);
    }
    const seat = grant.role;
    const previous = room[seat];
    const me: Participant = { socket, userId: grant.userId, role: seat };
    room[seat] = me;
    if (previous) previous.socket.close(CALL_CLOSE.replaced, 'replaced by a newer connection');
    const state = seat === 'doctor' || room.admitted ? 'admitted' : 'waiting';
    // On record first, then told: what the participants saw is always in the log.
    await this.record(room, grant, 'call.join', 'ok', { role: seat, state, replaced: previous !== null });
    socket.send({ type: 'joined', role: seat, state });
    this.presence(room);
    await this.maybeStart(room, grant, now);
    return new RoomMember(this, room, me, grant);
  }

  /** Rooms with someone in them (for shutdown and tests). */
  get size(): number {
    return this.rooms.size;
  }

  closeAll(): void {
    for (const room of this.rooms.values()) {
      for (const p of [room.doctor, room.patient]) p?.socket.close(1001, 'server shutting down');
    }
    this.rooms.clear();
  }

  /** @internal — RoomMember's verbs. */
  async handle(room: Room, me: Participant, grant: TicketGrant, msg: CallClientMessage, now = Date.now()): Promise<void> {
    if (this.rooms.get(room.access.consultationId) !== room || room[me.role] !== me) return; // ended or replaced
    const other = me.role === 'doctor' ? room.patient : room.doctor;
    switch (msg.type) {
      case 'admit': {
        if (me.role !== 'doctor') return this.refuse(me, 'Впустить пациента может только врач.');
        if (!room.patient || room.admitted) return;
        room.admitted = true;
        await this.record(room, grant, 'call.admit', 'ok', { patientUserId: room.patient.userId });
        room.patient?.socket.send({ type: 'joined', role: 'patient', state: 'admitted' });
        this.presence(room);
        await this.maybeStart(room, grant, now);
        return;
      }
      case 'signal':
        if (msg.session !== room.session || !room.admitted || !other) return; // stale or not in the call yet
        other.socket.send({ type: 'signal', session: msg.session, data: msg.data });
        return;
      case 'renew':
        if (msg.session !== room.session || now - room.lastRenewAt < RENEW_MIN_INTERVAL_MS) return;
        await this.maybeStart(room, grant, now, 'renew');
        return;
      case 'report':
        if (FAILURES.has(msg.event)) await this.record(room, grant, 'call.fail', 'error', { event: msg.event, detail: msg.detail ?? null, role: me.role });
        else if (msg.event === 'ice-restart' || msg.event === 'audio-only' || msg.event === 'video-restored') await this.record(room, grant, `call.${msg.event}`, 'ok', { role: me.role });
        other?.socket.send({ type: 'peer-report', event: msg.event });
        return;
      case 'end': {
        if (me.role !== 'doctor') return this.refuse(me, 'Завершить консультацию может только врач. Чтобы выйти, закройте окно звонка.');
        this.rooms.delete(room.access.consultationId);
        const seconds = room.startedAt === null ? 0 : Math.round((now - room.startedAt) / 1000);
        await this.record(room, grant, 'call.end', 'ok', { by: 'doctor', seconds, sessions: room.session });
        for (const p of [room.doctor, room.patient]) {
          if (!p) continue;
          p.socket.send({ type: 'ended', by: 'doctor' });
          p.socket.close(CALL_CLOSE.ended, 'consultation ended');
        }
        return;
      }
      case 'leave':
        await this.leave(room, me, grant, 'left');
        return;
      case 'join':
      case 'ping':
        return; // handled by the socket
    }
  }

  /** The participant's connection is gone (closed, or its pings went unanswered). */
  async leave(room: Room, me: Participant, grant: TicketGrant, why: 'left' | 'disconnected'): Promise<void> {
    if (room[me.role] !== me) return; // already replaced
    room[me.role] = null;
    const other = me.role === 'doctor' ? room.patient : room.doctor;
    other?.socket.send({ type: 'peer-left' });
    if (this.rooms.get(room.access.consultationId) === room) {
      await this.record(room, grant, 'call.leave', 'ok', { role: me.role, why });
      this.presence(room);
    }
  }

  private refuse(me: Participant, message: string): void {
    me.socket.send({ type: 'error', code: 'FORBIDDEN', message });
  }

  private presence(room: Room): void {
    room.doctor?.socket.send({
      type: 'presence',
      patient: !room.patient ? 'absent' : room.admitted ? 'admitted' : 'waiting',
      doctor: 'present',
    });
  }

  private async maybeStart(room: Room, grant: TicketGrant, now: number, why: 'join' | 'renew' = 'join'): Promise<void> {
    if (!room.doctor || !room.patient || !room.admitted) return;
    room.session += 1;
    room.lastRenewAt = now;
    const first = room.startedAt === null;
    room.startedAt ??= now;
    const session = room.session;
    await this.record(room, grant, first ? 'call.start' : 'call.restart', 'ok', { session, why });
    if (room.session !== session) return; // a newer start overtook this one while it was recorded
    room.doctor?.socket.send({ type: 'start', session, initiator: true });
    room.patient?.socket.send({ type: 'start', session, initiator: false });
  }

  private async record(room: Room, grant: TicketGrant, action: string, result: AuditInput['result'], details: Record<string, unknown>): Promise<void> {
    try {
      await this.audit([
        { actor: { userId: grant.userId, role: grant.role }, action, patientId: room.access.patientId, entity: 'consultation', entityId: room.access.consultationId, result, details },
      ]);
    } catch (err) {
      // The audit is the record of who was in the call: a failure to write it is an error on the
      // server's side, logged loudly; the call itself goes on.
      log.error({ err, action }, 'call audit append failed');
    }
  }

  /** Forgets rooms whose time is long over (nobody can join them any more). */
  private sweep(now: number): void {
    for (const [id, room] of this.rooms) {
      if (Date.parse(room.access.closesAt) < now && !room.doctor && !room.patient) this.rooms.delete(id);
    }
  }
}

/** One participant's handle on their room: what the socket calls for each message and on close. */
export class RoomMember {
  constructor(
    private readonly rooms: CallRooms,
    private readonly room: Room,
    private readonly me: Participant,
    private readonly grant: TicketGrant,
  ) {}

  get role(): CallRole {
    return this.me.role;
  }

  handle(msg: CallClientMessage): Promise<void> {
    return this.rooms.handle(this.room, this.me, this.grant, msg);
  }

  gone(): Promise<void> {
    return this.rooms.leave(this.room, this.me, this.grant, 'disconnected');
  }
}
