import { SMS_STATUSES, type SmsOutboxItem, type SmsStatus } from '../../../shared/domain/sms';
import { t } from '../../i18n';

export const SMS_PAGE_SIZE = 50;

export { SMS_STATUSES };

export const SMS_STATUS_COLOR = {
  queued: 'gray',
  sending: 'blue',
  sent: 'cyan',
  delivered: 'green',
  undelivered: 'orange',
  failed: 'red',
  superseded: 'dark',
} as const satisfies Record<SmsStatus, string>;

export const smsStatusLabel = (s: SmsStatus) => t(`sms.status.${s}`);

export function smsKindLabel(kind: string | null): string {
  if (kind === 'credentials') return t('sms.kind.credentials');
  return kind ? t('sms.kind.other') : t('common.empty');
}

/** Statuses after which a resend makes sense: the message is out of the queue's hands. */
const RESENDABLE: readonly SmsStatus[] = ['failed', 'undelivered', 'sent', 'delivered'];

/**
 * Only credentials are resent (with a fresh one-time password); queued or sending ones are still
 * on their way, superseded ones already have a successor.
 */
export function canResend(item: Pick<SmsOutboxItem, 'kind' | 'status'>): boolean {
  return item.kind === 'credentials' && RESENDABLE.includes(item.status);
}
