import { Badge, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { PATIENT_STAGES, type PatientStage } from '../../../shared/domain/patients';
import { t } from '../../i18n';
import { formatDate, formatInstant } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { FirstLoad, LoadFailed, Shown } from '../components/ListStatus';
import { centreName, profileName, STAGE_COLOR, stageLabel } from '../labels';
import { useLiveQuery } from '../use-live-query';

type Filter = PatientStage | 'all';

/**
 * «Статусы пациентов»: every patient the physician referred, from «отправлен» to the outcome,
 * counted per stage (the counts double as a filter), current without a reload.
 */
export function StatusView() {
  const rpc = useRpc();
  const [filter, setFilter] = useState<Filter>('all');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const list = useLiveQuery(`referral-status:${filter}:${q}`, () =>
    rpc.call('referrals.status', { limit: 500, ...(filter === 'all' ? {} : { stage: filter }), ...(q ? { q } : {}) }),
  );
  // Counts for the cards always over all stages, independent of the filter.
  const all = useLiveQuery(`referral-status-counts:${q}`, () => rpc.call('referrals.status', { limit: 1, ...(q ? { q } : {}) }));
  const counts = all.data?.counts ?? list.data?.counts ?? {};
  const total = Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);

  let body;
  if (list.data === undefined) {
    body = list.error ? <LoadFailed error={list.error} retry={list.reload} /> : <FirstLoad />;
  } else if (list.data.items.length === 0) {
    body = q ? (
      <EmptyState testId="status-nothing-found" title={t('table.search')} body={t('table.nothingFound', { q })} />
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

  const card = (id: Filter, label: string, count: number, color: string) => {
    const selected = filter === id;
    return (
      <UnstyledButton key={id} onClick={() => setFilter(id)} aria-pressed={selected} data-testid={`stage-card-${id}`} data-count={count} h="100%" w="100%">
        <Paper
          withBorder
          p="xs"
          radius="md"
          h="100%"
          style={{
            borderColor: selected ? `var(--mantine-color-${color}-6)` : undefined,
            outline: selected ? `1px solid var(--mantine-color-${color}-6)` : undefined,
            background: selected ? `var(--mantine-color-${color}-0)` : undefined,
          }}
        >
          <Text size="lg" fw={700} c={`${color}.7`} data-testid="stage-card-count">
            {count}
          </Text>
          <Text size="xs">{label}</Text>
        </Paper>
      </UnstyledButton>
    );
  };

  return (
    <Stack gap="md">
      <Title order={2}>{t('status.view.title')}</Title>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 6 }} spacing="xs" role="group" aria-label={t('status.view.filter')} data-testid="stage-cards">
        {card('all', t('stage.all'), total, 'blue')}
        {PATIENT_STAGES.map((s) => card(s, stageLabel(s), counts[s] ?? 0, STAGE_COLOR[s]))}
      </SimpleGrid>
      <TextInput
        label={t('table.search')}
        placeholder={t('status.view.search')}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        type="search"
        maw={420}
        data-testid="status-search"
      />
      {body}
    </Stack>
  );
}
