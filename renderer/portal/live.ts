import type { WS_PATH as ContractWsPath } from '../../shared/api/contract';
import type { WsClientMessage, WsServerMessage } from '../../shared/sync/protocol';

/**
 * The portal's live channel: one WebSocket to the central API per signed-in tab, shared by
 * everything that listens. The token goes in the first message (a browser WebSocket cannot set
 * headers); each `poke` (something of this patient's changed) and each `ready` (connected again:
 * whatever happened meanwhile must be fetched) calls the listeners. Reconnects with backoff; a
 * session the server refuses (4401) ends it for good. Type imports only, so no zod in the bundle.
 */

// The contract's path, checked by the compiler without pulling the contract's zod into the bundle.
const WS_PATH: typeof ContractWsPath = '/api/ws';
const PING_MS = 25_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

type Listener = () => void;

class LiveChannel {
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private attempt = 0;
  private retryTimer: number | null = null;
  private pingTimer: number | null = null;
  private stopped = false;
  /** Whether the socket is authenticated now (a component may fall back to polling meanwhile). */
  connected = false;

  constructor(private readonly token: string) {}

  add(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      this.stopped = false;
      this.connect();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }

  private connect(): void {
    if (this.stopped || this.socket) return;
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${WS_PATH}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    const send = (m: WsClientMessage) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(m));
    socket.onopen = () => send({ type: 'auth', token: this.token });
    socket.onmessage = (e: MessageEvent) => {
      let msg: WsServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'ready') {
        this.attempt = 0;
        this.connected = true;
        this.pingTimer = window.setInterval(() => send({ type: 'ping' }), PING_MS);
        this.emit();
      } else if (msg.type === 'poke') {
        this.emit();
      }
    };
    socket.onclose = (e: CloseEvent) => {
      this.socket = null;
      this.connected = false;
      if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
      this.pingTimer = null;
      // 4401: the session is over; the page's own calls will say so and send the patient to sign in.
      if (e.code === 4401) return;
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== null) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const s = this.socket;
    this.socket = null;
    this.connected = false;
    if (s) {
      s.onclose = null;
      s.close();
    }
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}

const channels = new Map<string, LiveChannel>();

/** Calls `onChange` on every poke (and after each reconnect) for this session; returns the unsubscribe. */
export function subscribeLive(token: string, onChange: Listener): () => void {
  let channel = channels.get(token);
  if (!channel) {
    // One session per tab: a channel of an older token has no listeners left and is dropped.
    channels.clear();
    channels.set(token, (channel = new LiveChannel(token)));
  }
  return channel.add(onChange);
}

export function isLive(token: string): boolean {
  return channels.get(token)?.connected ?? false;
}
