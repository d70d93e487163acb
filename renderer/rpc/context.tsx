import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { RpcClient } from '../../shared/rpc/client';
import type { RpcEvent, RpcEventPayload } from '../../shared/rpc/contract';
import type { Connection } from './connection';
import type { ConnectionState } from './ws-transport';

const ConnectionContext = createContext<Connection | null>(null);

export function RpcProvider({ connection, children }: { connection: Connection; children: ReactNode }) {
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}

function useConnection(): Connection {
  const c = useContext(ConnectionContext);
  if (!c) throw new Error('useRpc outside RpcProvider');
  return c;
}

export function useRpc(): RpcClient {
  return useConnection().client;
}

export function useConnectionState(): ConnectionState {
  const c = useConnection();
  return useSyncExternalStore(c.onState, c.state);
}

export function useRetryNow(): () => void {
  return useConnection().retryNow;
}

/** Subscribes to a pushed event for the component's lifetime; the latest listener is always used. */
export function useRpcEvent<E extends RpcEvent>(event: E, listener: (payload: RpcEventPayload<E>) => void): void {
  const client = useRpc();
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(() => client.on(event, (p) => ref.current(p)), [client, event]);
}

/** Calls `listener` each time the connection comes back after a loss (state must be reloaded). */
export function useReconnected(listener: () => void): void {
  const c = useConnection();
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(
    () =>
      c.onState((s) => {
        if (s.kind === 'open' && s.reconnected) ref.current();
      }),
    [c],
  );
}
