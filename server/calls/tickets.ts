import crypto from 'node:crypto';
import type { CallRole } from '../../shared/call/protocol.js';

/** What a ticket lets its holder do: join one consultation's room, as one participant. */
export interface TicketGrant {
  userId: string;
  role: CallRole;
  consultationId: string;
  patientId: string;
  /** The actor's session: signing out ends what the ticket opened. */
  sessionId: string;
}

/** How long a ticket may wait to be presented: it is fetched right before connecting. */
export const TICKET_TTL_MS = 60_000;

/**
 * One-use tickets for the call socket. The browser WebSocket API cannot send an Authorization
 * header, and the session token should not travel over a second channel (nor reach the desktop
 * renderer at all), so the HTTP route issues a short-lived ticket bound to one consultation and one
 * participant. Kept in memory: a restart invalidates them, and clients fetch a new one.
 */
export class CallTickets {
  private readonly tickets = new Map<string, TicketGrant & { expiresAt: number }>();

  issue(grant: TicketGrant, now = Date.now()): { ticket: string; expiresAt: Date } {
    this.sweep(now);
    const ticket = crypto.randomBytes(32).toString('base64url');
    const expiresAt = now + TICKET_TTL_MS;
    this.tickets.set(ticket, { ...grant, expiresAt });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The grant, once: a ticket presented twice, or late, is refused. */
  redeem(ticket: string, now = Date.now()): TicketGrant | null {
    const grant = this.tickets.get(ticket);
    if (!grant) return null;
    this.tickets.delete(ticket);
    if (grant.expiresAt <= now) return null;
    const { expiresAt: _expiresAt, ...rest } = grant;
    return rest;
  }

  private sweep(now: number): void {
    for (const [k, g] of this.tickets) if (g.expiresAt <= now) this.tickets.delete(k);
  }
}
