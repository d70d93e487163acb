import type { ClientTransport } from '../../shared/rpc/client';

/** What the Electron preload exposes with contextBridge (electron/preload). */
export interface OblakoBridge {
  send(message: string): void;
  onMessage(listener: (message: string) => void): () => void;
}

declare global {
  interface Window {
    oblako?: OblakoBridge;
  }
}

export function electronBridge(): OblakoBridge | null {
  return typeof window !== 'undefined' && window.oblako ? window.oblako : null;
}

/** The production transport: IPC through the preload. It never drops, so there is no reconnect. */
export function createElectronTransport(bridge: OblakoBridge): ClientTransport {
  return {
    send: (message) => bridge.send(message),
    onMessage: (listener) => {
      bridge.onMessage(listener);
    },
  };
}
