import crypto from 'node:crypto';
import { CALL_PROBE_BYTES } from '../../shared/call/protocol.js';
import { loadCallAccess } from '../calls/access.js';
import { iceServersFor } from '../calls/ice.js';
import { DEFAULT_CALL_CONFIG } from '../config.js';
import { AppError } from '../errors.js';
import { auditIn, BinaryReply, type Handlers } from './route.js';

type CallRoute = 'callTicket' | 'callProbeDown' | 'callProbeUp';

/** Random, so nothing on the way can compress the probe into a faster figure than the link gives. */
let probeBytes: Buffer | undefined;

// The video call's HTTP side: the ticket that opens a consultation's room, and the probe the
// pre-call check times to tell a patient whether their link carries video.
export const callHandlers: Pick<Handlers, CallRoute> = {
  callTicket: async (i, ctx) => {
    if (!ctx.calls) throw new AppError('INTERNAL', 'Звонки на этом сервере не работают. Сообщите администратору.');
    const config = ctx.config.call ?? DEFAULT_CALL_CONFIG;
    const access = await loadCallAccess(ctx.db.kysely, i.actor, i.params.id, config);
    const { ticket, expiresAt } = ctx.calls.tickets.issue({ userId: i.actor.userId, role: access.role, consultationId: access.consultationId, patientId: access.patientId, sessionId: i.actor.sessionId });
    const validUntil = new Date(Math.max(Date.now(), Date.parse(access.closesAt)) + config.turnTtlSeconds * 1000);
    await ctx.db.kysely.transaction().execute((tx) =>
      auditIn(i, tx, [{ actor: i.actor, action: 'call.ticket', patientId: access.patientId, entity: 'consultation', entityId: access.consultationId, result: 'ok', details: { role: access.role } }]),
    );
    return {
      ticket,
      expiresAt: expiresAt.toISOString(),
      role: access.role,
      consultationId: access.consultationId,
      requestId: access.requestId,
      startsAt: access.startsAt,
      endsAt: access.endsAt,
      opensAt: access.opensAt,
      closesAt: access.closesAt,
      peerName: access.peerName,
      iceServers: iceServersFor(config, i.actor.userId, validUntil),
      iceTransportPolicy: config.relayOnly ? 'relay' : 'all',
    };
  },

  callProbeDown: async () => {
    probeBytes ??= crypto.randomBytes(CALL_PROBE_BYTES);
    return new BinaryReply(200, { 'content-type': 'application/octet-stream', 'content-length': String(probeBytes.length) }, probeBytes);
  },

  callProbeUp: async (i) => {
    let bytes = 0;
    for await (const chunk of i.raw ?? []) bytes += chunk.byteLength;
    return { bytes };
  },
};
