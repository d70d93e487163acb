import { Alert, Button, Group, Text } from '@mantine/core';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { errorMessage } from '../notify';

/**
 * What an import screen shows instead of its content when the central API could not answer:
 * no connection (the import runs on the server, so nothing can be shown from this computer) or
 * another error, each with what to do and «Повторить».
 */
export function ImportLoadError({ error, onRetry, onBack }: { error: unknown; onRetry: () => void; onBack?: () => void }) {
  const offline = error instanceof RpcError && error.code === 'SERVER_UNREACHABLE';
  return (
    <Alert
      color={offline ? 'orange' : 'red'}
      title={offline ? t('import.offline.title') : t('import.error.title')}
      role="alert"
      data-testid={offline ? 'import-offline' : 'import-error'}
      data-code={error instanceof RpcError ? error.code : undefined}
    >
      <Text size="sm" mb="sm">
        {errorMessage(error)}
      </Text>
      {offline && (
        <Text size="sm" mb="sm" c="dimmed">
          {t('import.offline.hint')}
        </Text>
      )}
      <Group gap="sm">
        <Button size="xs" variant="light" color={offline ? 'orange' : 'red'} onClick={onRetry} data-testid="import-retry">
          {t('common.retry')}
        </Button>
        {onBack && (
          <Button size="xs" variant="subtle" onClick={onBack}>
            {t('import.backToInbox')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
