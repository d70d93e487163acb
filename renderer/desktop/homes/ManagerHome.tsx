import { Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import type { RequestStatus } from '../../../shared/domain/requests';
import { t } from '../../i18n';
import { useRpc } from '../../rpc/context';
import { EmptyState, NothingFound } from '../components/EmptyState';
import { FilterCard } from '../components/FilterCard';
import { LoadFailed, NotLoaded, Shown } from '../components/ListStatus';
import { PatientTable } from '../components/PatientTable';
import { SearchBox } from '../components/SearchBox';
import { STATUS_COLOR, STATUS_ORDER, statusLabel } from '../labels';
import { useLiveQuery } from '../use-live-query';
import { useSearch } from '../use-search';

type Filter = RequestStatus | 'all';

/** «Пациенты по статусам»: counts per status that double as a filter for the patient table. */
export function ManagerHome() {
  const rpc = useRpc();
  const [filter, setFilter] = useState<Filter>('all');
  const { search, setSearch, q } = useSearch();
  const counts = useLiveQuery('counts', () => rpc.call('patients.statusCounts'));
  const list = useLiveQuery(`patients:${filter}:${q}`, () =>
    rpc.call('patients.list', { ...(filter === 'all' ? {} : { status: filter }), ...(q ? { q } : {}) }),
  );

  const countOf = (s: RequestStatus) => counts.data?.[s] ?? 0;
  const total = counts.data ? Object.values(counts.data).reduce((a, b) => a + b, 0) : 0;

  const card = (id: Filter, label: string, count: number, color: string) => (
    <FilterCard
      key={id}
      testId={`status-card-${id}`}
      countTestId="status-card-count"
      label={label}
      count={count}
      color={color}
      selected={filter === id}
      onSelect={() => setFilter(id)}
    />
  );

  let body;
  if (list.data === undefined) {
    body = <NotLoaded query={list} />;
  } else if (list.data.items.length === 0) {
    body = q ? (
      <NothingFound testId="patients-nothing-found" q={q} />
    ) : (
      <EmptyState testId="patients-empty" title={t('manager.title')} body={filter === 'all' ? t('manager.emptyAll') : t('manager.empty')} />
    );
  } else {
    body = (
      <>
        <PatientTable rows={list.data.items} testId="patients-table" />
        <Shown shown={list.data.items.length} total={list.data.total} />
      </>
    );
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('manager.title')}</Title>
      <SimpleGrid cols={{ base: 2, sm: 4, xl: 8 }} spacing="sm" role="group" aria-label={t('manager.filter')} data-testid="status-cards">
        {card('all', t('status.all'), total, 'blue')}
        {STATUS_ORDER.map((s) => card(s, statusLabel(s), countOf(s), STATUS_COLOR[s]))}
      </SimpleGrid>
      {counts.error !== null && counts.data === undefined && <LoadFailed error={counts.error} retry={counts.reload} />}
      <Group>
        <SearchBox value={search} onSearch={setSearch} w={420} testId="patients-search" />
      </Group>
      {body}
    </Stack>
  );
}
