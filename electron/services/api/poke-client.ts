import WebSocket from 'ws';
import { WS_PATH } from '../../../shared/api/contract.js';
import { WsServerMessage } from '../../../shared/sync/protocol.js';
import { createLogger } from '../logger.js';
import { backoffDelay } from '../sync/backoff.js';

const log = createLogger('api.poke');

export interface PokeClientOptions {
  baseUrl: string;
  token: () => string | null;
  /** Authenticated: a good moment to catch up on anything missed while disconnected. */
  onReady(): void;
  onPoke(): void;
  onUnauthenticated(): void;
  pingIntervalMs?: number;
}

/**
 * The poke channel: a WebSocket to the central API that says "pull now". Authenticates with
 * the first message, pings to notice a dead connection, reconnects with backoff.
 */
export class PokeClient {
  private socket: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;

  constructor(private readonly opts: PokeClientOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearPing();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.terminate();
    }
  }

  /** Reconnect now rather than at the end of the backoff (the network just came back). */
  reconnectSoon(): void {
    if (this.stopped || this.socket) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    const token = this.opts.token();
    if (!token) return;
    const url = this.opts.baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '') + WS_PATH;
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'auth', token }));
      this.schedulePing(socket);
    });
    socket.on('message', (raw: WebSocket.RawData) => {
      let msg: WsServerMessage;
      try {
        msg = WsServerMessage.parse(JSON.parse(raw.toString()));
      } catch {
        return;
      }
      switch (msg.type) {
        case 'ready':
          this.attempt = 0;
          this.opts.onReady();
          break;
        case 'poke':
          this.opts.onPoke();
          break;
        case 'pong':
          this.awaitingPong = false;
          break;
        case 'error':
          if (msg.code === 'UNAUTHENTICATED') this.opts.onUnauthenticated();
          break;
      }
    });
    socket.on('error', (err) => log.debug({ err: err.message }, 'poke socket error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearPing();
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++, 500, 30_000);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.connect();
      }, delay);
      this.reconnectTimer.unref?.();
    });
  }

  private schedulePing(socket: WebSocket): void {
    this.clearPing();
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        log.info('poke socket missed a pong; reconnecting');
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
    }, this.opts.pingIntervalMs ?? 25_000);
    this.pingTimer.unref?.();
  }

  private clearPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
