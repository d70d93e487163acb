import { Alert, Button, Text } from '@mantine/core';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { LoadFailed } from '../components/ListStatus';

export function isOffline(error: unknown): boolean {
  return error instanceof RpcError && error.code === 'SERVER_UNREACHABLE';
}

/**
 * The dashboard and the SMS queue read straight from the server: offline there is nothing to
 * show, so the screen says so plainly and offers a retry (reconnecting retries by itself too).
 */
export function ServerFailed({ error, retry, testId }: { error: unknown; retry: () => void; testId: string }) {
  if (!isOffline(error)) return <LoadFailed error={error} retry={retry} />;
  return (
    <Alert color="orange" title={t('dashboard.offline.title')} role="alert" data-testid={testId}>
      <Text size="sm" mb="xs">
        {(error as RpcError).message}
      </Text>
      <Button size="xs" variant="light" color="orange" onClick={retry} data-testid={`${testId}-retry`}>
        {t('common.retry')}
      </Button>
    </Alert>
  );
}

/** A refresh that failed while older figures are on screen: they stay, marked as of when. */
export function StaleNotice({ error, at, retry, testId }: { error: unknown; at: string; retry: () => void; testId: string }) {
  if (!isOffline(error)) return <LoadFailed error={error} retry={retry} />;
  return (
    <Alert color="orange" title={t('dashboard.offline.title')} role="status" data-testid={testId}>
      <Text size="sm" mb="xs">
        {t('dashboard.offline.stale', { time: formatDateTime(at) })}
      </Text>
      <Button size="xs" variant="light" color="orange" onClick={retry} data-testid={`${testId}-retry`}>
        {t('common.retry')}
      </Button>
    </Alert>
  );
}
