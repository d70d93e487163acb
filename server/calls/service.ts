import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/connection.js';
import { CallRooms } from './rooms.js';
import { CallTickets } from './tickets.js';

/** The call rooms and the tickets that open them, one pair per central API process. */
export interface CallService {
  rooms: CallRooms;
  tickets: CallTickets;
}

export function createCallService(db: Db): CallService {
  return {
    rooms: new CallRooms((events) => db.kysely.transaction().execute((tx) => appendAudit(tx, events))),
    tickets: new CallTickets(),
  };
}
