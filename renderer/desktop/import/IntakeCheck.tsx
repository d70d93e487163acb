import { Alert, Badge, Button, Center, Group, Loader, Pagination, Paper, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { BatchOrigin } from '../../../shared/domain/referrals';
import { REGIONS } from '../../../shared/reference/regions';
import type { ReadFileOutput, RpcInput } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { fieldHeader } from '../referrals/field-options';
import { ProblemsPanel, type Problem } from '../referrals/ProblemsPanel';
import { checkIntakeRows, type IntakeCheck as Checked } from './intake-check';

const PAGE = 100;
const REGION_OPTIONS = REGIONS.map((r) => ({ value: r.code, label: r.name }));

type Filter = 'all' | 'problems' | 'valid';

export type IntakeSubmit = RpcInput<'intake.submitFile'>;

function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * A received file after its mapping is confirmed: which rows will be taken in and which will not
 * (with every problem, as in the physician's grid), who sent it, and «Принять в работу». The rows
 * with problems travel with the batch as rejected rows, so the report names them.
 */
export function IntakeCheck({
  result,
  title: initialTitle,
  busy,
  queued,
  onAccept,
  onCancel,
}: {
  result: ReadFileOutput;
  title: string;
  busy: boolean;
  /** Files still waiting after this one. */
  queued: number;
  onAccept: (input: IntakeSubmit) => void;
  onCancel: () => void;
}) {
  const [checked, setChecked] = useState<Checked | null>(null);
  const [title, setTitle] = useState(initialTitle);
  const [region, setRegion] = useState<string | null>(null);
  const [organization, setOrganization] = useState('');
  const [referrer, setReferrer] = useState('');
  const [receivedOn, setReceivedOn] = useState(todayIso());
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState(1);
  const [highlight, setHighlight] = useState<number | null>(null);

  useEffect(() => {
    // A moment for the loader to show: thousands of rows take a few hundred milliseconds.
    const timer = setTimeout(() => {
      const c = checkIntakeRows(result.rows);
      setChecked(c);
      setRegion((r) => r ?? (c.suggested.region && REGIONS.some((x) => x.code === c.suggested.region) ? c.suggested.region : null));
      setOrganization((o) => o || (c.suggested.organization ?? ''));
      setReferrer((p) => p || (c.suggested.referrer ?? ''));
    }, 30);
    return () => clearTimeout(timer);
  }, [result]);

  const visible = useMemo(() => (checked ? checked.rows.filter((r) => (filter === 'problems' ? !r.valid : filter === 'valid' ? r.valid : true)) : []), [checked, filter]);
  const pageCount = Math.max(1, Math.ceil(visible.length / PAGE));
  const current = Math.min(page, pageCount);
  const shown = visible.slice((current - 1) * PAGE, current * PAGE);

  if (!checked) {
    return (
      <Center py="xl" data-testid="intake-check" data-state="checking">
        <Stack align="center" gap="xs">
          <Loader size="sm" />
          <Text c="dimmed">{t('import.check.checking', { count: result.rows.length })}</Text>
        </Stack>
      </Center>
    );
  }

  const jump = (p: Problem) => {
    const i = checked.rows.findIndex((r) => r.row === p.row);
    setFilter('all');
    setPage(i >= 0 ? Math.floor(i / PAGE) + 1 : 1);
    setHighlight(p.row);
  };

  const accept = () => {
    const origin: BatchOrigin = {
      kind: 'file',
      physicianId: null,
      region,
      organization: organization.trim() || null,
      referrer: referrer.trim() || null,
      receivedAt: receivedOn ? new Date(`${receivedOn}T12:00:00`).toISOString() : null,
    };
    onAccept({ title: title.trim(), fileName: result.fileName, fileHash: result.fileHash, rows: checked.valid, rejectedRows: checked.rejected, origin });
  };

  const canAccept = checked.valid.length > 0 && title.trim() !== '' && !busy;

  return (
    <Stack gap="md" data-testid="intake-check" data-state="ready" data-valid={checked.valid.length} data-rejected={checked.rejected.length}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{t('import.check.title')}</Title>
          <Text size="sm" c="dimmed">
            {t('mapping.file', { fileName: result.fileName })}
            {queued > 0 ? ` · ${t('import.queue.left', { count: queued })}` : ''}
          </Text>
        </Stack>
        <Button variant="subtle" onClick={onCancel} disabled={busy} data-testid="intake-cancel">
          {queued > 0 ? t('import.check.skipFile') : t('common.cancel')}
        </Button>
      </Group>

      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Paper withBorder p="sm" data-testid="check-valid" data-count={checked.valid.length}>
          <Text size="xl" fw={700} c="teal.7">
            {checked.valid.length}
          </Text>
          <Text size="sm">{t('import.check.valid')}</Text>
        </Paper>
        <Paper withBorder p="sm" data-testid="check-rejected" data-count={checked.rejected.length}>
          <Text size="xl" fw={700} c="red.7">
            {checked.rejected.length}
          </Text>
          <Text size="sm">{t('import.check.rejected')}</Text>
        </Paper>
        <Paper withBorder p="sm" data-testid="check-skipped" data-count={result.skipped.length}>
          <Text size="xl" fw={700} c="gray.7">
            {result.skipped.length}
          </Text>
          <Text size="sm">{t('import.check.skipped')}</Text>
        </Paper>
      </SimpleGrid>

      {checked.rejected.length > 0 && (
        <Alert color="yellow" variant="light" data-testid="check-rejected-hint">
          {t('import.check.rejectedHint', { count: checked.rejected.length })}
        </Alert>
      )}

      <ProblemsPanel problems={checked.problems} total={checked.problems.length} onJump={jump} />

      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <SegmentedControl
            size="xs"
            value={filter}
            onChange={(v) => {
              setFilter(v as Filter);
              setPage(1);
            }}
            data={[
              { value: 'all', label: t('import.check.filter.all') },
              { value: 'problems', label: t('import.check.filter.problems') },
              { value: 'valid', label: t('import.check.filter.valid') },
            ]}
            aria-label={t('import.check.filter.label')}
            data-testid="check-filter"
          />
          <Text size="sm" c="dimmed">
            {t('rows.count', { count: visible.length })}
          </Text>
        </Group>
        {visible.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="check-empty">
            {t('import.check.none')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table striped verticalSpacing={4} data-testid="check-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={70}>{t('grid.rowNumber')}</Table.Th>
                  <Table.Th>{t('import.col.patient')}</Table.Th>
                  <Table.Th>{t('table.birthDate')}</Table.Th>
                  <Table.Th>{t('table.snils')}</Table.Th>
                  <Table.Th>{t('import.col.check')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((r) => (
                  <Table.Tr
                    key={r.row}
                    data-testid="check-row"
                    data-row={r.row}
                    data-valid={r.valid}
                    style={highlight === r.row ? { background: 'var(--mantine-color-blue-0)' } : undefined}
                  >
                    <Table.Td>{r.row}</Table.Td>
                    <Table.Td>{r.label}</Table.Td>
                    <Table.Td>{r.birthDate}</Table.Td>
                    <Table.Td>{r.snils}</Table.Td>
                    <Table.Td>
                      {r.valid ? (
                        <Badge color="teal" variant="light">
                          {t('import.check.rowValid')}
                        </Badge>
                      ) : (
                        <Stack gap={2}>
                          <Badge color="red" variant="light">
                            {t('import.check.rowRejected')}
                          </Badge>
                          {r.problems.map((p, i) => (
                            <Text key={i} size="xs" c="red.8">
                              {t('grid.problem', { row: p.row, field: fieldHeader(p.field), message: p.message })}
                            </Text>
                          ))}
                        </Stack>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {pageCount > 1 && <Pagination mt="sm" total={pageCount} value={current} onChange={setPage} data-testid="check-pagination" />}
      </Paper>

      <Paper withBorder p="sm" data-testid="intake-origin">
        <Title order={3} size="h5" mb="xs">
          {t('import.origin.title')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label={t('import.origin.batchTitle')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} maxLength={200} required error={title.trim() ? undefined : t('import.origin.titleRequired')} data-testid="origin-title" />
          <Select
            label={t('import.origin.region')}
            placeholder={t('import.origin.regionPlaceholder')}
            data={REGION_OPTIONS}
            value={region}
            onChange={setRegion}
            searchable
            clearable
            nothingFoundMessage={t('import.origin.regionNotFound')}
            data-testid="origin-region"
          />
          <TextInput label={t('import.origin.organization')} value={organization} onChange={(e) => setOrganization(e.currentTarget.value)} maxLength={300} data-testid="origin-organization" />
          <TextInput label={t('import.origin.referrer')} value={referrer} onChange={(e) => setReferrer(e.currentTarget.value)} maxLength={200} data-testid="origin-referrer" />
          <TextInput type="date" label={t('import.origin.receivedAt')} value={receivedOn} onChange={(e) => setReceivedOn(e.currentTarget.value)} data-testid="origin-received" />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="xs">
          {t('import.origin.hint')}
        </Text>
      </Paper>

      {checked.valid.length === 0 && (
        <Alert color="red" data-testid="check-nothing">
          {t('import.check.nothingValid')}
        </Alert>
      )}

      <Group justify="flex-end">
        <Text size="sm" c="dimmed">
          {t('import.accept.summary', { valid: checked.valid.length, rejected: checked.rejected.length })}
        </Text>
        <Button onClick={accept} disabled={!canAccept} loading={busy} data-testid="import-accept">
          {t('import.accept')}
        </Button>
      </Group>
    </Stack>
  );
}
