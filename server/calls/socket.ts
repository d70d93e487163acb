import type { WebSocket } from 'ws';
import { CALL_CLOSE, CallClientMessage, type CallServerMessage } from '../../shared/call/protocol.js';
import type { ErrorCode } from '../../shared/domain/errors.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { DEFAULT_CALL_CONFIG } from '../config.js';
import { loadCallAccess } from './access.js';
import type { CallRooms, RoomMember } from './rooms.js';
import type { CallTickets } from './tickets.js';

const log = createLogger('calls.socket');

/** A connection that answers no ping within this time is taken as gone (the other side is told). */
const HEARTBEAT_MS = 5_000;
const JOIN_TIMEOUT_MS = 5_000;

/**
 * One call connection: the first message must present a ticket (within 5 s); it is redeemed, the
 * session behind it and the participant's access are checked again (a consultation cancelled in
 * between, a signed-out user), and the participant is seated. Every later message is validated
 * before the room sees it. Pings from the server find a dead link within two heartbeats, so the
 * other participant learns it quickly and the client reconnects.
 */
export function serveCallSocket(socket: WebSocket, ctx: AppContext, rooms: CallRooms, tickets: CallTickets): void {
  const send = (m: CallServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
  };
  const fail = (code: number, e: { code: ErrorCode; message: string }) => {
    send({ type: 'error', code: e.code, message: e.message });
    socket.close(code, e.code);
  };
  let member: RoomMember | null = null;
  let joined = false;
  let alive = true;
  const joinTimer = setTimeout(() => fail(CALL_CLOSE.badTicket, { code: 'UNAUTHENTICATED', message: 'Не получен билет на подключение. Откройте звонок заново.' }), JOIN_TIMEOUT_MS);
  const heartbeat = setInterval(() => {
    if (!alive) {
      log.info({ role: member?.role }, 'call socket missed its pings; closing');
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, HEARTBEAT_MS);
  socket.on('pong', () => (alive = true));

  // One message at a time, in order: a message that arrives while the join is still being
  // checked (the doctor admitting right away) waits for it instead of being dropped.
  let queue: Promise<void> = Promise.resolve();
  const handle = async (raw: Buffer): Promise<void> => {
    let msg: CallClientMessage;
    try {
      msg = CallClientMessage.parse(JSON.parse(raw.toString('utf8')));
    } catch {
      send({ type: 'error', code: 'VALIDATION_FAILED', message: 'Некорректное сообщение звонка.' });
      return;
    }
    if (msg.type === 'ping') return send({ type: 'pong' });
    if (member) return member.handle(msg);
    if (joined) return; // refused already; the socket is closing
    joined = true;
    clearTimeout(joinTimer);
    if (msg.type !== 'join') return fail(CALL_CLOSE.badTicket, { code: 'UNAUTHENTICATED', message: 'Сначала предъявите билет на подключение.' });
    const grant = tickets.redeem(msg.ticket);
    if (!grant) return fail(CALL_CLOSE.badTicket, { code: 'UNAUTHENTICATED', message: 'Билет на подключение недействителен или устарел. Откройте звонок заново.' });
    const session = await ctx.db.kysely.selectFrom('sessions').select(['revoked_at', 'expires_at']).where('id', '=', grant.sessionId).executeTakeFirst();
    if (!session || session.revoked_at || session.expires_at <= new Date().toISOString()) {
      return fail(CALL_CLOSE.badTicket, { code: 'UNAUTHENTICATED', message: 'Сеанс истёк. Войдите снова и откройте звонок.' });
    }
    try {
      const access = await loadCallAccess(ctx.db.kysely, { role: grant.role, userId: grant.userId, patientId: grant.role === 'patient' ? grant.patientId : null }, grant.consultationId, ctx.config.call ?? DEFAULT_CALL_CONFIG);
      if (socket.readyState !== socket.OPEN) return;
      member = await rooms.join(grant, access, { send, close: (code, reason) => socket.close(code, reason) });
    } catch (err) {
      if (err instanceof AppError) return fail(CALL_CLOSE.ended, { code: err.code, message: err.message });
      throw err;
    }
  };
  socket.on('message', (raw: Buffer) => {
    alive = true;
    queue = queue
      .then(() => handle(raw))
      .catch((err: unknown) => {
        log.error({ err }, 'call message failed');
        send({ type: 'error', code: 'INTERNAL', message: 'Ошибка сервера звонков. Переподключаемся…' });
      });
  });

  socket.on('close', () => {
    clearTimeout(joinTimer);
    clearInterval(heartbeat);
    // After whatever is still queued (a join in progress must be seated before it can leave).
    void queue.then(() => member?.gone()).catch((err: unknown) => log.error({ err }, 'call leave failed'));
  });
  socket.on('error', (err) => log.debug({ err: err.message }, 'call socket error'));
}
