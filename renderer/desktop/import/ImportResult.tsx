import { Badge, Button, Group, Pagination, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { ImportOutcome, ImportStatus } from '../../../shared/domain/batch-import';
import { t } from '../../i18n';
import { OUTCOME_COLOR, OutcomeCounts } from './ImportProgressPanel';

const PAGE = 100;

type OutcomeFilter = 'all' | ImportOutcome;

/** The import's end: the counts, every row's outcome (paged: a batch holds up to 5000) and the report. */
export function ImportResult({ status, labels, onReport, reporting }: { status: ImportStatus; labels: ReadonlyMap<number, string>; onReport: () => void; reporting: boolean }) {
  const [filter, setFilter] = useState<OutcomeFilter>('all');
  const [page, setPage] = useState(1);
  const rows = useMemo(() => [...status.rows].sort((a, b) => a.row - b.row).filter((r) => filter === 'all' || r.outcome === filter), [status.rows, filter]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const shown = rows.slice((Math.min(page, pages) - 1) * PAGE, Math.min(page, pages) * PAGE);

  return (
    <Stack gap="md" data-testid="import-result" data-status={status.status} data-total={status.total} data-done={status.done}>
      <Group justify="space-between" align="flex-end">
        <Title order={3} size="h4">
          {status.status === 'imported' ? t('import.result.done') : t('import.result.partial')}
        </Title>
        <Button onClick={onReport} loading={reporting} data-testid="import-report">
          {t('import.report')}
        </Button>
      </Group>
      <OutcomeCounts progress={status} testPrefix="outcome" />
      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <SegmentedControl
            size="xs"
            value={filter}
            onChange={(v) => {
              setFilter(v as OutcomeFilter);
              setPage(1);
            }}
            data={[
              { value: 'all', label: t('import.result.filter.all') },
              { value: 'created', label: t('import.outcome.created') },
              { value: 'linked', label: t('import.outcome.linked') },
              { value: 'skipped', label: t('import.outcome.skipped') },
              { value: 'rejected', label: t('import.outcome.rejected') },
            ]}
            data-testid="outcome-filter"
            aria-label={t('import.result.filter.label')}
          />
          <Text size="sm" c="dimmed">
            {t('rows.count', { count: rows.length })}
          </Text>
        </Group>
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="outcome-empty">
            {t('import.result.none')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing={4} data-testid="outcome-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('grid.rowNumber')}</Table.Th>
                  {labels.size > 0 && <Table.Th>{t('import.col.patient')}</Table.Th>}
                  <Table.Th>{t('import.col.outcome')}</Table.Th>
                  <Table.Th>{t('import.col.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((r) => (
                  <Table.Tr key={r.row} data-testid="outcome-row" data-row={r.row} data-outcome={r.outcome}>
                    <Table.Td>{r.row}</Table.Td>
                    {labels.size > 0 && <Table.Td>{labels.get(r.row) ?? t('common.empty')}</Table.Td>}
                    <Table.Td>
                      <Badge color={OUTCOME_COLOR[r.outcome]} variant="light">
                        {t(`import.outcome.${r.outcome}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{r.reason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {pages > 1 && <Pagination mt="sm" total={pages} value={Math.min(page, pages)} onChange={setPage} data-testid="outcome-pagination" />}
      </Paper>
    </Stack>
  );
}
