import { Group, Paper, SimpleGrid, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { RequestStatus } from '../../../shared/domain/requests';
import { t } from '../../i18n';
import { useRpc } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { FirstLoad, LoadFailed, Shown } from '../components/ListStatus';
import { PatientTable } from '../components/PatientTable';
import { STATUS_COLOR, STATUS_ORDER, statusLabel } from '../labels';
import { useLiveQuery } from '../use-live-query';

type Filter = RequestStatus | 'all';

function StatusCard({ label, count, color, selected, onSelect, id }: { label: string; count: number; color: string; selected: boolean; onSelect: () => void; id: Filter }) {
  return (
    <UnstyledButton onClick={onSelect} aria-pressed={selected} data-testid={`status-card-${id}`} data-count={count} h="100%" w="100%">
      <Paper
        withBorder
        p="sm"
        radius="md"
        h="100%"
        style={{
          borderColor: selected ? `var(--mantine-color-${color}-6)` : undefined,
          outline: selected ? `1px solid var(--mantine-color-${color}-6)` : undefined,
          background: selected ? `var(--mantine-color-${color}-0)` : undefined,
        }}
      >
        <Text size="xl" fw={700} c={`${color}.7`} data-testid="status-card-count">
          {count}
        </Text>
        <Text size="sm">{label}</Text>
      </Paper>
    </UnstyledButton>
  );
}

/** «Пациенты по статусам»: counts per status that double as a filter for the patient table. */
export function ManagerHome() {
  const rpc = useRpc();
  const [filter, setFilter] = useState<Filter>('all');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const counts = useLiveQuery('counts', () => rpc.call('patients.statusCounts'));
  const list = useLiveQuery(`patients:${filter}:${q}`, () =>
    rpc.call('patients.list', { ...(filter === 'all' ? {} : { status: filter }), ...(q ? { q } : {}) }),
  );

  const countOf = (s: RequestStatus) => counts.data?.[s] ?? 0;
  const total = counts.data ? Object.values(counts.data).reduce((a, b) => a + b, 0) : 0;

  let body;
  if (list.data === undefined) {
    body = list.error ? <LoadFailed error={list.error} retry={list.reload} /> : <FirstLoad />;
  } else if (list.data.items.length === 0) {
    body = q ? (
      <EmptyState testId="patients-nothing-found" title={t('table.search')} body={t('table.nothingFound', { q })} />
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
        <StatusCard id="all" label={t('status.all')} count={total} color="blue" selected={filter === 'all'} onSelect={() => setFilter('all')} />
        {STATUS_ORDER.map((s) => (
          <StatusCard key={s} id={s} label={statusLabel(s)} count={countOf(s)} color={STATUS_COLOR[s]} selected={filter === s} onSelect={() => setFilter(s)} />
        ))}
      </SimpleGrid>
      {counts.error !== null && counts.data === undefined && <LoadFailed error={counts.error} retry={counts.reload} />}
      <Group>
        <TextInput
          label={t('table.search')}
          placeholder={t('table.search.placeholder')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          type="search"
          w={420}
          data-testid="patients-search"
        />
      </Group>
      {body}
    </Stack>
  );
}
