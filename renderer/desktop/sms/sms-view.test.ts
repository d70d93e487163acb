import { describe, expect, it } from 'vitest';
import { SMS_STATUSES } from '../../../shared/domain/sms';
import { hasMessage } from '../../i18n';
import { canResend, smsKindLabel, smsStatusLabel } from './sms-view';

describe('SMS outbox view', () => {
  it('offers a resend only for credentials out of the queue’s hands', () => {
    const resendable = SMS_STATUSES.filter((status) => canResend({ kind: 'credentials', status }));
    expect(resendable).toEqual(['sent', 'delivered', 'undelivered', 'failed']);
    expect(canResend({ kind: null, status: 'failed' })).toBe(false);
    expect(canResend({ kind: 'other', status: 'failed' })).toBe(false);
  });

  it('has a Russian label for every status and kind', () => {
    expect(SMS_STATUSES.filter((s) => !hasMessage(`sms.status.${s}`))).toEqual([]);
    expect(smsStatusLabel('superseded')).toBe('Заменено новым');
    expect(smsKindLabel('credentials')).toBe('Данные для входа');
    expect(smsKindLabel(null)).toBe('—');
  });
});
