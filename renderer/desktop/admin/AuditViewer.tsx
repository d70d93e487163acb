import { Badge, Button, Code, Group, NativeSelect, Pagination, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { AuditFilter } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { NotLoaded } from '../components/ListStatus';
import { notifyError, notifySuccess } from '../notify';
import { downloadBase64 } from '../referrals/files';
import { useLiveQuery } from '../use-live-query';

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Draft {
  patientId: string;
  actorId: string;
  action: string;
  from: string;
  to: string;
}
const EMPTY: Draft = { patientId: '', actorId: '', action: '', from: '', to: '' };

/** The form's values as the services' filter: only what is filled and well-formed. */
export function toFilter(d: Draft): { filter: AuditFilter; problem: string | null } {
  const filter: AuditFilter = {};
  if (d.patientId.trim()) {
    if (!UUID.test(d.patientId.trim())) return { filter, problem: t('audit.problem.patientId') };
    filter.patientId = d.patientId.trim().toLowerCase();
  }
  if (d.actorId) filter.actorId = d.actorId;
  if (d.action.trim()) filter.action = d.action.trim();
  // Dates are whole days in the administrator's local time.
  if (d.from) filter.from = new Date(`${d.from}T00:00:00`).toISOString();
  if (d.to) filter.to = new Date(`${d.to}T23:59:59.999`).toISOString();
  if (filter.from && filter.to && filter.from > filter.to) return { filter, problem: t('audit.problem.period') };
  return { filter, problem: null };
}

/** «Журнал аудита»: who did what with whose data, filtered; the chain's integrity; export to CSV. */
export function AuditViewer() {
  const rpc = useRpc();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [applied, setApplied] = useState<AuditFilter>({});
  const [page, setPage] = useState(1);
  const [problem, setProblem] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<{ ok: boolean; checked: number; firstBadSeq: number | null; reason: string | null } | null>(null);
  const [exporting, setExporting] = useState(false);
  const users = useLiveQuery('admin-users', () => rpc.call('users.list'));
  const key = JSON.stringify({ applied, page });
  const list = useLiveQuery(`audit:${key}`, () => rpc.call('audit.list', { ...applied, limit: PAGE, offset: (page - 1) * PAGE }));
  const userName = new Map((users.data?.items ?? []).map((u) => [u.id, `${u.fullName} (${u.login})`]));

  const apply = () => {
    const { filter, problem: p } = toFilter(draft);
    setProblem(p);
    if (p) return;
    setApplied(filter);
    setPage(1);
  };
  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await rpc.call('audit.verify'));
    } catch (err) {
      notifyError(err);
    } finally {
      setVerifying(false);
    }
  };
  const runExport = async () => {
    setExporting(true);
    try {
      const file = await rpc.call('audit.export', applied);
      downloadBase64(file.fileName, file.base64, 'text/csv;charset=utf-8');
      notifySuccess(file.truncated ? t('audit.exported.truncated', { rows: file.rows }) : t('audit.exported', { rows: file.rows }));
    } catch (err) {
      notifyError(err);
    } finally {
      setExporting(false);
    }
  };

  let body;
  if (list.data === undefined) body = <NotLoaded query={list} />;
  else if (list.data.items.length === 0) body = <EmptyState testId="audit-empty" title={t('audit.empty.title')} body={t('audit.empty.body')} />;
  else {
    const pages = Math.max(1, Math.ceil(list.data.total / PAGE));
    body = (
      <>
        <Table.ScrollContainer minWidth={900}>
          <Table striped verticalSpacing="xs" data-testid="audit-table" data-total={list.data.total}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('audit.col.at')}</Table.Th>
                <Table.Th>{t('audit.col.actor')}</Table.Th>
                <Table.Th>{t('audit.col.action')}</Table.Th>
                <Table.Th>{t('audit.col.patient')}</Table.Th>
                <Table.Th>{t('audit.col.result')}</Table.Th>
                <Table.Th>{t('audit.col.details')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((e) => (
                <Table.Tr key={e.seq} data-testid="audit-row" data-action={e.action} data-result={e.result} data-patient-id={e.patientId ?? ''}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</Table.Td>
                  <Table.Td>{e.actorId ? (userName.get(e.actorId) ?? e.actorId) : t('audit.system')}</Table.Td>
                  <Table.Td>
                    <Code>{e.action}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {e.patientId ?? t('common.empty')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={e.result === 'ok' ? 'teal' : e.result === 'denied' ? 'orange' : 'red'} variant="light">
                      {t(`audit.result.${e.result}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {/* Details are data, shown as text: never interpreted. */}
                    <Text size="xs" ff="monospace" lineClamp={2} title={e.details ? JSON.stringify(e.details) : ''}>
                      {e.details ? JSON.stringify(e.details) : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="space-between">
          <Text size="sm" c="dimmed" data-testid="audit-total">
            {t('audit.total', { count: list.data.total })}
          </Text>
          {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} size="sm" data-testid="audit-pages" />}
        </Group>
      </>
    );
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('audit.title')}</Title>
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <Group align="end" wrap="wrap">
            <TextInput label={t('audit.filter.patientId')} value={draft.patientId} onChange={(e) => setDraft({ ...draft, patientId: e.currentTarget.value })} w={320} data-testid="audit-filter-patient" />
            <NativeSelect
              label={t('audit.filter.actor')}
              value={draft.actorId}
              onChange={(e) => setDraft({ ...draft, actorId: e.currentTarget.value })}
              data={[{ value: '', label: t('audit.filter.anyone') }, ...(users.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.fullName} (${u.login})` }))]}
              w={280}
              data-testid="audit-filter-actor"
            />
            <TextInput label={t('audit.filter.action')} placeholder="document.read" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })} w={200} data-testid="audit-filter-action" />
            <TextInput type="date" label={t('audit.filter.from')} value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })} data-testid="audit-filter-from" />
            <TextInput type="date" label={t('audit.filter.to')} value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })} data-testid="audit-filter-to" />
            <Button type="submit" data-testid="audit-apply">
              {t('audit.apply')}
            </Button>
            <Button
              variant="subtle"
              onClick={() => {
                setDraft(EMPTY);
                setApplied({});
                setPage(1);
                setProblem(null);
              }}
            >
              {t('audit.reset')}
            </Button>
          </Group>
          {problem && (
            <Text c="red" size="sm" mt="xs" role="alert" data-testid="audit-filter-problem">
              {problem}
            </Text>
          )}
        </form>
      </Paper>
      <Group>
        <Button variant="light" loading={verifying} onClick={() => void runVerify()} data-testid="audit-verify">
          {t('audit.verify')}
        </Button>
        {verify && (
          <Badge color={verify.ok ? 'teal' : 'red'} size="lg" variant="light" data-testid="audit-verify-result" data-ok={verify.ok}>
            {verify.ok ? t('audit.verify.ok', { checked: verify.checked }) : t('audit.verify.broken', { seq: verify.firstBadSeq ?? 0, reason: verify.reason ?? '' })}
          </Badge>
        )}
        <Button variant="light" loading={exporting} onClick={() => void runExport()} data-testid="audit-export">
          {t('audit.export')}
        </Button>
      </Group>
      {body}
    </Stack>
  );
}
