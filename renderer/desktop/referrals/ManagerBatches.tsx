import { Badge, Button, Group, Modal, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { BatchStatus } from '../../../shared/domain/referrals';
import { REGIONS } from '../../../shared/reference/regions';
import type { BatchSummary, ReadFileOutput } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { hasMessage, t, type MessageId } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { useRpc, useRpcEvent } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { NotLoaded } from '../components/ListStatus';
import { BatchReview } from '../import/BatchReview';
import { IntakeCheck, type IntakeSubmit } from '../import/IntakeCheck';
import { sha256Hex } from '../import/intake-check';
import { batchStatusLabel } from '../labels';
import { notifyError, notifySuccess } from '../notify';
import { useLiveQuery, type LiveQuery } from '../use-live-query';
import { useKeepAwake } from '../use-activity';
import { MAX_FILE_BYTES, readAsBase64 } from './files';
import { MappingConfirm, type MappingChoice } from './MappingConfirm';

const BATCH_COLOR = { sent: 'blue', importing: 'yellow', imported: 'teal', rejected: 'red' } as const satisfies Record<BatchStatus, string>;

type FileInput = { fileName: string; base64: string };
type Screen =
  | { kind: 'inbox' }
  | { kind: 'mapping'; file: FileInput; result: ReadFileOutput }
  | { kind: 'check'; result: ReadFileOutput; title: string }
  | { kind: 'batch'; batchId: string };

interface Job {
  jobId: string;
  fileName: string;
  label: string;
  done: number;
  total: number | null;
}

type StageKey = Extract<MessageId, `drafts.stage.${string}`>;
function stageText(label: string): string {
  const key = `drafts.stage.${label}`;
  return hasMessage(key) ? t(key as StageKey) : label;
}

const regionName = (code: string | null) => (code ? (REGIONS.find((r) => r.code === code)?.name ?? code) : null);

/**
 * «Входящие таблицы», the manager's inbox: the tables physicians sent from the app and the files
 * the manager received another way and drops here (several at once, read one after another with
 * a progress bar and «Отмена»). A file already received is recognised by its SHA-256 and opened
 * instead of being taken in twice. A batch opens into the review and import.
 */
export function ManagerBatches() {
  const rpc = useRpc();
  const list = useLiveQuery('batches', () => rpc.call('batches.list'));
  const [screen, setScreen] = useState<Screen>({ kind: 'inbox' });
  const [job, setJob] = useState<Job | null>(null);
  const [queued, setQueued] = useState(0);
  const [duplicate, setDuplicate] = useState<{ fileName: string; batch: BatchSummary } | null>(null);
  const [accepting, setAccepting] = useState(false);
  // Reading a large file takes a while with no input: that is not the manager walking away.
  useKeepAwake(job !== null || accepting);
  const queue = useRef<File[]>([]);
  const busyRef = useRef(false);
  const cancelled = useRef(new Set<string>());
  const batchesRef = useRef<BatchSummary[]>([]);
  useEffect(() => {
    batchesRef.current = list.data?.items ?? [];
  }, [list.data]);

  useRpcEvent('job.progress', (p) => {
    setJob((j) => (j && j.jobId === p.jobId ? { ...j, label: p.label, done: p.done, total: p.total } : j));
  });

  const known = (hash: string | null) => (hash ? batchesRef.current.find((b) => b.fileHash === hash) : undefined);

  /** The current file is over (taken in, skipped, cancelled): the next one, or back to the inbox. */
  const next = () => {
    const f = queue.current.shift();
    setQueued(queue.current.length);
    if (!f) {
      busyRef.current = false;
      setScreen((s) => (s.kind === 'mapping' || s.kind === 'check' ? { kind: 'inbox' } : s));
      return;
    }
    busyRef.current = true;
    void take(f);
  };

  const read = async (file: FileInput, mapping?: { signature: string; columns: MappingChoice[] }): Promise<void> => {
    const jobId = crypto.randomUUID();
    setJob({ jobId, fileName: file.fileName, label: '', done: 0, total: null });
    try {
      const result = await rpc.call('referral.readFile', { ...file, jobId, ...(mapping ? { signature: mapping.signature, mapping: mapping.columns } : {}) });
      if (cancelled.current.has(jobId)) return;
      setJob(null);
      const seen = mapping ? undefined : known(result.fileHash);
      if (seen) {
        setDuplicate({ fileName: file.fileName, batch: seen });
        return;
      }
      setScreen({ kind: 'mapping', file, result });
    } catch (e) {
      if (cancelled.current.has(jobId)) return;
      setJob(null);
      notifyError(e);
      if (!mapping) next();
    }
  };

  const take = async (f: File) => {
    if (!/\.xlsx$/i.test(f.name)) {
      notifyError(new RpcError('VALIDATION_FAILED', t('import.file.notXlsx', { fileName: f.name })));
      next();
      return;
    }
    if (f.size > MAX_FILE_BYTES) {
      notifyError(new RpcError('PAYLOAD_TOO_LARGE', t('import.file.tooLarge', { fileName: f.name })));
      next();
      return;
    }
    try {
      const seen = known(await sha256Hex(f).catch(() => null));
      if (seen) {
        setDuplicate({ fileName: f.name, batch: seen });
        return;
      }
      await read({ fileName: f.name, base64: await readAsBase64(f) });
    } catch (e) {
      notifyError(e);
      next();
    }
  };

  const onFiles = (files: readonly File[]) => {
    if (files.length === 0) return;
    queue.current.push(...files);
    setQueued(queue.current.length);
    if (!busyRef.current) next();
  };

  const cancelJob = (all: boolean) => {
    if (!job) return;
    cancelled.current.add(job.jobId);
    const id = job.jobId;
    setJob(null);
    rpc.call('referral.cancelJob', { jobId: id }).catch(() => undefined);
    if (all) {
      queue.current = [];
      setQueued(0);
    }
    notifySuccess(t('drafts.reading.cancelled'));
    // A cancelled re-read (after «Применить») leaves the mapping screen as it was.
    if (screen.kind !== 'mapping') next();
  };

  const confirmMapping = async (title: string, mapping: MappingChoice[], result: ReadFileOutput) => {
    try {
      await rpc.call('referral.rememberMapping', { signature: result.signature, mapping });
    } catch (e) {
      // Remembering the layout is a convenience: the file can still be taken in.
      notifyError(e);
    }
    setScreen({ kind: 'check', result, title });
  };

  const accept = async (input: IntakeSubmit) => {
    setAccepting(true);
    try {
      await rpc.call('intake.submitFile', input);
      notifySuccess(t('import.accepted', { title: input.title, count: input.rows.length }));
      list.reload();
      next();
    } catch (e) {
      notifyError(e);
    } finally {
      setAccepting(false);
    }
  };

  const openBatch = (batchId: string) => {
    setDuplicate(null);
    queue.current = [];
    setQueued(0);
    busyRef.current = false;
    setScreen({ kind: 'batch', batchId });
  };

  let body;
  if (screen.kind === 'batch') {
    const batch = list.data?.items.find((b) => b.id === screen.batchId);
    body = batch ? (
      <BatchReview key={batch.id} batch={batch} onBack={() => setScreen({ kind: 'inbox' })} />
    ) : (
      <NotLoaded query={list} />
    );
  } else if (screen.kind === 'mapping') {
    body = (
      <MappingConfirm
        key={`${screen.result.fileHash}:${screen.result.signature}:${JSON.stringify(screen.result.columns)}`}
        result={screen.result}
        busy={job !== null}
        onApply={(m) => void read(screen.file, { signature: screen.result.signature, columns: m })}
        onConfirm={(title, m) => void confirmMapping(title, m, screen.result)}
        onCancel={next}
      />
    );
  } else if (screen.kind === 'check') {
    body = <IntakeCheck key={screen.result.fileHash} result={screen.result} title={screen.title} busy={accepting} queued={queued} onAccept={(i) => void accept(i)} onCancel={next} />;
  } else {
    body = <Inbox list={list} onFiles={onFiles} busy={job !== null} onOpen={(id) => setScreen({ kind: 'batch', batchId: id })} />;
  }

  return (
    <>
      {body}
      <Modal
        opened={job !== null}
        onClose={() => cancelJob(false)}
        withCloseButton={false}
        closeOnClickOutside={false}
        title={job ? t('drafts.reading', { fileName: job.fileName }) : ''}
        data-testid="import-read-progress"
      >
        {job && (
          <Stack>
            <Progress
              value={job.total ? Math.min(100, (job.done / job.total) * 100) : 100}
              animated={!job.total}
              striped={!job.total}
              data-testid="import-read-progress-bar"
              data-done={job.done}
              data-total={job.total ?? ''}
              aria-label={t('drafts.reading', { fileName: job.fileName })}
            />
            {job.label && (
              <Text size="sm" c="dimmed">
                {job.total ? t('drafts.reading.progress', { label: stageText(job.label), done: job.done, total: job.total }) : stageText(job.label)}
              </Text>
            )}
            {queued > 0 && (
              <Text size="sm" c="dimmed" data-testid="import-queue" data-count={queued}>
                {t('import.queue.left', { count: queued })}
              </Text>
            )}
            <Group justify="flex-end">
              {queued > 0 && (
                <Button variant="subtle" color="red" onClick={() => cancelJob(true)} data-testid="import-read-cancel-all">
                  {t('import.read.cancelAll')}
                </Button>
              )}
              <Button variant="default" onClick={() => cancelJob(false)} data-testid="import-read-cancel">
                {t('common.cancel')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal
        opened={duplicate !== null}
        onClose={() => {
          setDuplicate(null);
          next();
        }}
        title={t('import.duplicateFile.title')} data-testid="import-duplicate-file">
        {duplicate && (
          <Stack data-testid="import-duplicate" data-batch-id={duplicate.batch.id}>
            <Text size="sm" data-testid="import-duplicate-text">
              {t('import.duplicateFile.body', {
                fileName: duplicate.fileName,
                date: formatDateTime(duplicate.batch.receivedAt ?? duplicate.batch.createdAt),
                sender: duplicate.batch.referrer ?? duplicate.batch.physicianName,
                title: duplicate.batch.title,
              })}
            </Text>
            <Text size="sm" c="dimmed">
              {t('import.duplicateFile.hint')}
            </Text>
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={() => {
                  setDuplicate(null);
                  next();
                }}
                data-testid="import-duplicate-skip"
              >
                {queued > 0 ? t('import.duplicateFile.skipNext') : t('import.duplicateFile.skip')}
              </Button>
              <Button onClick={() => openBatch(duplicate.batch.id)} data-autofocus data-testid="import-duplicate-open">
                {t('import.duplicateFile.open')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

function Inbox({
  list,
  onFiles,
  busy,
  onOpen,
}: {
  list: LiveQuery<{ items: BatchSummary[] }>;
  onFiles: (files: File[]) => void;
  busy: boolean;
  onOpen: (id: string) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  let body;
  if (list.data === undefined) {
    body = <NotLoaded query={list} />;
  } else if (list.data.items.length === 0) {
    body = <EmptyState testId="batches-empty" title={t('batches.empty.title')} body={t('import.inbox.empty.body')} />;
  } else {
    body = (
      <Table.ScrollContainer minWidth={1100}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="batches-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('batches.col.title')}</Table.Th>
              <Table.Th>{t('import.col.source')}</Table.Th>
              <Table.Th>{t('import.col.region')}</Table.Th>
              <Table.Th>{t('import.col.organization')}</Table.Th>
              <Table.Th>{t('import.col.sender')}</Table.Th>
              <Table.Th>{t('batches.col.fileName')}</Table.Th>
              <Table.Th>{t('batches.col.rows')}</Table.Th>
              <Table.Th>{t('batches.col.status')}</Table.Th>
              <Table.Th>{t('batches.col.receivedAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((b) => (
              <Table.Tr
                key={b.id}
                data-testid="batch-row"
                data-batch-id={b.id}
                data-title={b.title}
                data-status={b.status}
                data-pending={b.pending}
                data-source={b.source}
                data-rejected={b.rejectedCount}
              >
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => onOpen(b.id)} data-testid="batch-open" aria-label={t('import.open', { title: b.title })}>
                    <Text size="sm" fw={500} data-testid="batch-title" span>
                      {b.title}
                    </Text>
                  </Button>
                  {b.pending && (
                    <Badge size="xs" color="orange" variant="light" data-testid="row-pending">
                      {t('table.pending')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td data-testid="batch-source">
                  <Badge size="sm" variant="outline" color={b.source === 'file' ? 'grape' : 'blue'}>
                    {b.source === 'file' ? t('import.source.file') : t('import.source.app')}
                  </Badge>
                </Table.Td>
                <Table.Td data-testid="batch-region">{regionName(b.region) ?? t('common.empty')}</Table.Td>
                <Table.Td data-testid="batch-organization">{b.organization ?? t('common.empty')}</Table.Td>
                <Table.Td data-testid="batch-physician">{b.source === 'file' ? (b.referrer ?? b.physicianName) : b.physicianName}</Table.Td>
                <Table.Td data-testid="batch-file">{b.fileName ?? t('common.empty')}</Table.Td>
                <Table.Td>
                  <Text size="sm" data-testid="batch-rows" span>
                    {b.rowCount}
                  </Text>
                  {b.rejectedCount > 0 && (
                    <Text size="xs" c="red.7" data-testid="batch-rejected" data-count={b.rejectedCount}>
                      {t('import.rejectedInFile', { count: b.rejectedCount })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={BATCH_COLOR[b.status]} variant="light" data-testid="batch-status">
                    {batchStatusLabel(b.status)}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(b.receivedAt ?? b.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );
  }

  return (
    <Stack gap="md" data-testid="import-inbox">
      <Title order={2}>{t('batches.title')}</Title>
      <Paper
        withBorder
        p="md"
        data-testid="import-dropzone"
        data-over={over}
        style={{ borderStyle: 'dashed', borderWidth: 2, background: over ? 'var(--mantine-color-blue-0)' : undefined }}
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          onFiles([...e.dataTransfer.files]);
        }}
      >
        <Group justify="space-between" wrap="nowrap">
          <Stack gap={2}>
            <Text fw={600}>{t('import.drop.title')}</Text>
            <Text size="sm" c="dimmed">
              {t('import.drop.body')}
            </Text>
          </Stack>
          <Button onClick={() => input.current?.click()} disabled={busy} data-testid="import-choose-files">
            {t('import.drop.choose')}
          </Button>
          <input
            ref={input}
            type="file"
            multiple
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            hidden
            data-testid="import-file-input"
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              onFiles(files);
            }}
          />
        </Group>
      </Paper>
      {body}
    </Stack>
  );
}
