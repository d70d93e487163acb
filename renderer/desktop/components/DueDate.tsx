import { Badge, Stack, Text } from '@mantine/core';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';

export function DueDate({ dueAt, overdue }: { dueAt: string; overdue: boolean }) {
  return (
    <Stack gap={2} align="flex-start" data-testid="row-due" data-overdue={overdue}>
      <Text size="sm" c={overdue ? 'red.7' : undefined} fw={overdue ? 600 : undefined} style={{ whiteSpace: 'nowrap' }}>
        {formatDateTime(dueAt)}
      </Text>
      {overdue && (
        <Badge size="xs" color="red" variant="filled">
          {t('table.overdue')}
        </Badge>
      )}
    </Stack>
  );
}
