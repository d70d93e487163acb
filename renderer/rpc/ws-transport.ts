import type { ClientTransport } from '../../shared/rpc/client';
import type { RpcErrorBody } from '../../shared/rpc/messages';
import { t } from '../i18n';

/**
 * Browser mode: the page is served by the local host at http://127.0.0.1:<port>/ and opened with
 * `#token=<hex>`. The token is moved out of the address bar into sessionStorage (a reload still
 * works, the token does not linger in history or screenshots), then `ws://<host>/rpc?token=…`.
 *
 * Unlike IPC the socket can drop (host restarted, laptop slept). Calls made while it is down are
 * queued and sent on reconnect; calls in flight when it drops are answered locally with
 * SERVER_UNREACHABLE, since the services may or may not have seen them. The UI is told about
 * every change of state so it can cover the screen and reload its data when the link is back.
 */

const TOKEN_KEY = 'oblako.hostToken';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open'; reconnected: boolean }
  | { kind: 'lost'; retryAt: number | null; attempt: number };

export interface ReconnectingTransport extends ClientTransport {
  onState(listener: (state: ConnectionState) => void): () => void;
  state(): ConnectionState;
  /** Skips the backoff wait and tries now. */
  retryNow(): void;
}

/** Reads the token from `#token=` (then strips it from the URL) or from this tab's storage. */
export function takeHostToken(): string | null {
  const match = /(?:^#|&)token=([0-9a-fA-F]{16,256})(?:&|$)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    const url = window.location.pathname + window.location.search;
    window.history.replaceState(window.history.state, '', url);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

function unreachable(id: number): string {
  const error: RpcErrorBody = { code: 'SERVER_UNREACHABLE', message: t('conn.lost.title') };
  return JSON.stringify({ id, error });
}

/** The browser-mode host's RPC socket, on the host that served the page. */
export function hostRpcUrl(token: string, host = window.location.host): string {
  return `ws://${host}/rpc?token=${encodeURIComponent(token)}`;
}

export interface WebSocketTransportOptions {
  /** For tests: a stand-in for the browser's WebSocket. */
  WebSocket?: typeof WebSocket;
  backoffMs?: readonly number[];
}

export function createWebSocketTransport(url: string, options: WebSocketTransportOptions = {}): ReconnectingTransport {
  const Socket = options.WebSocket ?? WebSocket;
  const backoff = options.backoffMs ?? BACKOFF_MS;
  const messageListeners = new Set<(m: string) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const queue: string[] = [];
  const inFlight = new Set<number>();
  let socket: WebSocket | null = null;
  let current: ConnectionState = { kind: 'connecting' };
  let attempt = 0;
  let everOpened = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setState = (s: ConnectionState) => {
    current = s;
    for (const l of stateListeners) l(s);
  };
  const deliver = (m: string) => {
    for (const l of messageListeners) l(m);
  };

  const idOf = (message: string): number | null => {
    try {
      const id = (JSON.parse(message) as { id?: unknown }).id;
      return typeof id === 'number' ? id : null;
    } catch {
      return null;
    }
  };

  const connect = () => {
    timer = null;
    const ws = new Socket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      const reconnected = everOpened;
      everOpened = true;
      for (const m of queue.splice(0)) {
        const id = idOf(m);
        if (id !== null) inFlight.add(id);
        ws.send(m);
      }
      setState({ kind: 'open', reconnected });
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      const id = idOf(e.data);
      if (id !== null) inFlight.delete(id);
      deliver(e.data);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      for (const id of inFlight) deliver(unreachable(id));
      inFlight.clear();
      const delay = backoff[Math.min(attempt, backoff.length - 1)] ?? 15000;
      attempt++;
      setState({ kind: 'lost', retryAt: Date.now() + delay, attempt });
      timer = setTimeout(connect, delay);
    };
    // onerror is always followed by onclose, which does the work.
  };

  connect();

  return {
    send(message) {
      if (socket && socket.readyState === 1 /* OPEN */) {
        const id = idOf(message);
        if (id !== null) inFlight.add(id);
        socket.send(message);
      } else {
        queue.push(message);
      }
    },
    onMessage(listener) {
      messageListeners.add(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    state: () => current,
    retryNow() {
      if (current.kind !== 'lost' || timer === null) return;
      clearTimeout(timer);
      setState({ kind: 'lost', retryAt: null, attempt });
      connect();
    },
  };
}
