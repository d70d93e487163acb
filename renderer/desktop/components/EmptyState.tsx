import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { t } from '../../i18n';

export function EmptyState({ title, body, action, testId }: { title: string; body: string; action?: ReactNode; testId: string }) {
  return (
    <Center py="xl">
      <Paper withBorder p="xl" maw={560} data-testid={testId}>
        <Stack gap="sm" align="flex-start">
          <Title order={2} size="h3">
            {title}
          </Title>
          <Text c="dimmed">{body}</Text>
          {action}
        </Stack>
      </Paper>
    </Center>
  );
}

/** A search that matched nothing. */
export function NothingFound({ q, testId }: { q: string; testId: string }) {
  return <EmptyState testId={testId} title={t('table.search')} body={t('table.nothingFound', { q })} />;
}
