import { encodingFor, initialPolicy, nextPolicy, type LevelId, type PolicyState } from '../../../shared/call/bandwidth-policy';
import type { CallReport, CallRole, CallServerMessage, CallTicket, SignalData } from '../../../shared/call/protocol';
import { sampleCall, type CallSample, type StatsRecord } from '../../../shared/call/quality';
import { CallSocket, type SocketState } from './call-socket';
import { PeerSession } from './peer-session';

/**
 * One call, from joining the room to its end, without React: the signalling socket, the peer
 * session of the moment, the local media, the once-a-second stats that drive the bandwidth policy
 * and the quality indicator. The screen subscribes to snapshots. Nothing here gives up on a bad
 * link: a dropped socket reconnects with a new ticket, a broken path restarts ICE, a failed
 * connection asks the room for a fresh session; only the doctor's «end» (or leaving) ends it.
 */

export interface CallHost {
  /** A one-use ticket for the room, and the central API's origin to connect to. */
  getTicket(): Promise<{ ticket: CallTicket; serverUrl: string }>;
}

export type CallPhase = 'connecting' | 'waiting' | 'lobby' | 'joining-media' | 'in-call' | 'reconnecting' | 'ended' | 'failed';

export interface CallSnapshot {
  phase: CallPhase;
  role: CallRole | null;
  ticket: CallTicket | null;
  signalling: SocketState;
  /** The doctor's view of the room. */
  patient: 'absent' | 'waiting' | 'admitted';
  peerPresent: boolean;
  media: 'none' | 'connecting' | 'connected' | 'interrupted';
  remoteStream: MediaStream | null;
  micOn: boolean;
  camOn: boolean;
  sharing: boolean;
  /** What we send at (bandwidth policy). */
  level: LevelId;
  /** The other side told us they send sound only. */
  peerAudioOnly: boolean;
  sample: CallSample | null;
  error: { code: string; message: string } | null;
  endedBy: CallRole | 'self' | null;
}

type Listener = (s: CallSnapshot) => void;

const STATS_INTERVAL_MS = 1_000;
const RENEW_RETRY_MS = 2_500;

export class CallController {
  private snap: CallSnapshot;
  private readonly listeners = new Set<Listener>();
  private readonly socket: CallSocket;
  private peer: PeerSession | null = null;
  private session = 0;
  private policy: PolicyState = initialPolicy();
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  private lastStats: StatsRecord[] = [];
  private readonly camTrack: MediaStreamTrack | null;
  private screenTrack: MediaStreamTrack | null = null;
  /** What goes out: the microphone and the camera, or the screen while it is shared. */
  private readonly outgoing: MediaStream;
  private applying: Promise<void> = Promise.resolve();
  private wasConnected = false;
  /** The level the sender really has (setParameters can fail before negotiation; then it is retried). */
  private appliedLevel: LevelId | null = null;

  constructor(
    private readonly host: CallHost,
    readonly local: MediaStream,
  ) {
    this.camTrack = local.getVideoTracks()[0] ?? null;
    this.outgoing = new MediaStream(local.getTracks());
    this.snap = {
      phase: 'connecting',
      role: null,
      ticket: null,
      signalling: 'connecting',
      patient: 'absent',
      peerPresent: false,
      media: 'none',
      remoteStream: null,
      micOn: local.getAudioTracks().some((t) => t.enabled),
      camOn: this.camTrack?.enabled ?? false,
      sharing: false,
      level: this.policy.level,
      peerAudioOnly: false,
      sample: null,
      error: null,
      endedBy: null,
    };
    this.socket = new CallSocket({
      getTicket: () => host.getTicket(),
      onTicket: (ticket) => this.update({ ticket, role: ticket.role }),
      onMessage: (m) => this.onMessage(m),
      onState: (signalling) => this.onSocketState(signalling),
      onFatal: (error) => {
        if (this.snap.phase === 'ended') return;
        this.update({ phase: 'failed', error });
        this.teardown();
      },
    });
  }

  get snapshot(): CallSnapshot {
    return this.snap;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    this.socket.start();
  }

