import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import type { BatchStatus } from '../../../shared/domain/referrals';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { NotLoaded } from '../components/ListStatus';
import { batchStatusLabel } from '../labels';
import { useLiveQuery } from '../use-live-query';

const BATCH_COLOR = { sent: 'blue', importing: 'yellow', imported: 'teal', rejected: 'red' } as const satisfies Record<BatchStatus, string>;

/** «Входящие таблицы»: referral tables the physicians sent, newest first, current without a reload. */
export function ManagerBatches() {
  const rpc = useRpc();
  const list = useLiveQuery('batches', () => rpc.call('batches.list'));

  let body;
  if (list.data === undefined) {
    body = <NotLoaded query={list} />;
  } else if (list.data.items.length === 0) {
    body = <EmptyState testId="batches-empty" title={t('batches.empty.title')} body={t('batches.empty.body')} />;
  } else {
    body = (
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="batches-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('batches.col.title')}</Table.Th>
              <Table.Th>{t('batches.col.physician')}</Table.Th>
              <Table.Th>{t('batches.col.fileName')}</Table.Th>
              <Table.Th>{t('batches.col.rows')}</Table.Th>
              <Table.Th>{t('batches.col.status')}</Table.Th>
              <Table.Th>{t('batches.col.receivedAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((b) => (
              <Table.Tr key={b.id} data-testid="batch-row" data-batch-id={b.id} data-title={b.title} data-status={b.status} data-pending={b.pending}>
                <Table.Td>
                  <Text size="sm" fw={500} data-testid="batch-title">
                    {b.title}
                  </Text>
                  {b.pending && (
                    <Badge size="xs" color="orange" variant="light" data-testid="row-pending">
                      {t('table.pending')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td data-testid="batch-physician">{b.physicianName}</Table.Td>
                <Table.Td data-testid="batch-file">{b.fileName ?? t('common.empty')}</Table.Td>
                <Table.Td data-testid="batch-rows">{b.rowCount}</Table.Td>
                <Table.Td>
                  <Badge color={BATCH_COLOR[b.status]} variant="light" data-testid="batch-status">
                    {batchStatusLabel(b.status)}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(b.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('batches.title')}</Title>
      {body}
    </Stack>
  );
}
