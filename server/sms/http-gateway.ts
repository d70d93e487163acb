import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SmsDispatcher } from './dispatcher.js';
import { insertSmsRows, type SmsGateway, type SmsMessage } from './gateway.js';

/**
 * The gateway for a real provider: rows are written in the caller's transaction exactly like the
 * outbox's, and once the transaction commits the dispatcher is woken to send them (it also finds
 * them on its own next pass, so a lost wake delays a message, never loses it). The dispatcher
 * masks the stored password once the provider has accepted the message.
 */
export class HttpSmsGateway implements SmsGateway {
  constructor(private readonly dispatcher: Pick<SmsDispatcher, 'wake'>) {}

  queue(tx: Kysely<Database>, messages: readonly SmsMessage[]): Promise<void> {
    return insertSmsRows(tx, messages);
  }

  async afterCommit(messages: readonly SmsMessage[]): Promise<void> {
    if (messages.length > 0) this.dispatcher.wake();
  }
}
