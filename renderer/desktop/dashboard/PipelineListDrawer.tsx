import { Badge, Drawer, Group, Pagination, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { PipelineFilter, PipelineRow, PipelineSummary } from '../../../shared/domain/pipeline';
import { t } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { DueDate } from '../components/DueDate';
import { FirstLoad } from '../components/ListStatus';
import { centreName, profileName, STAGE_COLOR, stageLabel } from '../labels';
import { useLiveQuery } from '../use-live-query';
import { describeFilter, filterToken, LIST_PAGE_SIZE, pageWindow, regionName } from './pipeline-view';
import { ServerFailed } from './ServerState';

export interface ListSelection {
  filter: PipelineFilter;
  /** The number that was clicked: the list's total should match it. */
  count: number;
}

/** The list behind a number or a chart element, in a drawer over the dashboard. */
export function PipelineListDrawer({ selection, summary, onClose }: { selection: ListSelection | null; summary: PipelineSummary | undefined; onClose: () => void }) {
  const title = selection ? describeFilter(selection.filter, summary) : '';
  return (
    <Drawer
      opened={selection !== null}
      onClose={onClose}
      position="right"
      size="min(1100px, 92vw)"
      title={
        <Text fw={700} size="lg" data-testid="pipeline-list-title">
          {title}
        </Text>
      }
      closeButtonProps={{ 'aria-label': t('common.close') }}
      data-testid="pipeline-list-drawer"
    >
      {selection && <PipelineListBody key={filterToken(selection.filter)} filter={selection.filter} summary={summary} />}
    </Drawer>
  );
}

function PipelineListBody({ filter, summary }: { filter: PipelineFilter; summary: PipelineSummary | undefined }) {
  const rpc = useRpc();
  const [page, setPage] = useState(1);
  const token = filterToken(filter);
  const list = useLiveQuery(`pipeline-list:${token}:${page}`, () =>
    rpc.call('pipeline.list', { ...filter, limit: LIST_PAGE_SIZE, offset: (page - 1) * LIST_PAGE_SIZE }),
  );

  if (list.data === undefined) {
    return list.error ? <ServerFailed error={list.error} retry={list.reload} testId="pipeline-list-offline" /> : <FirstLoad />;
  }
  const { items, total } = list.data;
  const w = pageWindow(page, total);
  return (
    <Stack gap="sm" data-testid="pipeline-list" data-filter={token} data-total={total} aria-busy={list.loading}>
      <Group justify="space-between">
        <Text fw={600} data-testid="pipeline-list-total">
          {t('dashboard.list.total', { total })}
        </Text>
        {total > 0 && (
          <Text size="sm" c="dimmed">
            {t('dashboard.list.range', { from: w.from, to: w.to, total })}
          </Text>
        )}
      </Group>
      {list.error !== null && <ServerFailed error={list.error} retry={list.reload} testId="pipeline-list-offline" />}
      {items.length === 0 ? (
        <Text c="dimmed" data-testid="pipeline-list-empty">
          {t('dashboard.list.empty')}
        </Text>
      ) : (
        <RowsTable rows={items} summary={summary} />
      )}
      {w.pages > 1 && (
        <Pagination
          total={w.pages}
          value={page}
          onChange={setPage}
          aria-label={t('dashboard.list.pages')}
          data-testid="pipeline-list-pages"
        />
      )}
    </Stack>
  );
}

function RowsTable({ rows, summary }: { rows: PipelineRow[]; summary: PipelineSummary | undefined }) {
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="pipeline-rows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('table.fullName')}</Table.Th>
            <Table.Th>{t('table.birthDate')}</Table.Th>
            <Table.Th>{t('dashboard.list.region')}</Table.Th>
            <Table.Th>{t('dashboard.list.organization')}</Table.Th>
            <Table.Th>{t('dashboard.list.stage')}</Table.Th>
            <Table.Th>{t('table.centreProfile')}</Table.Th>
            <Table.Th>{t('table.due')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr
              key={`${r.patientId}:${r.requestId ?? ''}`}
              data-testid="pipeline-row"
              data-patient-id={r.patientId}
              data-stage={r.stage}
              data-overdue={r.overdue}
            >
              <Table.Td>
                <Text size="sm" fw={500} data-testid="pipeline-row-name">
                  {r.fullName}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(r.birthDate)}</Table.Td>
              <Table.Td>{r.region ? regionName(r.region, summary) : t('common.empty')}</Table.Td>
              <Table.Td>{r.organization ?? t('common.empty')}</Table.Td>
              <Table.Td>
                <Badge color={STAGE_COLOR[r.stage]} variant="light" style={{ textTransform: 'none' }}>
                  {stageLabel(r.stage)}
                </Badge>
              </Table.Td>
              <Table.Td>
                {r.centre ? (
                  <>
                    <Text size="sm">{centreName(r.centre)}</Text>
                    {r.profile && (
                      <Text size="xs" c="dimmed">
                        {profileName(r.centre, r.profile)}
                      </Text>
                    )}
                  </>
                ) : (
                  <Text size="sm" c="dimmed">
                    {t('dashboard.list.noRequest')}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{r.dueAt ? <DueDate dueAt={r.dueAt} overdue={r.overdue} /> : t('common.empty')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
