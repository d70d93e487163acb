import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { createLogger } from '../logger.js';

const log = createLogger('sms.gateway');

/** `code`: a one-time confirmation code (portal registration, password reset). */
export type SmsKind = 'credentials' | 'schedule' | 'reminder' | 'conclusion' | 'code';

export interface SmsMessage {
  id: string;
  phone: string;
  body: string;
  kind: SmsKind;
  patientId: string | null;
}

/**
 * Where SMS go. `queue` runs inside the caller's transaction (a message exists exactly when the
 * write that caused it commits); `afterCommit` does what may only happen once it has (hand-off
 * to a provider, the local log). The default keeps messages in `sms_outbox`; the HTTP provider
 * gateway (`http-gateway.ts`) writes the same rows and wakes the dispatcher that sends them.
 */
export interface SmsGateway {
  queue(tx: Kysely<Database>, messages: readonly SmsMessage[]): Promise<void>;
  afterCommit(messages: readonly SmsMessage[]): Promise<void>;
}

/** Hides the secret in a credentials text (the word after «пароль») and a one-time code. */
export function maskSecrets(body: string): string {
  return body.replace(/(пароль:?\s*)\S+?(?=[\s.,;]*(\s|$))/giu, '$1••••••••').replace(/(код подтверждения:?\s*)\d+/giu, '$1••••••');
}

export function newSmsId(): string {
  return crypto.randomUUID();
}

/**
 * Writes messages as `queued` rows of `sms_outbox` in the caller's transaction: one function for
 * every gateway, so the outbox and the provider adapters store exactly the same thing.
 */
export async function insertSmsRows(tx: Kysely<Database>, messages: readonly SmsMessage[]): Promise<void> {
  const now = new Date().toISOString();
  const rows = messages.map((m) => ({
    id: m.id,
    phone: m.phone,
    body: m.body,
    status: 'queued',
    attempts: 0,
    provider_message_id: null,
    error: null,
    created_at: now,
    sent_at: null,
    patient_id: m.patientId,
    kind: m.kind,
    next_attempt_at: null,
    delivered_at: null,
    updated_at: now,
  }));
  // Chunks keep each INSERT under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 200) await tx.insertInto('sms_outbox').values(rows.slice(i, i + 200)).execute();
}

/**
 * The outbox gateway: rows in `sms_outbox` (status `queued`) and one JSON line per message in
 * `<dataDir>/sms-outbox.log`, the password masked there (the log is for people and tools, the
 * table keeps the text for the provider).
 */
export class OutboxSmsGateway implements SmsGateway {
  constructor(private readonly dataDir: string) {}

  queue(tx: Kysely<Database>, messages: readonly SmsMessage[]): Promise<void> {
    return insertSmsRows(tx, messages);
  }

  async afterCommit(messages: readonly SmsMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const at = new Date().toISOString();
    const lines = messages.map((m) => JSON.stringify({ at, id: m.id, kind: m.kind, patientId: m.patientId, phone: m.phone, text: maskSecrets(m.body) }) + '\n');
    try {
      await fs.mkdir(this.dataDir, { recursive: true });
      await fs.appendFile(path.join(this.dataDir, 'sms-outbox.log'), lines.join(''), { encoding: 'utf8', mode: 0o600 });
    } catch (err) {
      // The table is the record; a lost log line is not worth failing a committed import over.
      log.warn({ err }, 'could not append to sms-outbox.log');
    }
  }
}
