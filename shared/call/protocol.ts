import { z } from 'zod';
import { ErrorCode } from '../domain/errors.js';
import { Id, IsoDateTime } from '../domain/ids.js';

/**
 * The video call's signalling: a ticket from the central API (HTTP, with the caller's session),
 * then a WebSocket at CALL_WS_PATH whose first message presents the ticket. The server keeps one
 * room per consultation: the doctor and the patient of that consultation only, the patient in a
 * waiting room until the doctor admits them. Media never passes through the server; only these
 * messages do, each checked here on both ends.
 */

export const CALL_WS_PATH = '/api/call';

/** An ICE server as RTCPeerConnection takes it; only STUN/TURN URLs from configuration. */
export const IceServer = z.object({
  urls: z.array(z.string().regex(/^(stun|turns?):[^\s]+$/, 'Адрес STUN/TURN: stun:, turn: или turns:')).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

export const CallRole = z.enum(['doctor', 'patient']);
export type CallRole = z.infer<typeof CallRole>;

/** What the caller needs to join: the one-use ticket, the ICE settings, the room's time window. */
export const CallTicket = z.object({
  ticket: z.string(),
  /** The ticket must be presented before this (it is good for one connection). */
  expiresAt: IsoDateTime,
  role: CallRole,
  consultationId: Id,
  requestId: Id,
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  /** The room admits its participants from `opensAt` to `closesAt` only. */
  opensAt: IsoDateTime,
  closesAt: IsoDateTime,
  /** The other side's name, for the screen («Пациент Иванова А. П.», «Врач Петров С. Н.»). */
  peerName: z.string(),
  iceServers: z.array(IceServer),
  /** `relay`: only TURN candidates (the centre's network policy hides both ends' addresses). */
  iceTransportPolicy: z.enum(['all', 'relay']),
});
export type CallTicket = z.infer<typeof CallTicket>;

/**
 * What simple-peer hands to the other side: an offer/answer, a trickled candidate, or its own
 * renegotiation/transceiver requests. Bounded so a socket cannot be used to push megabytes.
 */
export const SignalData = z
  .object({
    type: z.enum(['offer', 'answer', 'pranswer', 'rollback', 'candidate', 'renegotiate', 'transceiverRequest']).optional(),
    // Real descriptions are 3–15 KB; the socket itself refuses frames over 64 KiB.
    sdp: z.string().max(32 * 1024).optional(),
    candidate: z
      .object({
        candidate: z.string().max(2048),
        sdpMid: z.string().max(64).nullable().optional(),
        sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
        usernameFragment: z.string().max(256).nullable().optional(),
      })
      .optional(),
    renegotiate: z.boolean().optional(),
    transceiverRequest: z.object({ kind: z.enum(['audio', 'video']), init: z.record(z.string(), z.unknown()).optional() }).optional(),
  })
  .refine((d) => d.type !== undefined || d.candidate !== undefined || d.renegotiate !== undefined || d.transceiverRequest !== undefined, 'Пустой сигнал.');
export type SignalData = z.infer<typeof SignalData>;

/** Events a client reports for the record (audit) and the other side's screen. */
export const CALL_REPORTS = ['connected', 'media-failed', 'ice-restart', 'reconnected', 'audio-only', 'video-restored', 'devices-failed'] as const;
export const CallReport = z.enum(CALL_REPORTS);
export type CallReport = z.infer<typeof CallReport>;

export const CallClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('join'), ticket: z.string().min(20).max(200) }),
  /** Doctor: let the waiting patient in. */
  z.strictObject({ type: z.literal('admit') }),
  /** To the other admitted participant, within the current peer session. */
  z.strictObject({ type: z.literal('signal'), session: z.number().int().min(1), data: SignalData }),
  /** The peer connection broke beyond repair: ask for a fresh one (both sides start again). */
  z.strictObject({ type: z.literal('renew'), session: z.number().int().min(1) }),
  z.strictObject({ type: z.literal('report'), event: CallReport, detail: z.string().max(300).optional() }),
  /** Doctor: the consultation is over for both. */
  z.strictObject({ type: z.literal('end') }),
  /** This participant leaves; the room stays open for them to come back. */
  z.strictObject({ type: z.literal('leave') }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type CallClientMessage = z.infer<typeof CallClientMessage>;

export const CallServerMessage = z.discriminatedUnion('type', [
  /** The ticket was good: `waiting` until admitted (patient), `admitted` otherwise. */
  z.object({ type: z.literal('joined'), role: CallRole, state: z.enum(['waiting', 'admitted']) }),
  /** To the doctor: who is in the room and whether they wait to be admitted. */
  z.object({ type: z.literal('presence'), patient: z.enum(['absent', 'waiting', 'admitted']), doctor: z.enum(['absent', 'present']) }),
  /** Both are in: build a peer connection for `session`; the doctor makes the offer. */
  z.object({ type: z.literal('start'), session: z.number().int().min(1), initiator: z.boolean() }),
  z.object({ type: z.literal('signal'), session: z.number().int().min(1), data: SignalData }),
  /** The other side's report, for the screen («собеседник перешёл на звук»). */
  z.object({ type: z.literal('peer-report'), event: CallReport }),
  /** The other side has gone (closed the page or lost the network); the room waits for them. */
  z.object({ type: z.literal('peer-left') }),
  z.object({ type: z.literal('ended'), by: CallRole }),
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() }),
  z.object({ type: z.literal('pong') }),
]);
export type CallServerMessage = z.infer<typeof CallServerMessage>;

/** WebSocket close codes the client acts on (no reconnect after these). */
export const CALL_CLOSE = {
  /** Ticket missing, used or expired: fetch a new one. */
  badTicket: 4401,
  /** Another connection of the same participant replaced this one (a second tab, a reconnect). */
  replaced: 4409,
  /** The doctor ended the consultation. */
  ended: 4410,
} as const;

/** The probe the pre-call check times against the central API (download size, bytes). */
export const CALL_PROBE_BYTES = 256 * 1024;
export const CallProbeResult = z.object({ bytes: z.number().int().min(0) });
