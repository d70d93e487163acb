import { Badge, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { PATIENT_STAGES, type PatientStage } from '../../../shared/domain/patients';
import { t } from '../../i18n';
import { formatDate, formatInstant } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { EmptyState, NothingFound } from '../components/EmptyState';
import { FilterCard } from '../components/FilterCard';
import { NotLoaded, Shown } from '../components/ListStatus';
import { SearchBox } from '../components/SearchBox';
import { centreName, profileName, STAGE_COLOR, stageLabel } from '../labels';
import { useLiveQuery } from '../use-live-query';
import { useSearch } from '../use-search';

type Filter = PatientStage | 'all';

/**
 * «Статусы пациентов»: every patient the physician referred, from «отправлен» to the outcome,
 * counted per stage (the counts double as a filter), current without a reload.
 */
export function StatusView() {
  const rpc = useRpc();
  const [filter, setFilter] = useState<Filter>('all');
  const { search, setSearch, q } = useSearch();
  const list = useLiveQuery(`referral-status:${filter}:${q}`, () =>
    rpc.call('referrals.status', { limit: 500, ...(filter === 'all' ? {} : { stage: filter }), ...(q ? { q } : {}) }),
  );
  // Counts for the cards always over all stages, independent of the filter.
  const all = useLiveQuery(`referral-status-counts:${q}`, () => rpc.call('referrals.status', { limit: 1, ...(q ? { q } : {}) }));
  const counts = all.data?.counts ?? list.data?.counts ?? {};
  const total = Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);

  let body;
  if (list.data === undefined) {
    body = <NotLoaded query={list} />;
  } else if (list.data.items.length === 0) {
    body = q ? (
      <NothingFound testId="status-nothing-found" q={q} />
    ) : (
      <EmptyState testId="status-empty" title={t('status.view.title')} body={filter === 'all' ? t('status.view.empty') : t('status.view.emptyStage')} />
    );
  } else {
    body = (
      <>
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="status-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('status.view.col.fullName')}</Table.Th>
                <Table.Th>{t('status.view.col.birthDate')}</Table.Th>
                <Table.Th>{t('status.view.col.centreProfile')}</Table.Th>
                <Table.Th>{t('status.view.col.stage')}</Table.Th>
                <Table.Th>{t('status.view.col.updated')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((r) => (
                <Table.Tr key={r.key} data-testid="status-row" data-stage={r.stage} data-patient-id={r.patientId ?? ''} data-batch-id={r.batchId ?? ''}>
                  <Table.Td>
                    <Text size="sm" fw={500} data-testid="status-name">
                      {r.fullName}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.birthDate ? formatDate(r.birthDate) : t('common.empty')}</Table.Td>
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
                      t('common.empty')
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STAGE_COLOR[r.stage]} variant="light" data-testid="status-stage">
                      {stageLabel(r.stage)}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatInstant(r.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Shown shown={list.data.items.length} total={list.data.total} />
      </>
    );
  }

  const card = (id: Filter, label: string, count: number, color: string) => (
    <FilterCard
      key={id}
      testId={`stage-card-${id}`}
      countTestId="stage-card-count"
      label={label}
      count={count}
      color={color}
      selected={filter === id}
      onSelect={() => setFilter(id)}
      compact
    />
  );

  return (
    <Stack gap="md">
      <Title order={2}>{t('status.view.title')}</Title>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 6 }} spacing="xs" role="group" aria-label={t('status.view.filter')} data-testid="stage-cards">
        {card('all', t('stage.all'), total, 'blue')}
        {PATIENT_STAGES.map((s) => card(s, stageLabel(s), counts[s] ?? 0, STAGE_COLOR[s]))}
      </SimpleGrid>
      <SearchBox value={search} onSearch={setSearch} placeholder={t('status.view.search')} maw={420} testId="status-search" />
      {body}
    </Stack>
  );
}
