import type { Kysely } from 'kysely';
import type { ServerConfig } from '../config.js';
import type { Database } from '../db/schema.js';
import { SmsDispatcher } from './dispatcher.js';
import { OutboxSmsGateway, type SmsGateway } from './gateway.js';
import { HttpSmsGateway } from './http-gateway.js';
import { SmsRuProvider } from './smsru.js';

export interface SmsRuntime {
  gateway: SmsGateway;
  /** Null for the outbox (nothing is sent). Start it with the server, stop it before the database closes. */
  dispatcher: SmsDispatcher | null;
}

/** The gateway the configuration asks for, and the dispatcher that sends through it. */
export function createSmsGateway(config: ServerConfig, db: Kysely<Database>): SmsRuntime {
  const sms = config.sms;
  if (!sms || sms.provider === 'outbox') return { gateway: new OutboxSmsGateway(config.dataDir), dispatcher: null };
  const provider = new SmsRuProvider({ url: sms.url, apiId: sms.apiId, sender: sms.sender, timeoutMs: sms.timeoutMs });
  const dispatcher = new SmsDispatcher(db, provider, { ratePerSecond: sms.ratePerSecond, maxAttempts: sms.maxAttempts });
  return { gateway: new HttpSmsGateway(dispatcher), dispatcher };
}
