import { notifications } from '@mantine/notifications';
import { RpcError } from '../../shared/rpc/messages';
import type { Rejection } from '../../shared/rpc/contract';
import { t } from '../i18n';

/**
 * Toasts. RPC errors carry a Russian message that already says what to do next; anything else
 * (a bug) gets a generic line rather than a stack trace.
 */
export function errorMessage(e: unknown): string {
  if (e instanceof RpcError) return e.message;
  return t('common.error');
}

export function notifyError(e: unknown): void {
  notifications.show({
    color: 'red',
    title: t('common.error'),
    message: errorMessage(e),
    autoClose: 8000,
    'data-testid': 'toast-error',
    ...(e instanceof RpcError ? { 'data-code': e.code } : {}),
  });
}

export function notifyRejection(r: Rejection): void {
  notifications.show({
    color: 'orange',
    title: t('sync.rejected.title'),
    message: t('sync.rejected', { summary: r.summary, reason: r.error.message }),
    autoClose: false,
    'data-testid': 'toast-rejected',
  });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 4000, 'data-testid': 'toast-success' });
}
