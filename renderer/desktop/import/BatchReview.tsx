import { Alert, Badge, Button, Center, Checkbox, Group, Loader, NativeSelect, NumberInput, Pagination, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BatchDuplicates, DuplicateCandidate, ImportProgress, ImportStatus, RowDuplicates } from '../../../shared/domain/batch-import';
import { REFERRAL_BATCH_MAX_ROWS, type ReferralRowFields } from '../../../shared/domain/referrals';
import type { BatchSummary } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { formatDate, formatDateTime, formatSnils } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { batchStatusLabel } from '../labels';
import { notifyError, notifySuccess } from '../notify';
import { downloadBase64 } from '../referrals/files';
import { bulkChoice, choiceFromValue, choiceValue, decisionsToSave, initialChoice, needsDecision, pages, type BulkRule, type Choice } from './decisions';
import { ImportLoadError } from './ImportOffline';
import { ImportProgressPanel } from './ImportProgressPanel';
import { ImportResult } from './ImportResult';
import { useKeepAwake } from '../use-activity';

const PAGE = 50;
const POLL_MS = 700;
const POLL_RETRY_MS = 3000;

type Load = { kind: 'loading' } | { kind: 'error'; error: unknown } | { kind: 'ready'; dups: BatchDuplicates; status: ImportStatus };
/** Who each row of the table is about (from the synced batch), shown beside its candidates. */
type RowPeople = Map<number, ReferralRowFields>;
type Filter = 'all' | 'needs' | 'matches';

function candidateName(c: Pick<DuplicateCandidate, 'lastName' | 'firstName' | 'middleName'>): string {
  return [c.lastName, c.firstName, c.middleName].filter(Boolean).join(' ');
}

function candidateOption(c: DuplicateCandidate): string {
  return t('import.decision.linkTo', { name: candidateName(c), birthDate: formatDate(c.birthDate) });
}

function whyLabel(c: DuplicateCandidate): string {
  return c.why.map((w) => t(`import.why.${w}`)).join(', ');
}

/**
 * A received batch on the central API: each row with the existing patients it may duplicate and
 * the manager's choice (create / link / skip; the server's proposal preselected), bulk actions,
 * saving the decisions, then the import with its progress, stop and resume, and the result.
 */
