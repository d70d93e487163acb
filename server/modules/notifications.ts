import type { Kysely } from 'kysely';
import type { AppNotification } from '../../shared/domain/notifications.js';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';

// TEMPORARY SCAFFOLD (being implemented by a helper): in-app notifications.
export async function listNotifications(_db: Kysely<Database>, _actor: Actor): Promise<{ items: AppNotification[]; unread: number }> {
  throw new AppError('INTERNAL', 'not built yet');
}
export async function markNotificationsRead(_db: Kysely<Database>, _actor: Actor, _ids: readonly string[]): Promise<void> {
  throw new AppError('INTERNAL', 'not built yet');
}
