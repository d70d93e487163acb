import { Anchor, Badge, Button, Group, Pagination, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { PublicUser } from '../../../shared/domain/users';
import type { QueueRow } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { formatSnils, fullName } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { DueDate } from '../components/DueDate';
import { EmptyState, NothingFound } from '../components/EmptyState';
import { NotLoaded, Shown } from '../components/ListStatus';
import { SearchBox } from '../components/SearchBox';
import { centreName, isOverdue, profileName, sourceLabel, STATUS_COLOR, statusLabel } from '../labels';
import { notifyError, notifySuccess } from '../notify';
import { useLiveQuery } from '../use-live-query';
import { useSearch } from '../use-search';
import { NO_FILTERS, queueInput, type QueueFilterState } from '../doctor/doctor-view';
import { PatientCard } from '../doctor/PatientCard';
import { QueueFilters } from '../doctor/QueueFilters';

const PAGE_SIZE = 100;

function Assignment({ row, user, taking, onTake }: { row: QueueRow; user: PublicUser; taking: boolean; onTake: () => void }) {
  const { request } = row;
  const name = row.patient ? fullName(row.patient) : t('queue.unknownPatient');
  if (request.assignedDoctorId === null) {
    if (user.role === 'doctor' && request.status === 'new') {
      return (
        <Button size="xs" onClick={onTake} loading={taking} aria-label={t('queue.take.aria', { name })} data-testid="take-request">
          {t('queue.take')}
        </Button>
      );
    }
    return null;
  }
  return request.assignedDoctorId === user.id ? (
    <Badge variant="light" color="teal" data-testid="row-assigned" data-mine="true">
      {t('queue.mine')}
    </Badge>
  ) : (
    <Badge variant="light" color="gray" data-testid="row-assigned" data-mine="false">
      {t('queue.others')}
    </Badge>
  );
}

/**
 * «Очередь центра» (doctor: own centre) and «Очередь центров» (manager: all centres, read-only):
 * every request from the three ways in, with due dates; overdue ones stand out.
 */
export function DoctorQueue({ user }: { user: PublicUser }) {
  const [patientId, setPatientId] = useState<string | null>(null);
  // The queue stays mounted under the card, so its filters, search and page survive a visit.
  return (
    <>
      <div hidden={patientId !== null}>
        <QueueList user={user} onOpen={setPatientId} />
      </div>
      {patientId !== null && <PatientCard patientId={patientId} user={user} onBack={() => setPatientId(null)} />}
    </>
  );
}

function QueueList({ user, onOpen }: { user: PublicUser; onOpen: (patientId: string) => void }) {
  const rpc = useRpc();
  const { search, setSearch, q } = useSearch();
  const [filters, setFiltersState] = useState<QueueFilterState>(NO_FILTERS);
  const [page, setPage] = useState(0);
  const [taking, setTaking] = useState<ReadonlySet<string>>(new Set());
  const input = queueInput(filters, q, page, PAGE_SIZE);
  const key = JSON.stringify(input);
  const queue = useLiveQuery(`queue:${key}`, () => rpc.call('requests.queue', input));
  // Unread chat messages per request: one query over the local store (doctors only have a chat).
  const unread = useLiveQuery(`queue-chat-unread:${user.role}`, () => (user.role === 'doctor' ? rpc.call('chat.unread', {}) : Promise.resolve({ total: 0, byRequest: {} as Record<string, number> })));
  const allCentres = user.role !== 'doctor';
  const filtered = q !== '' || key !== JSON.stringify(queueInput(NO_FILTERS, '', page, PAGE_SIZE));
  const now = Date.now();
  const setFilters = (f: QueueFilterState) => {
    setFiltersState(f);
    setPage(0);
  };
  const onSearch = (v: string) => {
    setSearch(v);
    setPage(0);
  };
  const take = (row: QueueRow) => {
    const id = row.request.id;
    setTaking((s) => new Set(s).add(id));
    rpc
      .call('requests.take', { id })
      .then(
        (taken) => {
          notifySuccess(t('queue.taken', { name: taken.patient ? fullName(taken.patient) : t('queue.unknownPatient') }));
          queue.reload();
        },
        notifyError,
      )
      .finally(() =>
        setTaking((s) => {
          const next = new Set(s);
          next.delete(id);
          return next;
        }),
      );
  };

  let body;
  if (queue.data === undefined) {
    body = <NotLoaded query={queue} />;
  } else if (queue.data.items.length === 0) {
    body = q ? (
      <NothingFound testId="queue-nothing-found" q={q} />
    ) : filtered ? (
      <EmptyState testId="queue-nothing-filtered" title={t('doctor.queue.nothingFiltered.title')} body={t('doctor.queue.nothingFiltered.body')} />
    ) : (
      <EmptyState testId="queue-empty" title={allCentres ? t('queue.titleAll') : t('queue.title')} body={t('queue.empty')} />
    );
  } else {
    body = (
      <>
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="queue-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('table.patient')}</Table.Th>
                <Table.Th>{allCentres ? t('table.centreProfile') : t('table.profile')}</Table.Th>
                <Table.Th>{t('table.source')}</Table.Th>
                <Table.Th>{t('table.status')}</Table.Th>
                <Table.Th>{t('table.due')}</Table.Th>
                <Table.Th>{t('table.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {queue.data.items.map((row) => {
                const { request: r } = row;
                const overdue = isOverdue(r.dueAt, r.status, now);
                return (
                  <Table.Tr
                    key={r.id}
                    data-testid="queue-row"
                    data-request-id={r.id}
                    data-status={r.status}
                    data-source={r.source}
                    data-overdue={overdue}
                    data-pending={row.pending}
                    data-patient-id={r.patientId}
                    onClick={(e) => {
                      // The row opens the card; its own buttons (take, the name) act for themselves.
                      if (row.patient && !(e.target as HTMLElement).closest('button, a')) onOpen(r.patientId);
                    }}
                    style={{ cursor: row.patient ? 'pointer' : undefined }}
                  >
                    <Table.Td>
                      <Stack gap={2} align="flex-start">
                        {row.patient ? (
                          <Anchor
                            component="button"
                            type="button"
                            size="sm"
                            fw={500}
                            ta="left"
                            onClick={() => onOpen(r.patientId)}
                            aria-label={t('doctor.queue.openCard.aria', { name: fullName(row.patient) })}
                            data-testid="queue-open-card"
                          >
                            <span data-testid="patient-name">{fullName(row.patient)}</span>
                          </Anchor>
                        ) : (
                          <Text size="sm" fw={500} data-testid="patient-name">
                            {t('queue.unknownPatient')}
                          </Text>
                        )}
                        {row.patient?.snils && (
                          <Text size="xs" c="dimmed">
                            {t('doctor.queue.snils', { snils: formatSnils(row.patient.snils) ?? '' })}
                          </Text>
                        )}
                        {r.urgency === 'urgent' && (
                          <Badge size="xs" color="red" variant="outline">
                            {t('urgency.urgent')}
                          </Badge>
                        )}
                        {(unread.data?.byRequest[r.id] ?? 0) > 0 && (
                          <Badge size="xs" color="red" variant="filled" data-testid="row-chat-unread" data-count={unread.data?.byRequest[r.id]}>
                            {t('chat.tab.unread', { count: unread.data?.byRequest[r.id] ?? 0 })}
                          </Badge>
                        )}
                        {row.pending && (
                          <Badge size="xs" color="orange" variant="light" data-testid="row-pending">
                            {t('table.pending')}
                          </Badge>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      {allCentres && <Text size="sm">{centreName(r.centre)}</Text>}
                      <Text size={allCentres ? 'xs' : 'sm'} c={allCentres ? 'dimmed' : undefined}>
                        {profileName(r.centre, r.profile)}
                      </Text>
                    </Table.Td>
                    <Table.Td data-testid="row-source">{sourceLabel(r.source)}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[r.status]} variant="light" data-testid="row-status">
                        {statusLabel(r.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <DueDate dueAt={r.dueAt} overdue={overdue} />
                    </Table.Td>
                    <Table.Td>
                      <Assignment row={row} user={user} taking={taking.has(r.id)} onTake={() => take(row)} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="space-between" mt="xs">
          <Shown shown={queue.data.items.length} total={queue.data.total} />
          {queue.data.total > PAGE_SIZE && (
            <Pagination
              total={Math.ceil(queue.data.total / PAGE_SIZE)}
              value={page + 1}
              onChange={(p) => setPage(p - 1)}
              size="sm"
              aria-label={t('doctor.queue.pages')}
              data-testid="queue-pages"
            />
          )}
        </Group>
      </>
    );
  }

  return (
    <Stack gap="md">
      <Title order={2}>
        {allCentres ? t('queue.titleAll') : t('queue.title')}
        {!allCentres && user.centre && (
          <Text span c="dimmed" fz="lg" ml="sm">
            {centreName(user.centre)}
          </Text>
        )}
      </Title>
      <SearchBox value={search} onSearch={onSearch} maw={420} testId="queue-search" placeholder={t('doctor.queue.search.placeholder')} />
      <QueueFilters value={filters} onChange={setFilters} centre={allCentres ? null : user.centre} canFilterMine={user.role === 'doctor'} />
      {body}
    </Stack>
  );
}
