import type { RpcErrorBody, RpcServerMessage } from './messages.js';
import { RpcError } from './messages.js';
import type { RpcEvent, RpcEventPayload, RpcInput, RpcMethod, RpcOutput } from './contract.js';

/**
 * The renderer's side of the RPC: typed calls and event subscriptions over any transport that
 * moves the wire messages of messages.ts. Environment-free, so the renderer, the in-memory
 * component tests and Node-side tests share it.
 */
export interface ClientTransport {
  send(message: string): void;
  /** Called with every message from the services (answers and events). */
  onMessage(listener: (message: string) => void): void;
  /** Called once when the transport is gone for good (host stopped, window closing). */
  onClose?(listener: (reason: string) => void): void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private closed: string | null = null;

  constructor(private readonly transport: ClientTransport) {
    transport.onMessage((raw) => this.receive(raw));
    transport.onClose?.((reason) => this.close(reason));
  }

  call<M extends RpcMethod>(method: M, ...args: Record<never, never> extends RpcInput<M> ? [params?: RpcInput<M>] : [params: RpcInput<M>]): Promise<RpcOutput<M>> {
    if (this.closed !== null) {
      return Promise.reject(new RpcError('SERVER_UNREACHABLE', 'Связь со службами приложения потеряна. Перезапустите приложение.'));
    }
    const id = this.nextId++;
    return new Promise<RpcOutput<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.transport.send(JSON.stringify({ id, method, params: args[0] ?? {} }));
    });
  }

  on<E extends RpcEvent>(event: E, listener: (payload: RpcEventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  private receive(raw: string): void {
    let msg: RpcServerMessage;
    try {
      msg = JSON.parse(raw) as RpcServerMessage;
    } catch {
      return; // a transport never sends non-JSON; nothing sensible to do with it
    }
    if ('event' in msg) {
      for (const l of this.listeners.get(msg.event) ?? []) l(msg.payload);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if ('error' in msg) {
      const e: RpcErrorBody = msg.error;
      p.reject(new RpcError(e.code, e.message, e.issues));
    } else {
      p.resolve(msg.result);
    }
  }

  private close(reason: string): void {
    this.closed = reason;
    for (const p of this.pending.values()) {
      p.reject(new RpcError('SERVER_UNREACHABLE', 'Связь со службами приложения потеряна. Перезапустите приложение.'));
    }
    this.pending.clear();
  }
}