  admit(): void {
    this.socket.send({ type: 'admit' });
  }

  /** The doctor ends the consultation for both. */
  end(): void {
    if (!this.socket.send({ type: 'end' })) this.finish('self');
  }

  /** This participant leaves (the patient closes the call; the room stays open for them). */
  leave(): void {
    this.finish('self');
  }

  setMic(on: boolean): void {
    for (const t of this.local.getAudioTracks()) t.enabled = on;
    this.update({ micOn: on });
  }

  setCamera(on: boolean): void {
    if (this.camTrack) this.camTrack.enabled = on;
    this.update({ camOn: on });
  }

  /** The doctor shows their screen (a document) in place of the camera. */
  async shareScreen(): Promise<void> {
    if (this.screenTrack || !this.camTrack) return;
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    track.addEventListener('ended', () => this.stopSharing());
    this.swapVideo(this.camTrack, track);
    this.screenTrack = track;
    this.update({ sharing: true });
  }

  stopSharing(): void {
    if (!this.screenTrack || !this.camTrack) return;
    const screen = this.screenTrack;
    this.screenTrack = null;
    this.swapVideo(screen, this.camTrack);
    screen.stop();
    this.update({ sharing: false });
  }

  dispose(): void {
    this.finish('self');
  }

  // ── internals ──

  private swapVideo(from: MediaStreamTrack, to: MediaStreamTrack): void {
    this.outgoing.removeTrack(from);
    this.outgoing.addTrack(to);
    try {
      this.peer?.replaceVideo(from, to, this.outgoing);
    } catch {
      // No peer right now (between sessions): the next one starts with the new track.
    }
  }

  private update(patch: Partial<CallSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l(this.snap);
  }

  private onSocketState(signalling: SocketState): void {
    if (this.snap.phase === 'ended' || this.snap.phase === 'failed') return;
    const patch: Partial<CallSnapshot> = { signalling };
    if (signalling !== 'open' && this.wasConnected && this.snap.media !== 'connected') patch.phase = 'reconnecting';
    this.update(patch);
  }

  private onMessage(m: CallServerMessage): void {
    switch (m.type) {
      case 'joined':
        if (m.role === 'patient') this.update({ phase: m.state === 'waiting' ? 'waiting' : this.peer ? this.snap.phase : 'joining-media' });
        else if (!this.peer) this.update({ phase: 'lobby' });
        return;
      case 'presence':
        // Once the call has been under way, a patient who dropped out is being waited for, not new.
        this.update({ patient: m.patient, peerPresent: m.patient !== 'absent', ...(m.patient !== 'admitted' && !this.peer ? { phase: this.wasConnected ? ('reconnecting' as const) : ('lobby' as const) } : {}) });
        return;
      case 'start':
        this.startSession(m.session, m.initiator);
        return;
      case 'signal':
        if (m.session === this.session) this.peer?.signal(m.data);
        return;
      case 'peer-report':
        if (m.event === 'audio-only') this.update({ peerAudioOnly: true });
        if (m.event === 'video-restored') this.update({ peerAudioOnly: false });
        return;
      case 'peer-left':
        this.dropPeer();
        this.update({ peerPresent: false, media: 'interrupted', phase: this.wasConnected ? 'reconnecting' : this.snap.role === 'doctor' ? 'lobby' : 'joining-media', remoteStream: null });
        return;
      case 'ended':
        this.finish(m.by);
        return;
      case 'error':
      case 'pong':
        return;
    }
  }

  private startSession(session: number, initiator: boolean): void {
    this.dropPeer();
    this.session = session;
    this.lastStats = [];
    const ticket = this.snap.ticket;
    this.update({ peerPresent: true, media: 'connecting', phase: this.wasConnected ? 'reconnecting' : 'joining-media' });
    this.peer = new PeerSession({
      initiator,
      stream: this.outgoing,
      iceServers: ticket?.iceServers ?? [],
      iceTransportPolicy: ticket?.iceTransportPolicy ?? 'all',
      onSignal: (data: SignalData) => this.socket.send({ type: 'signal', session, data }),
      onRemoteStream: (stream) => this.update({ remoteStream: stream }),
      onIceState: (state) => this.onIce(session, state),
      onIceRestart: () => this.report('ice-restart'),
      onClosed: (reason) => this.onPeerClosed(session, reason),
    });
    // The sender starts at the policy's level (not at the browser's default of "as much as it can").
    this.applyLevel(this.policy.level);
    this.startStats();
  }

