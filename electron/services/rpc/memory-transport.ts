import type { ClientTransport } from '../../../shared/rpc/client.js';
import type { EventBus } from './events.js';
import type { Router } from './router.js';

/**
 * The in-memory transport for component and service tests: the same wire messages as IPC and the
 * WebSocket (serialised, so nothing passes by reference), delivered asynchronously.
 */
export function createMemoryTransport(router: Router, bus: EventBus): ClientTransport & { close(): void } {
  const listeners = new Set<(m: string) => void>();
  const deliver = (m: unknown) => {
    const text = JSON.stringify(m);
    queueMicrotask(() => listeners.forEach((l) => l(text)));
  };
  const unsubscribe = bus.subscribe((event, payload) => deliver({ event, payload }));
  return {
    send(message) {
      void router.handleRaw(message).then((answer) => answer && deliver(answer));
    },
    onMessage(listener) {
      listeners.add(listener);
    },
    close: unsubscribe,
  };
}
