import { ActionIcon, Badge, Button, Group, Modal, Progress, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useRef, useState } from 'react';
import type { DraftSummary, ReadFileOutput } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { hasMessage, t, type MessageId } from '../../i18n';
import { formatDateTime, formatInstant } from '../../i18n/format';
import { useRpc, useRpcEvent } from '../../rpc/context';
import { EmptyState } from '../components/EmptyState';
import { NotLoaded } from '../components/ListStatus';
import { notifyError, notifySuccess } from '../notify';
import { useLiveQuery } from '../use-live-query';
import { DraftEditor } from './DraftEditor';
import { downloadBase64, MAX_FILE_BYTES, readAsBase64 } from './files';
import { MappingConfirm, type MappingChoice } from './MappingConfirm';

type Screen = { kind: 'list' } | { kind: 'mapping'; file: { fileName: string; base64: string }; result: ReadFileOutput } | { kind: 'grid'; draftId: string };

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

function newJobId(): string {
  return crypto.randomUUID();
}

/**
 * «Таблицы направлений»: the physician's drafts; from here a new empty table, an XLSX file read
 * by the services (with progress and «Отмена»), the template; then the mapping check and the grid.
 */
export function DraftsView() {
  const rpc = useRpc();
  const [screen, setScreen] = useState<Screen>({ kind: 'list' });
  const [job, setJob] = useState<Job | null>(null);
  const cancelled = useRef(new Set<string>());

  useRpcEvent('job.progress', (p) => {
    setJob((j) => (j && j.jobId === p.jobId ? { ...j, label: p.label, done: p.done, total: p.total } : j));
  });

  const readFile = async (file: { fileName: string; base64: string }, mapping?: { signature: string; columns: MappingChoice[] }) => {
    const jobId = newJobId();
    setJob({ jobId, fileName: file.fileName, label: '', done: 0, total: null });
    try {
      const result = await rpc.call('referral.readFile', { ...file, jobId, ...(mapping ? { signature: mapping.signature, mapping: mapping.columns } : {}) });
      if (cancelled.current.has(jobId)) return;
      setScreen({ kind: 'mapping', file, result });
    } catch (e) {
      if (!cancelled.current.has(jobId)) notifyError(e);
    } finally {
      setJob((j) => (j?.jobId === jobId ? null : j));
    }
  };

  const cancelJob = () => {
    if (!job) return;
    cancelled.current.add(job.jobId);
    const id = job.jobId;
    setJob(null);
    notifySuccess(t('drafts.reading.cancelled'));
    rpc.call('referral.cancelJob', { jobId: id }).catch(() => undefined);
  };

  const onFile = async (f: File) => {
    if (f.size > MAX_FILE_BYTES) {
      notifyError(new RpcError('PAYLOAD_TOO_LARGE', t('drafts.fileTooLarge')));
      return;
    }
    if (!/\.xlsx$/i.test(f.name)) {
      notifyError(new RpcError('VALIDATION_FAILED', t('drafts.fileNotXlsx')));
      return;
    }
    try {
      const base64 = await readAsBase64(f);
      await readFile({ fileName: f.name, base64 });
    } catch (e) {
      notifyError(e);
    }
  };

  const confirmMapping = async (title: string, mapping: MappingChoice[], result: ReadFileOutput) => {
    setJob({ jobId: '', fileName: result.fileName, label: '', done: 0, total: null });
    try {
      await rpc.call('referral.rememberMapping', { signature: result.signature, mapping });
      const draft = await rpc.call('drafts.create', { title, fileName: result.fileName, fileHash: result.fileHash, rows: result.rows });
      setScreen({ kind: 'grid', draftId: draft.id });
    } catch (e) {
      notifyError(e);
    } finally {
      setJob(null);
    }
  };

  let body;
  if (screen.kind === 'grid') {
    body = <DraftEditor key={screen.draftId} draftId={screen.draftId} onBack={() => setScreen({ kind: 'list' })} />;
  } else if (screen.kind === 'mapping') {
    body = (
      <MappingConfirm
        key={`${screen.result.fileHash}:${screen.result.signature}:${JSON.stringify(screen.result.columns)}`}
        result={screen.result}
        busy={job !== null}
        onApply={(m) => void readFile(screen.file, { signature: screen.result.signature, columns: m })}
        onConfirm={(title, m) => void confirmMapping(title, m, screen.result)}
        onCancel={() => setScreen({ kind: 'list' })}
      />
    );
  } else {
    body = <DraftList onOpen={(id) => setScreen({ kind: 'grid', draftId: id })} onFile={(f) => void onFile(f)} busy={job !== null} />;
  }

  return (
    <>
      {body}
      <Modal
        opened={job !== null && job.jobId !== ''}
        onClose={cancelJob}
        withCloseButton={false}
        closeOnClickOutside={false}
        title={job ? t('drafts.reading', { fileName: job.fileName }) : ''}
        data-testid="read-progress"
      >
        {job && (
          <Stack>
            <Progress
              value={job.total ? Math.min(100, (job.done / job.total) * 100) : 100}
              animated={!job.total}
              striped={!job.total}
              data-testid="read-progress-bar"
              aria-label={t('drafts.reading', { fileName: job.fileName })}
            />
            {job.label && (
              <Text size="sm" c="dimmed" data-testid="read-progress-label">
                {job.total ? t('drafts.reading.progress', { label: stageText(job.label), done: job.done, total: job.total }) : stageText(job.label)}
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={cancelJob} data-testid="read-cancel">
                {t('common.cancel')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

function DraftList({ onOpen, onFile, busy }: { onOpen: (id: string) => void; onFile: (f: File) => void; busy: boolean }) {
  const rpc = useRpc();
  const list = useLiveQuery('drafts', () => rpc.call('drafts.list'));
  const [creating, setCreating] = useState(false);
  const [newTitle, setNewTitle] = useState('');
  const [titleError, setTitleError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<DraftSummary | null>(null);
  const [downloading, setDownloading] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const create = async () => {
    const title = newTitle.trim();
    if (!title) {
      setTitleError(t('drafts.newTitle.required'));
      return;
    }
    setSaving(true);
    try {
      // A new table opens with one empty row to type into (empty rows are neither checked nor sent).
      const d = await rpc.call('drafts.create', { title, rows: [{ row: 1, cells: {}, excluded: false }] });
      setCreating(false);
      setNewTitle('');
      onOpen(d.id);
    } catch (e) {
      if (e instanceof RpcError && e.code === 'VALIDATION_FAILED') setTitleError(e.issues?.[0]?.message ?? e.message);
      else notifyError(e);
    } finally {
      setSaving(false);
    }
  };

  const template = async () => {
    setDownloading(true);
    try {
      const f = await rpc.call('referral.template');
      downloadBase64(f.fileName || t('drafts.templateName'), f.base64);
    } catch (e) {
      notifyError(e);
    } finally {
      setDownloading(false);
    }
  };

  const remove = async (d: DraftSummary) => {
    try {
      await rpc.call('drafts.delete', { id: d.id });
      setDeleting(null);
      notifySuccess(t('drafts.deleted', { title: d.title }));
      list.reload();
    } catch (e) {
      notifyError(e);
    }
  };

  let table;
  if (list.data === undefined) {
    table = <NotLoaded query={list} />;
  } else if (list.data.items.length === 0) {
    table = <EmptyState testId="drafts-empty" title={t('drafts.empty.title')} body={t('drafts.empty.body')} />;
  } else {
    table = (
      <Table.ScrollContainer minWidth={720}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="drafts-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('drafts.col.title')}</Table.Th>
              <Table.Th>{t('drafts.col.rows')}</Table.Th>
              <Table.Th>{t('drafts.col.updated')}</Table.Th>
              <Table.Th>{t('drafts.col.state')}</Table.Th>
              <Table.Th>{t('table.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((d) => (
              <Table.Tr key={d.id} data-testid="draft-row" data-draft-id={d.id} data-title={d.title} data-sent={d.sentBatchId !== null}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => onOpen(d.id)} data-testid="draft-open">
                    {d.title}
                  </Button>
                  {d.fileName && (
                    <Text size="xs" c="dimmed">
                      {d.fileName}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-testid="draft-rows">{d.rowCount}</Table.Td>
                <Table.Td>{formatInstant(d.updatedAt)}</Table.Td>
                <Table.Td>
                  {d.sentAt ? (
                    <Badge color="teal" variant="light" data-testid="draft-state">
                      {t('drafts.state.sent', { date: formatDateTime(d.sentAt) })}
                    </Badge>
                  ) : (
                    <Badge color="gray" variant="light" data-testid="draft-state">
                      {t('drafts.state.draft')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Tooltip label={t('drafts.delete.aria', { title: d.title })}>
                    <ActionIcon variant="subtle" color="red" aria-label={t('drafts.delete.aria', { title: d.title })} onClick={() => setDeleting(d)} data-testid="draft-delete">
                      ✕
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );
  }

  return (
    <Stack gap="md" data-testid="drafts-list">
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('drafts.title')}</Title>
        <Group gap="sm">
          <Button variant="default" onClick={() => void template()} loading={downloading} data-testid="drafts-template">
            {t('drafts.template')}
          </Button>
          <Button variant="light" onClick={() => fileInput.current?.click()} disabled={busy} data-testid="drafts-upload">
            {t('drafts.upload')}
          </Button>
          <input
            ref={fileInput}
            type="file"
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            hidden
            data-testid="drafts-file-input"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) onFile(f);
            }}
          />
          <Button onClick={() => setCreating(true)} data-testid="drafts-new">
            {t('drafts.new')}
          </Button>
        </Group>
      </Group>
      {table}

      <Modal opened={creating} onClose={() => setCreating(false)} title={t('drafts.newTitle.heading')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
          data-testid="drafts-new-form"
        >
          <Stack>
            <TextInput
              label={t('drafts.newTitle.label')}
              placeholder={t('drafts.newTitle.placeholder')}
              value={newTitle}
              onChange={(e) => {
                setNewTitle(e.currentTarget.value);
                setTitleError(null);
              }}
              error={titleError}
              maxLength={200}
              data-autofocus
              data-testid="drafts-new-title"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setCreating(false)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={saving} data-testid="drafts-new-submit">
                {t('drafts.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('drafts.delete.title')}>
        {deleting && (
          <Stack data-testid="drafts-delete-confirm">
            <Text size="sm">{t('drafts.delete.body', { title: deleting.title })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(null)}>
                {t('common.cancel')}
              </Button>
              <Button color="red" onClick={() => void remove(deleting)} data-testid="drafts-delete-submit">
                {t('common.delete')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