  private onIce(session: number, state: RTCIceConnectionState): void {
    if (session !== this.session) return;
    if (state === 'connected' || state === 'completed') {
      const first = !this.wasConnected;
      this.wasConnected = true;
      if (this.renewTimer) clearTimeout(this.renewTimer);
      this.renewTimer = null;
      this.update({ media: 'connected', phase: 'in-call' });
      this.report(first ? 'connected' : 'reconnected');
    } else if (state === 'disconnected' || state === 'failed') {
      this.update({ media: 'interrupted', phase: 'reconnecting' });
    }
  }

  private onPeerClosed(session: number, reason: string): void {
    if (session !== this.session || this.snap.phase === 'ended') return;
    this.peer = null;
    this.update({ media: 'interrupted', phase: 'reconnecting' });
    if (reason !== 'closed') this.report('media-failed', reason);
    this.askRenew(session);
  }

  /** Asks the room for a fresh session, and again if none comes (the room limits how often). */
  private askRenew(session: number): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.socket.send({ type: 'renew', session });
    this.renewTimer = setTimeout(() => {
      this.renewTimer = null;
      if (this.session === session && this.snap.media !== 'connected' && this.snap.phase !== 'ended') this.askRenew(session);
    }, RENEW_RETRY_MS);
  }

  private report(event: CallReport, detail?: string): void {
    this.socket.send({ type: 'report', event, ...(detail ? { detail: detail.slice(0, 300) } : {}) });
  }

  private startStats(): void {
    if (this.statsTimer) return;
    this.statsTimer = setInterval(() => void this.tick(), STATS_INTERVAL_MS);
  }

  private async tick(): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    let report: RTCStatsReport;
    try {
      report = await peer.pc.getStats();
    } catch {
      return;
    }
    const now = [...report.values()] as StatsRecord[];
    const sample = sampleCall(now, this.lastStats);
    this.lastStats = now;
    const before = this.policy.level;
    this.policy = nextPolicy(this.policy, sample.link, Date.now());
    if (this.policy.level !== before || this.appliedLevel !== this.policy.level) {
      this.applyLevel(this.policy.level);
    }
    if (this.policy.level !== before) {
      if (this.policy.level === 'audio') this.report('audio-only');
      else if (before === 'audio') this.report('video-restored');
    }
    this.update({ sample, level: this.policy.level });
  }

  /** setParameters on the video sender: the cap, the size and the frame rate of the level. */
  private applyLevel(level: LevelId): void {
    const peer = this.peer;
    this.applying = this.applying.then(async () => {
      const sender = peer?.videoSender();
      if (!sender) return;
      const params = sender.getParameters();
      if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
      const enc = encodingFor(level);
      for (const e of params.encodings) {
        e.active = enc.active;
        e.maxBitrate = enc.maxBitrate;
        e.maxFramerate = enc.maxFramerate;
        e.scaleResolutionDownBy = enc.scaleResolutionDownBy;
      }
      try {
        await sender.setParameters(params);
        if (peer === this.peer) this.appliedLevel = level;
      } catch {
        // Not negotiated yet: the next tick applies it again.
        this.appliedLevel = null;
      }
    });
  }

  private dropPeer(): void {
    this.appliedLevel = null;
    if (this.peer) this.peer.destroy();
    this.peer = null;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  private teardown(): void {
    this.dropPeer();
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.socket.stop();
    this.screenTrack?.stop();
  }

  private finish(by: CallRole | 'self'): void {
    if (this.snap.phase === 'ended') return;
    this.teardown();
    this.update({ phase: 'ended', endedBy: by, media: 'none', remoteStream: null });
  }
}
