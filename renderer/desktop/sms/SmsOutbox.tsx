import { Badge, Button, Group, Modal, Pagination, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { SmsOutboxItem, SmsStatus } from '../../../shared/domain/sms';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { FirstLoad } from '../components/ListStatus';
import { notifyError, notifySuccess } from '../notify';
import { useLiveQuery } from '../use-live-query';
import { pageWindow } from '../dashboard/pipeline-view';
import { ServerFailed } from '../dashboard/ServerState';
import { canResend, SMS_PAGE_SIZE, SMS_STATUS_COLOR, SMS_STATUSES, smsKindLabel, smsStatusLabel } from './sms-view';

type Filter = SmsStatus | 'all';

/**
 * «Очередь SMS»: what the server sent patients (or still holds), with delivery status and errors.
 * Credentials can be resent: a new one-time password replaces the old one. Online only.
 */
export function SmsOutbox() {
  const rpc = useRpc();
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState(1);
  const [confirm, setConfirm] = useState<SmsOutboxItem | null>(null);
  const [resending, setResending] = useState(false);
  const list = useLiveQuery(`sms:${filter}:${page}`, () =>
    rpc.call('sms.list', { ...(filter === 'all' ? {} : { status: filter }), limit: SMS_PAGE_SIZE, offset: (page - 1) * SMS_PAGE_SIZE }),
  );

  const resend = (item: SmsOutboxItem) => {
    setResending(true);
    rpc
      .call('sms.resend', { id: item.id })
      .then(() => {
        setConfirm(null);
        notifySuccess(t('sms.resend.done'));
        list.reload();
      })
      .catch(notifyError)
      .finally(() => setResending(false));
  };

  let body;
  if (list.data === undefined) {
    body = list.error ? <ServerFailed error={list.error} retry={list.reload} testId="sms-offline" /> : <FirstLoad />;
  } else if (list.data.items.length === 0 && list.data.total === 0) {
    body = <EmptyState testId="sms-empty" title={t('sms.empty.title')} body={filter === 'all' ? t('sms.empty.all') : t('sms.empty.status')} />;
  } else {
    const w = pageWindow(page, list.data.total, SMS_PAGE_SIZE);
    body = (
      <>
        <SmsTable items={list.data.items} onResend={setConfirm} />
        {w.pages > 1 && <Pagination total={w.pages} value={page} onChange={setPage} aria-label={t('sms.pages')} data-testid="sms-pages" />}
      </>
    );
  }

  return (
    <Stack gap="md" data-testid="sms-outbox">
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('sms.title')}</Title>
        <Group align="flex-end">
          <Select
            label={t('sms.filter')}
            data-testid="sms-status-filter"
            value={filter}
            allowDeselect={false}
            onChange={(v) => {
              setFilter((v ?? 'all') as Filter);
              setPage(1);
            }}
            data={[{ value: 'all', label: t('sms.filter.all') }, ...SMS_STATUSES.map((s) => ({ value: s, label: smsStatusLabel(s) }))]}
            w={220}
          />
          <Button variant="light" onClick={list.reload} loading={list.loading && list.data !== undefined} data-testid="sms-refresh">
            {t('sms.refresh')}
          </Button>
        </Group>
      </Group>
      {list.data !== undefined && list.data.total > 0 && (
        <Text size="sm" c="dimmed" data-testid="sms-total" data-total={list.data.total}>
          {t('sms.total', { total: list.data.total })}
        </Text>
      )}
      {/* A refresh that failed: the last list stays below, the notice says why it is not current. */}
      {list.data !== undefined && list.error !== null && <ServerFailed error={list.error} retry={list.reload} testId="sms-offline" />}
      {body}
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title={t('sms.resend.title')}>
        {confirm && (
          <Stack gap="md" data-testid="sms-resend-dialog" data-sms-id={confirm.id}>
            <Text size="sm">{t('sms.resend.body', { phone: confirm.phone })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirm(null)} disabled={resending}>
                {t('common.cancel')}
              </Button>
              <Button color="orange" onClick={() => resend(confirm)} loading={resending} data-testid="sms-resend-confirm" data-autofocus>
                {t('sms.resend.confirm')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function SmsTable({ items, onResend }: { items: SmsOutboxItem[]; onResend: (item: SmsOutboxItem) => void }) {
  const when = (iso: string | null) => (iso ? formatDateTime(iso) : t('common.empty'));
  return (
    <Table.ScrollContainer minWidth={1250}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="sms-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('sms.col.created')}</Table.Th>
            <Table.Th>{t('sms.col.phone')}</Table.Th>
            <Table.Th>{t('sms.col.kind')}</Table.Th>
            <Table.Th>{t('sms.col.text')}</Table.Th>
            <Table.Th>{t('sms.col.status')}</Table.Th>
            <Table.Th>{t('sms.col.attempts')}</Table.Th>
            <Table.Th>{t('sms.col.error')}</Table.Th>
            <Table.Th>{t('sms.col.sent')}</Table.Th>
            <Table.Th>{t('sms.col.delivered')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr key={m.id} data-testid="sms-row" data-sms-id={m.id} data-status={m.status} data-kind={m.kind ?? ''} data-patient-id={m.patientId ?? ''}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(m.createdAt)}</Table.Td>
              <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }} data-testid="sms-phone">
                {m.phone}
              </Table.Td>
              <Table.Td>{smsKindLabel(m.kind)}</Table.Td>
              <Table.Td miw={280} maw={420}>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="sms-text" data-masked={m.masked}>
                  {m.text}
                </Text>
                {m.masked && (
                  <Text size="xs" c="dimmed">
                    {t('sms.masked')}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {/* The resend sits with the status it answers: no scrolling sideways to reach it. */}
                <Stack gap={6} align="flex-start">
                  <Badge color={SMS_STATUS_COLOR[m.status]} variant="light" data-testid="sms-status">
                    {smsStatusLabel(m.status)}
                  </Badge>
                  {canResend(m) && (
                    <Button size="compact-xs" variant="light" color="orange" onClick={() => onResend(m)} data-testid="sms-resend">
                      {t('sms.resend')}
                    </Button>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td data-testid="sms-attempts">{m.attempts}</Table.Td>
              <Table.Td miw={200} maw={320}>
                {m.error ? (
                  <Text size="sm" c="red.7" data-testid="sms-error">
                    {m.error}
                  </Text>
                ) : (
                  t('common.empty')
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(m.sentAt)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(m.deliveredAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
