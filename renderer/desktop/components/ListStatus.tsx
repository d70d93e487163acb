import { Alert, Button, Center, Loader, Text } from '@mantine/core';
import { t } from '../../i18n';
import { errorMessage } from '../notify';
import type { LiveQuery } from '../use-live-query';

/** What a list shows besides rows: the first load, a failed load, the "N of M" footer. */
export function FirstLoad() {
  return (
    <Center py="xl">
      <Loader size="sm" aria-label={t('app.loading')} />
    </Center>
  );
}

export function LoadFailed({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <Alert color="red" title={t('table.loadFailed')} role="alert" data-testid="list-error">
      <Text size="sm" mb="xs">
        {errorMessage(error)}
      </Text>
      <Button size="xs" variant="light" color="red" onClick={retry}>
        {t('common.retry')}
      </Button>
    </Alert>
  );
}

/** A list with no data yet: the error with a retry if its last load failed, else the first load. */
export function NotLoaded({ query }: { query: Pick<LiveQuery<unknown>, 'error' | 'reload'> }) {
  return query.error ? <LoadFailed error={query.error} retry={query.reload} /> : <FirstLoad />;
}

export function Shown({ shown, total }: { shown: number; total: number }) {
  if (shown >= total) return null;
  return (
    <Text size="sm" c="dimmed" mt="xs" data-testid="list-shown">
      {t('table.shown', { shown, total })}
    </Text>
  );
}
