import { RpcClient } from '../../shared/rpc/client';
import { createElectronTransport, electronBridge } from './electron-transport';
import { createWebSocketTransport, hostRpcUrl, takeHostToken, type ConnectionState, type ReconnectingTransport } from './ws-transport';

/**
 * Picks the transport for where the renderer runs: the Electron preload bridge when present,
 * otherwise the browser-mode host's WebSocket. Either way the UI gets one RpcClient and a
 * connection state (always `open` under Electron, where IPC cannot drop).
 */
export interface Connection {
  client: RpcClient;
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
  retryNow(): void;
}

export type ConnectResult = { ok: true; connection: Connection } | { ok: false; reason: 'no_token' };

const always: ConnectionState = { kind: 'open', reconnected: false };

export function connect(): ConnectResult {
  const bridge = electronBridge();
  if (bridge) {
    const client = new RpcClient(createElectronTransport(bridge));
    return { ok: true, connection: { client, state: () => always, onState: () => () => undefined, retryNow: () => undefined } };
  }
  const token = takeHostToken();
  if (!token) return { ok: false, reason: 'no_token' };
  const transport: ReconnectingTransport = createWebSocketTransport(hostRpcUrl(token));
  const client = new RpcClient(transport);
  return {
    ok: true,
    connection: {
      client,
      state: () => transport.state(),
      onState: (l) => transport.onState(l),
      retryNow: () => transport.retryNow(),
    },
  };
}
