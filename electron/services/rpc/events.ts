import type { RpcEvent, RpcEventPayload } from '../../../shared/rpc/contract.js';

export type EventListener = (event: RpcEvent, payload: unknown) => void;

/** Pushes from the services to every connected renderer (one window, or browser tabs). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends RpcEvent>(event: E, payload: RpcEventPayload<E>): void {
    for (const l of this.listeners) l(event, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