export function BatchReview({ batch, onBack }: { batch: BatchSummary; onBack: () => void }) {
  const rpc = useRpc();
  const batchId = batch.id;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [choices, setChoices] = useState<Map<number, Choice | null>>(new Map());
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState(1);
  const [highlight, setHighlight] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [starting, setStarting] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | ImportStatus | null>(null);
  const [connectionLost, setConnectionLost] = useState(false);
  const [people, setPeople] = useState<RowPeople>(new Map());
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    setLoad({ kind: 'loading' });
    try {
      const [status, dups, full] = await Promise.all([
        rpc.call('import.status', { batchId }),
        rpc.call('import.duplicates', { batchId }),
        rpc.call('batches.get', { id: batchId }).catch(() => null),
      ]);
      if (!alive.current) return;
      setPeople(new Map((full?.rows ?? []).map((r) => [r.row, r.fields])));
      setChoices(new Map(dups.rows.map((r) => [r.row, initialChoice(r)])));
      setSelected(new Set());
      setProgress(status);
      setLoad({ kind: 'ready', dups, status });
    } catch (e) {
      if (alive.current) setLoad({ kind: 'error', error: e });
    }
  }, [rpc, batchId]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // While the server's job runs: its progress every POLL_MS, until it is no longer running.
  const running = progress?.running === true;
  // Watching the import's progress is work: the lock waits until it ends (then the idle time again).
  useKeepAwake(running || saving || starting);
  useEffect(() => {
    if (!running) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      let delay = POLL_MS;
      try {
        const s = await rpc.call('import.status', { batchId });
        if (stopped) return;
        setConnectionLost(false);
        setProgress(s);
        if (!s.running) {
          setStopping(false);
          // The job ended (done, stopped or failed): the rows' outcomes and saved decisions change.
          const dups = await rpc.call('import.duplicates', { batchId }).catch(() => null);
          if (stopped) return;
          setLoad((l) => (l.kind === 'ready' ? { kind: 'ready', dups: dups ?? l.dups, status: s } : l));
          if (s.status === 'imported') notifySuccess(t('import.done.toast', { title: batch.title }));
          return;
        }
      } catch (e) {
        if (stopped) return;
        if (e instanceof RpcError && e.code === 'SERVER_UNREACHABLE') {
          // The server's job goes on without us: keep asking, less often.
          setConnectionLost(true);
          delay = POLL_RETRY_MS;
        } else {
          notifyError(e);
          return;
        }
      }
      timer = setTimeout(() => void tick(), delay);
    };
    timer = setTimeout(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [running, rpc, batchId, batch.title]);

  const dups = load.kind === 'ready' ? load.dups : null;
  const rows = useMemo(() => (dups ? [...dups.rows].sort((a, b) => a.row - b.row) : []), [dups]);
  const open = rows.filter((r) => r.outcome === null);
  const needing = open.filter((r) => needsDecision(r, choices.get(r.row) ?? null));
  const toSave = useMemo(() => (dups ? decisionsToSave(dups.rows, choices) : []), [dups, choices]);
  const visible = rows.filter((r) => {
    if (filter === 'needs') return needsDecision(r, choices.get(r.row) ?? null);
    if (filter === 'matches') return r.candidates.length > 0;
    return true;
  });
  const pageCount = Math.max(1, Math.ceil(visible.length / PAGE));
  const current = Math.min(page, pageCount);
  const shown = visible.slice((current - 1) * PAGE, current * PAGE);

  const labels = useMemo(() => {
    const m = new Map<number, string>();
    for (const r of rows) {
      const linked = r.candidates.find((c) => c.id === (r.decisionPatientId ?? r.defaultPatientId)) ?? (r.candidates.length === 1 ? r.candidates[0] : undefined);
      if (linked) m.set(r.row, candidateName(linked));
    }
    return m;
  }, [rows]);

  const setChoice = (row: number, c: Choice | null) => setChoices((m) => new Map(m).set(row, c));

  const applyBulk = (rule: BulkRule) => {
    let n = 0;
    const next = new Map(choices);
    for (const r of rows) {
      const c = bulkChoice(rule, r, next.get(r.row) ?? null);
      if (c) {
        next.set(r.row, c);
        n++;
      }
    }
    setChoices(next);
    notifySuccess(t('import.bulk.applied', { count: n }));
  };

  const applySelected = (decision: 'create' | 'skip') => {
    const next = new Map(choices);
    let n = 0;
    for (const r of rows) {
      if (!selected.has(r.row) || r.outcome !== null) continue;
      next.set(r.row, { decision, patientId: null });
      n++;
    }
    setChoices(next);
    setSelected(new Set());
    notifySuccess(t('import.bulk.applied', { count: n }));
  };

  /** Saves the changed decisions in pages the server takes; true when all were saved. */
  const save = async (): Promise<boolean> => {
    if (toSave.length === 0) return true;
    setSaving(true);
    try {
      let saved = 0;
      for (const part of pages(toSave, REFERRAL_BATCH_MAX_ROWS)) saved += (await rpc.call('import.decide', { batchId, decisions: part })).saved;
      const fresh = await rpc.call('import.duplicates', { batchId });
      if (!alive.current) return true;
      setLoad((l) => (l.kind === 'ready' ? { ...l, dups: fresh } : l));
      // Keep the manager's open choices; the saved ones now come from the server.
      setChoices((m) => {
        const next = new Map(m);
        for (const r of fresh.rows) if (r.decision) next.set(r.row, initialChoice(r));
        return next;
      });
      notifySuccess(t('import.saved', { count: saved }));
      return true;
    } catch (e) {
      notifyError(e);
      return false;
    } finally {
      setSaving(false);
    }
  };

  const commit = async () => {
    if (!(await save())) return;
    setStarting(true);
    try {
      const p = await rpc.call('import.commit', { batchId });
      setConnectionLost(false);
      setProgress(p);
      if (!p.running) {
        // Finished at once (a small batch) or refused to start: show where it stands.
        const s = await rpc.call('import.status', { batchId });
        setProgress(s);
        setLoad((l) => (l.kind === 'ready' ? { ...l, status: s } : l));
      }
    } catch (e) {
      notifyError(e);
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    setStopping(true);
    try {
      const p = await rpc.call('import.cancel', { batchId });
      setProgress((old) => (old && old.running ? { ...p, running: old.running && p.running } : p));
      notifySuccess(t('import.progress.stopping'));
    } catch (e) {
      setStopping(false);
      notifyError(e);
    }
  };

  const report = async () => {
    setReporting(true);
    try {
      const f = await rpc.call('import.report', { batchId });
      downloadBase64(f.fileName, f.base64);
    } catch (e) {
      notifyError(e);
    } finally {
      setReporting(false);
    }
  };

  const goToRow = (row: number) => {
    const i = rows.findIndex((r) => r.row === row);
    if (i < 0) {
      notifyError(new RpcError('NOT_FOUND', t('import.goto.notFound', { row })));
      return;
    }
    setFilter('all');
    setPage(Math.floor(i / PAGE) + 1);
    setHighlight(row);
  };

  const header = (
    <Group justify="space-between" align="flex-end">
      <Stack gap={2}>
        <Title order={2} data-testid="review-title">
          {batch.title}
        </Title>
        <Text size="sm" c="dimmed">
          {[batch.source === 'file' ? t('import.source.file') : t('import.source.app'), batch.referrer ?? batch.physicianName, batch.organization, batch.fileName, formatDateTime(batch.receivedAt ?? batch.createdAt)].filter(Boolean).join(' · ')}
        </Text>
      </Stack>
      <Button variant="subtle" onClick={onBack} data-testid="review-back">
        {t('import.backToInbox')}
      </Button>
    </Group>
  );

  if (load.kind === 'loading') {
    return (
      <Stack gap="md" data-testid="batch-review" data-state="loading">
        {header}
        <Center py="xl">
          <Loader size="sm" aria-label={t('import.loading')} />
        </Center>
      </Stack>
    );
  }
  if (load.kind === 'error') {
    return (
      <Stack gap="md" data-testid="batch-review" data-state="error">
        {header}
        <ImportLoadError error={load.error} onRetry={() => void reload()} onBack={onBack} />
      </Stack>
    );
  }

  const p = progress ?? load.status;
  const finished = !p.running && (p.status === 'imported' || p.status === 'rejected');
  const started = p.running || p.done > 0 || p.error !== null;
  const busy = saving || starting;

  return (
    <Stack gap="md" data-testid="batch-review" data-state="ready" data-batch-id={batchId} data-status={p.status} data-needs={needing.length} data-unsaved={toSave.length}>
      {header}
      <Group gap="xs">
        <Badge variant="light" data-testid="review-status" data-status={p.status}>
          {batchStatusLabel(p.status)}
        </Badge>
        <Text size="sm">{t('rows.count', { count: rows.length })}</Text>
        {batch.rejectedCount > 0 && (
          <Text size="sm" c="red.7" data-testid="review-rejected" data-count={batch.rejectedCount}>
            {t('import.rejectedInFile', { count: batch.rejectedCount })}
          </Text>
        )}
      </Group>

      {started && !finished && <ImportProgressPanel progress={p} stopping={stopping} busy={starting} connectionLost={connectionLost} onCancel={() => void cancel()} onContinue={() => void commit()} />}

      {finished ? (
        <ImportResult status={withRows(p, load.status)} labels={labels} onReport={() => void report()} reporting={reporting} />
      ) : (
        !p.running && (
          <>
            <Paper withBorder p="sm">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text fw={600} data-testid="review-needs" data-count={needing.length} c={needing.length > 0 ? 'orange.8' : 'teal.8'}>
                    {needing.length > 0 ? t('import.needs', { count: needing.length }) : t('import.needs.none')}
                  </Text>
                  <Group gap="xs">
                    <SegmentedControl
                      size="xs"
                      value={filter}
                      onChange={(v) => {
                        setFilter(v as Filter);
                        setPage(1);
                      }}
                      data={[
                        { value: 'all', label: t('import.filter.all') },
                        { value: 'needs', label: t('import.filter.needs') },
                        { value: 'matches', label: t('import.filter.matches') },
                      ]}
                      aria-label={t('import.filter.label')}
                      data-testid="review-filter"
                    />
                    <form
                      onSubmit={(e) => {
                        e.preventDefault();
                        const v = Number(new FormData(e.currentTarget).get('row'));
                        if (Number.isInteger(v) && v > 0) goToRow(v);
                      }}
                    >
                      <Group gap={4}>
                        <NumberInput name="row" size="xs" w={110} min={1} hideControls placeholder={t('import.goto.placeholder')} aria-label={t('import.goto.label')} data-testid="review-goto" />
                        <Button type="submit" size="xs" variant="default" data-testid="review-goto-submit">
                          {t('import.goto.button')}
                        </Button>
                      </Group>
                    </form>
                  </Group>
                </Group>
                <Group gap="xs">
                  <Button size="xs" variant="light" onClick={() => applyBulk('linkSnils')} data-testid="bulk-link-snils">
                    {t('import.bulk.linkSnils')}
                  </Button>
                  <Button size="xs" variant="light" onClick={() => applyBulk('skipUndecided')} data-testid="bulk-skip-undecided">
                    {t('import.bulk.skipUndecided')}
                  </Button>
                  <Button size="xs" variant="light" onClick={() => applyBulk('createUnmatched')} data-testid="bulk-create-unmatched">
                    {t('import.bulk.createUnmatched')}
                  </Button>
                  <Text size="sm" c="dimmed" ml="sm">
                    {t('import.selected', { count: selected.size })}
                  </Text>
                  <Button size="xs" variant="default" disabled={selected.size === 0} onClick={() => applySelected('create')} data-testid="bulk-selected-create">
                    {t('import.bulk.selectedCreate')}
                  </Button>
                  <Button size="xs" variant="default" disabled={selected.size === 0} onClick={() => applySelected('skip')} data-testid="bulk-selected-skip">
                    {t('import.bulk.selectedSkip')}
                  </Button>
                </Group>
              </Stack>
            </Paper>

            {visible.length === 0 ? (
              <Text c="dimmed" data-testid="review-empty">
                {filter === 'needs' ? t('import.filter.needs.none') : t('import.filter.empty')}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={900}>
                <Table verticalSpacing="xs" data-testid="review-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={36}>
                        <Checkbox
                          aria-label={t('import.selectPage')}
                          checked={shown.length > 0 && shown.every((r) => r.outcome !== null || selected.has(r.row))}
                          onChange={(e) => {
                            const on = e.currentTarget.checked;
                            setSelected((s) => {
                              const next = new Set(s);
                              for (const r of shown) {
                                if (r.outcome !== null) continue;
                                if (on) next.add(r.row);
                                else next.delete(r.row);
                              }
                              return next;
                            });
                          }}
                          data-testid="review-select-page"
                        />
                      </Table.Th>
                      <Table.Th w={70}>{t('grid.rowNumber')}</Table.Th>
                      <Table.Th w={240}>{t('import.col.person')}</Table.Th>
                      <Table.Th>{t('import.col.candidates')}</Table.Th>
                      <Table.Th w={340}>{t('import.col.decision')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {shown.map((r) => (
                      <ReviewRow
                        key={r.row}
                        r={r}
                        person={people.get(r.row)}
                        choice={choices.get(r.row) ?? null}
                        selected={selected.has(r.row)}
                        highlighted={highlight === r.row}
                        onSelect={(on) =>
                          setSelected((s) => {
                            const next = new Set(s);
                            if (on) next.add(r.row);
                            else next.delete(r.row);
                            return next;
                          })
                        }
                        onChoice={(c) => setChoice(r.row, c)}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {pageCount > 1 && <Pagination total={pageCount} value={current} onChange={setPage} data-testid="review-pagination" />}

            <Group justify="space-between">
              <Text size="sm" c="dimmed" data-testid="review-unsaved" data-count={toSave.length}>
                {toSave.length > 0 ? t('import.unsaved', { count: toSave.length }) : t('import.allSaved')}
              </Text>
              <Group gap="sm">
                <Button variant="default" onClick={() => void save()} disabled={toSave.length === 0 || busy} loading={saving && !starting} data-testid="decisions-save">
                  {t('import.save')}
                </Button>
                {!started && (
                  <Button onClick={() => void commit()} disabled={needing.length > 0 || busy || open.length === 0} loading={starting} data-testid="import-commit">
                    {t('import.commit')}
                  </Button>
                )}
              </Group>
            </Group>
            {needing.length > 0 && !started && (
              <Alert color="orange" variant="light" data-testid="review-commit-blocked">
                {t('import.commit.blocked', { count: needing.length })}
              </Alert>
            )}
          </>
        )
      )}
      {!finished && started && !p.running && p.done > 0 && (
        <Group justify="flex-end">
          <Button variant="default" onClick={() => void report()} loading={reporting} data-testid="import-report">
            {t('import.report')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** The latest progress with the per-row outcomes of the latest full status. */
function withRows(p: ImportProgress | ImportStatus, last: ImportStatus): ImportStatus {
  return 'rows' in p ? p : { ...p, rows: last.rows };
}

function ReviewRow({
  r,
  person,
  choice,
  selected,
  highlighted,
  onSelect,
  onChoice,
}: {
  r: RowDuplicates;
  person: ReferralRowFields | undefined;
  choice: Choice | null;
  selected: boolean;
  highlighted: boolean;
  onSelect: (on: boolean) => void;
  onChoice: (c: Choice | null) => void;
}) {
  const needs = needsDecision(r, choice);
  const options = [
    ...(choice === null ? [{ value: '', label: t('import.decision.choose') }] : []),
    { value: 'create', label: t('import.decision.create') },
    ...r.candidates.map((c, i) => ({ value: `link:${i}`, label: candidateOption(c) })),
    { value: 'skip', label: t('import.decision.skip') },
  ];
  const proposed = r.defaultDecision !== null && r.decision === null;
  return (
    <Table.Tr
      data-testid="review-row"
      data-row={r.row}
      data-needs={needs}
      data-decision={choice?.decision ?? ''}
      data-candidates={r.candidates.length}
      data-outcome={r.outcome ?? ''}
      style={needs ? { background: 'var(--mantine-color-orange-0)' } : highlighted ? { background: 'var(--mantine-color-blue-0)' } : undefined}
    >
      <Table.Td>
        <Checkbox checked={selected} disabled={r.outcome !== null} onChange={(e) => onSelect(e.currentTarget.checked)} aria-label={t('import.selectRow', { row: r.row })} data-testid={`row-select-${r.row}`} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={500}>
          {r.row}
        </Text>
      </Table.Td>
      <Table.Td data-testid="review-person">
        {person ? (
          <Stack gap={0}>
            <Text size="sm">{candidateName(person)}</Text>
            <Text size="xs" c="dimmed">
              {formatDate(person.birthDate)}, {t('import.snils', { snils: formatSnils(person.snils) ?? person.snils })}
            </Text>
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            {t('common.empty')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {r.candidates.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('import.noCandidates')}
          </Text>
        ) : (
          <Stack gap={6}>
            {r.candidates.map((c, i) => (
              <Stack key={c.id} gap={2} data-testid="review-candidate" data-index={i} data-patient-id={c.id} data-why={c.why.join(',')}>
                <Text size="sm">
                  {i + 1}. {candidateName(c)}, {formatDate(c.birthDate)}
                  {c.snils ? `, ${t('import.snils', { snils: formatSnils(c.snils) ?? c.snils })}` : ''}
                </Text>
                <Group gap={4}>
                  <Badge size="xs" variant="light" color={c.why.includes('snils') || c.why.includes('enp') ? 'blue' : 'yellow'} style={{ textTransform: 'none' }}>
                    {whyLabel(c)}
                  </Badge>
                  {c.openRequestId && (
                    <Badge size="xs" variant="light" color="grape" style={{ textTransform: 'none' }}>
                      {t('import.openRequest')}
                    </Badge>
                  )}
                </Group>
              </Stack>
            ))}
          </Stack>
        )}
      </Table.Td>
      <Table.Td>
        {r.outcome !== null ? (
          <Badge variant="light" data-testid="review-outcome">
            {t(`import.outcome.${r.outcome}`)}
          </Badge>
        ) : (
          <Stack gap={2}>
            <NativeSelect
              size="xs"
              data={options}
              value={choiceValue(r, choice)}
              onChange={(e) => onChoice(choiceFromValue(r, e.currentTarget.value))}
              aria-label={t('import.decision.label', { row: r.row })}
              error={needs ? t('import.decision.needed') : undefined}
              data-testid={`decision-${r.row}`}
            />
            {proposed && choice !== null && choice.decision === r.defaultDecision && (
              <Text size="xs" c="dimmed">
                {t('import.decision.proposed')}
              </Text>
            )}
          </Stack>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
