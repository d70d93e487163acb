import SimplePeer from 'simple-peer';
import type { IceServer, SignalData } from '../../../shared/call/protocol';

/**
 * One peer connection of a call (a "session" in the room's terms), built with simple-peer. The
 * doctor's side makes the offer. When the path breaks (ICE `disconnected` for a few seconds — a
 * Wi-Fi hand-over, a link that came back with another address) the offering side restarts ICE
 * and renegotiates without tearing anything down; if the connection fails outright, simple-peer
 * closes it and the call asks the room for a fresh session.
 */

export interface PeerSessionOptions {
  initiator: boolean;
  stream: MediaStream;
  iceServers: IceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  onSignal(data: SignalData): void;
  onRemoteStream(stream: MediaStream): void;
  onIceState(state: RTCIceConnectionState): void;
  /** The connection is gone for good (failed, closed): build another. */
  onClosed(reason: string): void;
  onIceRestart(): void;
}

/** How long a `disconnected` path may last before the offering side restarts ICE. */
export const ICE_RESTART_AFTER_MS = 2_500;

export class PeerSession {
  private readonly peer: SimplePeer.Instance;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(private readonly opts: PeerSessionOptions) {
    this.peer = new SimplePeer({
      initiator: opts.initiator,
      stream: opts.stream,
      trickle: true,
      config: { iceServers: opts.iceServers as RTCIceServer[], iceTransportPolicy: opts.iceTransportPolicy },
    });
    this.peer.on('signal', (data: SimplePeer.SignalData) => opts.onSignal(data as SignalData));
    this.peer.on('stream', (stream: MediaStream) => opts.onRemoteStream(stream));
    this.peer.on('iceStateChange', (state: RTCIceConnectionState) => this.iceChanged(state));
    this.peer.on('error', (err: Error & { code?: string }) => this.finish(err.code ?? err.message));
    this.peer.on('close', () => this.finish('closed'));
  }

  /** The underlying RTCPeerConnection (stats, senders). simple-peer keeps it as `_pc`. */
  get pc(): RTCPeerConnection {
    return (this.peer as unknown as { _pc: RTCPeerConnection })._pc;
  }

  signal(data: SignalData): void {
    if (!this.closed) this.peer.signal(data as SimplePeer.SignalData);
  }

  videoSender(): RTCRtpSender | null {
    return this.pc.getSenders().find((s) => s.track?.kind === 'video') ?? null;
  }

  /** Swaps the outgoing picture (camera ⇄ screen) without renegotiating. */
  replaceVideo(oldTrack: MediaStreamTrack, newTrack: MediaStreamTrack, stream: MediaStream): void {
    this.peer.replaceTrack(oldTrack, newTrack, stream);
  }

  /** Forces an ICE restart now (the network changed under us). Offering side only. */
  restartIce(): void {
    if (this.closed || !this.opts.initiator) return;
    this.opts.onIceRestart();
    this.pc.restartIce();
    // simple-peer does not listen to negotiationneeded; its negotiate() makes the new offer, which
    // carries fresh ICE credentials because restartIce() was called.
    (this.peer as unknown as { negotiate(): void }).negotiate();
  }

  destroy(): void {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.peer.removeAllListeners();
    this.peer.on('error', () => undefined);
    this.peer.destroy();
  }

  private iceChanged(state: RTCIceConnectionState): void {
    this.opts.onIceState(state);
    if (state === 'disconnected') {
      if (this.restartTimer === null && this.opts.initiator) {
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          if (this.pc.iceConnectionState === 'disconnected') this.restartIce();
        }, ICE_RESTART_AFTER_MS);
      }
    } else if (this.restartTimer !== null) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.opts.onClosed(reason);
  }
}
