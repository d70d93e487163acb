import '@mantine/charts/styles.css';
import { Button, Group, Paper, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { PIPELINE_TREND_DAYS, type PipelineFilter, type PipelineSummary } from '../../../shared/domain/pipeline';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { FirstLoad } from '../components/ListStatus';
import { useLiveQuery } from '../use-live-query';
import { ChartPanel } from './ChartPanel';
import { PipelineListDrawer, type ListSelection } from './PipelineListDrawer';
import { centreItems, describeFilter, filterToken, organizationItems, regionItems, stageItems, trendItems, type ChartItem } from './pipeline-view';
import { ServerFailed, StaleNotice } from './ServerState';

/**
 * «Воронка программы», the manager's home: how many patients, where they are in the pipeline,
 * from where, to which centre; requests per day and how many are overdue. Every number and
 * every bar opens the list behind it. The figures come from the server (online only) and
 * refresh on every sync push and reconnect.
 */
export function PipelineDashboard() {
  const rpc = useRpc();
  const summary = useLiveQuery('pipeline-summary', () => rpc.call('pipeline.summary'));
  const [selection, setSelection] = useState<ListSelection | null>(null);
  const open = (filter: PipelineFilter, count: number) => setSelection({ filter, count });

  const data = summary.data;
  let body;
  if (data === undefined) {
    body = summary.error ? <ServerFailed error={summary.error} retry={summary.reload} testId="pipeline-offline" /> : <FirstLoad />;
  } else if (data.totalPatients === 0 && data.totalRequests === 0) {
    body = <EmptyState testId="pipeline-empty" title={t('dashboard.empty.title')} body={t('dashboard.empty.body')} />;
  } else {
    body = <Figures summary={data} onOpen={open} />;
  }

  return (
    <Stack gap="md" data-testid="pipeline-dashboard">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>{t('dashboard.title')}</Title>
          {data && (
            <Text size="sm" c="dimmed" data-testid="pipeline-generated-at">
              {t('dashboard.generatedAt', { time: formatDateTime(data.generatedAt) })}
            </Text>
          )}
        </div>
        <Button variant="light" onClick={summary.reload} loading={summary.loading && data !== undefined} data-testid="pipeline-refresh">
          {t('dashboard.refresh')}
        </Button>
      </Group>
      {data !== undefined && summary.error !== null && (
        <StaleNotice error={summary.error} at={data.generatedAt} retry={summary.reload} testId="pipeline-stale" />
      )}
      {body}
      <PipelineListDrawer selection={selection} summary={data} onClose={() => setSelection(null)} />
    </Stack>
  );
}

function Figures({ summary, onOpen }: { summary: PipelineSummary; onOpen: (filter: PipelineFilter, count: number) => void }) {
  const openItem = (i: ChartItem) => onOpen(i.filter, i.count);
  const trend = trendItems(summary);
  const trendDays = trend.filter((d) => d.count > 0);
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" data-testid="pipeline-cards">
        <NumberCard
          id="patients"
          label={t('dashboard.card.patients')}
          count={summary.totalPatients}
          color="blue"
          filter={{}}
          onOpen={onOpen}
        />
        <NumberCard id="requests" label={t('dashboard.card.requests')} count={summary.totalRequests} color="gray" filter={{ requests: true }} onOpen={onOpen} />
        <NumberCard
          id="overdue"
          label={t('dashboard.card.overdue')}
          count={summary.overdue}
          color={summary.overdue > 0 ? 'red' : 'gray'}
          filter={{ overdue: true }}
          onOpen={onOpen}
        />
      </SimpleGrid>
      <ChartPanel chart="stages" title={t('dashboard.chart.stages')} description={t('dashboard.chart.hint')} items={stageItems(summary)} seriesLabel={t('dashboard.series.patients')} onOpen={openItem} />
      <ChartPanel
        chart="trend"
        kind="area"
        title={t('dashboard.chart.trend')}
        description={t('dashboard.chart.trendDays', { days: PIPELINE_TREND_DAYS })}
        items={trend}
        listItems={trendDays}
        listNote={trendDays.length === 0 ? t('dashboard.chart.noDays') : t('dashboard.chart.daysShown')}
        seriesLabel={t('dashboard.series.requests')}
        onOpen={openItem}
      />
      <ChartPanel chart="centres" title={t('dashboard.chart.centres')} items={centreItems(summary)} seriesLabel={t('dashboard.series.patients')} onOpen={openItem} />
      <ChartPanel chart="regions" title={t('dashboard.chart.regions')} items={regionItems(summary)} seriesLabel={t('dashboard.series.patients')} onOpen={openItem} />
      <ChartPanel
        chart="organizations"
        title={t('dashboard.chart.organizations')}
        items={organizationItems(summary)}
        seriesLabel={t('dashboard.series.patients')}
        onOpen={openItem}
      />
    </>
  );
}

function NumberCard({
  id,
  label,
  count,
  color,
  filter,
  onOpen,
}: {
  id: 'patients' | 'requests' | 'overdue';
  label: string;
  count: number;
  color: string;
  /** The list behind the number; none for a number without one. */
  filter?: PipelineFilter;
  onOpen?: (filter: PipelineFilter, count: number) => void;
}) {
  const content = (
    <Paper withBorder p="md" radius="md" h="100%" style={{ borderColor: color === 'red' ? 'var(--mantine-color-red-6)' : undefined }}>
      <Text size="2rem" fw={700} c={`${color}.7`} lh={1.1} data-testid="pipeline-card-count">
        {count}
      </Text>
      <Text size="sm">{label}</Text>
    </Paper>
  );
  if (!filter || !onOpen) {
    return (
      <div data-testid={`pipeline-card-${id}`} data-count={count}>
        {content}
      </div>
    );
  }
  return (
    <UnstyledButton
      onClick={() => onOpen(filter, count)}
      data-testid={`pipeline-card-${id}`}
      data-count={count}
      data-filter={filterToken(filter)}
      aria-label={t('dashboard.card.open', { label: describeFilter(filter), count })}
      h="100%"
      w="100%"
    >
      {content}
    </UnstyledButton>
  );
}
