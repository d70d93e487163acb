import { z } from 'zod';
import { Id, IsoDateTime } from './ids.js';

/**
 * In-app notifications (the portal's bell, the physician's desktop): scheduling changes,
 * reminders, issued conclusions. The same events also go out by SMS to the patient.
 */
export const NOTIFICATION_KINDS = [
  'consultation.scheduled',
  'consultation.rescheduled',
  'consultation.cancelled',
  'consultation.reminder',
  'conclusion.issued',
] as const;
export const NotificationKind = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const AppNotification = z.object({
  id: Id,
  kind: NotificationKind,
  /** Short Russian text, ready to show. */
  title: z.string(),
  body: z.string(),
  patientId: Id.nullable(),
  requestId: Id.nullable(),
  consultationId: Id.nullable(),
  conclusionId: Id.nullable(),
  createdAt: IsoDateTime,
  readAt: IsoDateTime.nullable(),
});
export type AppNotification = z.infer<typeof AppNotification>;

export const NotificationList = z.object({ items: z.array(AppNotification), unread: z.number().int() });
export const NotificationsReadBody = z.strictObject({ ids: z.array(Id).min(1).max(500) });
