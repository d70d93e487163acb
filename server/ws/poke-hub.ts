import type { WebSocket } from 'ws';
import type { Poker } from '../context.js';

/**
 * Tracks which connected sockets belong to which sync audience and tells them to pull. Pokes
 * carry no data (clients pull through the audited, visibility-checked path) and are coalesced
 * per event-loop turn, so a bulk write produces one poke per socket.
 */
export class PokeHub implements Poker {
  private readonly byAudience = new Map<string, Set<WebSocket>>();
  private pending = new Set<string>();
  private scheduled = false;

  add(audience: string, socket: WebSocket): void {
    let set = this.byAudience.get(audience);
    if (!set) this.byAudience.set(audience, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0) this.byAudience.delete(audience);
    });
  }

  poke(audiences: Iterable<string>): void {
    for (const a of audiences) this.pending.add(a);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  get connections(): number {
    let n = 0;
    for (const s of this.byAudience.values()) n += s.size;
    return n;
  }

  closeAll(): void {
    for (const set of this.byAudience.values()) for (const s of set) s.close(1001, 'server shutting down');
  }

  private flush(): void {
    this.scheduled = false;
    const audiences = this.pending;
    this.pending = new Set();
    const message = JSON.stringify({ type: 'poke' });
    for (const a of audiences) {
      for (const socket of this.byAudience.get(a) ?? []) {
        if (socket.readyState === socket.OPEN) socket.send(message);
      }
    }
  }
}
