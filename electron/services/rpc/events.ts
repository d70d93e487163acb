import type { RpcEvent, RpcEventPayload } from '../../../shared/rpc/contract.js';
import { createLogger } from '../logger.js';

const log = createLogger('rpc.events');

export type EventListener = (event: RpcEvent, payload: unknown) => void;

/** Pushes from the services to every connected renderer (one window, or browser tabs). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  /**
   * Never throws: the emitter has usually just committed a change, and a failing listener (a
   * closed window, a bug in one subscriber) must neither undo its answer nor starve the others.
   */
  emit<E extends RpcEvent>(event: E, payload: RpcEventPayload<E>): void {
    for (const l of [...this.listeners]) {
      try {
        l(event, payload);
      } catch (err) {
        log.error({ err, event }, 'event listener failed');
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
