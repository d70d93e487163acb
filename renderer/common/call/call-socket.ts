import { CALL_CLOSE, CALL_WS_PATH, CallServerMessage, type CallClientMessage, type CallTicket } from '../../../shared/call/protocol';

/**
 * The call's signalling connection to the central API. Each connection presents a fresh one-use
 * ticket (fetched by the host app: the portal with its session, the desktop through its
 * services), so a reconnect after a dropped link is simply: new ticket, new socket, join again.
 * Pings every few seconds notice a dead link long before TCP would.
 */

export type SocketState = 'connecting' | 'open' | 'closed';

export interface CallSocketOptions {
  /** A fresh ticket and the central API's origin to present it to (the portal: its own). */
  getTicket(): Promise<{ ticket: CallTicket; serverUrl: string }>;
  onTicket(ticket: CallTicket): void;
  onMessage(message: CallServerMessage): void;
  onState(state: SocketState): void;
  /** The server will not take us back (ended, or the ticket cannot be had): stop trying. */
  onFatal(error: { code: string; message: string }): void;
  pingMs?: number;
}

const RECONNECT_MAX_MS = 8_000;

export class CallSocket {
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private awaitingPong = 0;

  constructor(private readonly opts: CallSocketOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  send(message: CallClientMessage): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Drops the current connection and connects again now (the network just came back). */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.ws?.close();
    if (!this.ws) void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.clearPing();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'leave' } satisfies CallClientMessage));
      ws.close(1000, 'left');
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.opts.onState('connecting');
    let ticket: CallTicket;
    let serverUrl: string;
    try {
      ({ ticket, serverUrl } = await this.opts.getTicket());
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // The room is closed to us (not open, not ours): no point retrying. Anything else (the
      // network) is retried like a dropped socket.
      if (e.code && ['NOT_FOUND', 'FORBIDDEN', 'CALL_NOT_OPEN', 'UNAUTHENTICATED', 'NOT_SIGNED_IN'].includes(e.code)) {
        this.stopped = true;
        this.opts.onFatal({ code: e.code, message: e.message ?? '' });
        return;
      }
      this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    this.opts.onTicket(ticket);
    const url = serverUrl.replace(/^http/, 'ws').replace(/\/+$/, '') + CALL_WS_PATH;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'join', ticket: ticket.ticket } satisfies CallClientMessage));
      this.startPing(ws);
    };
    ws.onmessage = (ev) => {
      this.awaitingPong = 0;
      let msg: CallServerMessage;
      try {
        msg = CallServerMessage.parse(JSON.parse(String(ev.data)));
      } catch {
        return;
      }
      if (msg.type === 'joined') {
        this.attempt = 0;
        this.opts.onState('open');
      }
      if (msg.type === 'pong') return;
      if (msg.type === 'error' && msg.code !== 'VALIDATION_FAILED' && msg.code !== 'FORBIDDEN' && msg.code !== 'INTERNAL' && msg.code !== 'UNAUTHENTICATED') {
        this.stopped = true;
        this.opts.onFatal({ code: msg.code, message: msg.message });
      }
      this.opts.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearPing();
      this.opts.onState('closed');
      if (ev.code === CALL_CLOSE.ended || ev.code === CALL_CLOSE.replaced) {
        this.stopped = true;
        return;
      }
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = Math.min(RECONNECT_MAX_MS, 300 * 2 ** this.attempt++) * (0.75 + Math.random() * 0.5);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private startPing(ws: WebSocket): void {
    this.clearPing();
    this.awaitingPong = 0;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong >= 2) {
        // Two pings unanswered: the link is gone even if the socket does not know it yet.
        ws.close();
        if (this.ws === ws) {
          this.ws = null;
          this.clearPing();
          this.opts.onState('closed');
          this.scheduleRetry();
        }
        return;
      }
      this.awaitingPong += 1;
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' } satisfies CallClientMessage));
    }, this.opts.pingMs ?? 3_000);
  }

  private clearPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
