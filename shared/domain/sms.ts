import { z } from 'zod';
import { Id, IsoDateTime } from './ids.js';

/**
 * The SMS queue as the manager sees it. Statuses:
 * - `queued`: waiting to be handed to the provider (or kept in the outbox when there is none);
 * - `sending`: handed over, no answer yet (a crash here is retried: the provider dedupes nothing,
 *   so the dispatcher marks a row `sending` before the call and treats a stale `sending` as failed);
 * - `sent`: the provider accepted it (`providerMessageId`);
 * - `delivered` / `undelivered`: the provider's delivery report;
 * - `failed`: given up after the retries (the reason in `error`); the manager can resend;
 * - `superseded`: replaced by a resend (its one-time password no longer works).
 */
export const SMS_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'superseded'] as const;
export const SmsStatus = z.enum(SMS_STATUSES);
export type SmsStatus = z.infer<typeof SmsStatus>;

/**
 * One queued SMS. `text` carries the message only on a server in demo mode (`--demo`), so the
 * end-to-end tests can read the one-time credentials; elsewhere the password is masked.
 */
export const SmsOutboxItem = z.object({
  id: Id,
  phone: z.string(),
  patientId: Id.nullable(),
  kind: z.string().nullable(),
  status: SmsStatus,
  attempts: z.number().int(),
  error: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  createdAt: IsoDateTime,
  sentAt: IsoDateTime.nullable(),
  deliveredAt: IsoDateTime.nullable(),
  text: z.string(),
  masked: z.boolean(),
});
export type SmsOutboxItem = z.infer<typeof SmsOutboxItem>;

export const SmsOutboxList = z.object({ items: z.array(SmsOutboxItem), total: z.number().int() });
export type SmsOutboxList = z.infer<typeof SmsOutboxList>;

export const SmsOutboxQuery = z.strictObject({
  status: SmsStatus.optional(),
  patientId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
