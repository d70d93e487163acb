import { Alert, Badge, Button, Group, Loader, Modal, NumberInput, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useViewportSize } from '@mantine/hooks';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { REFERRAL_BATCH_MAX_ROWS } from '../../../shared/domain/referrals';
import { REFERRAL_DRAFT_MAX_ROWS, type Draft } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { formatDateTime } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { LoadFailed, FirstLoad } from '../components/ListStatus';
import { notifyError, notifySuccess } from '../notify';
import { downloadBase64 } from './files';
import { isFieldKey } from './field-options';
import { appendRow, commit, deleteRows, historyOf, redo, setCells, setExcluded, undo, type Block, type CellChange, type History, type Rows } from './grid-model';
import { ProblemsPanel, type Problem } from './ProblemsPanel';
import { ReferralGrid, type GridHandle } from './ReferralGrid';
import { useFlushBeforeLock } from '../flush-before-lock';
import { useDraftValidation } from './use-draft-validation';

type SaveState = 'saved' | 'saving' | 'failed';

const SAVE_DEBOUNCE_MS = 1000;

/** `drafts.send` refusals name cells as `<row>.<field>`. */
function parseIssues(e: RpcError): { row: number; field: string; message: string }[] {
  return (e.issues ?? []).flatMap((i) => {
    const m = /^(\d+)\.(\w+)$/.exec(i.path);
    return m ? [{ row: Number(m[1]), field: m[2]!, message: i.message }] : [];
  });
}

/**
 * One draft in the grid: edits go into an undo history and are saved a second after they stop
 * (the services keep the draft in the local store, so it survives a restart); problems are
 * checked as you type; «Отправить» is offered only when no included row has a problem.
 */
export function DraftEditor({ draftId, onBack }: { draftId: string; onBack: () => void }) {
  const rpc = useRpc();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [history, setHistory] = useState<History>(historyOf([]));
  const [title, setTitle] = useState('');
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [sel, setSel] = useState<Block>({ top: 0, left: 0, bottom: 0, right: 0 });
  const [confirmSend, setConfirmSend] = useState(false);
  const [sending, setSending] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [serverProblems, setServerProblems] = useState<{ row: number; field: string; message: string }[]>([]);
  const [gotoRow, setGotoRow] = useState<string | number>('');
  const grid = useRef<GridHandle>(null);
  const { height: vh } = useViewportSize();

  const rows = history.present;
  const readOnly = draft?.sentBatchId != null;

  const load = useCallback(() => {
    setLoadError(null);
    rpc.call('drafts.get', { id: draftId }).then(
      (d) => {
        setDraft(d);
        setTitle(d.title);
        setHistory(historyOf(d.rows));
        saved.current = { rows: d.rows, title: d.title };
      },
      (e: unknown) => setLoadError(e),
    );
  }, [rpc, draftId]);
  useEffect(load, [load]);

  // ── autosave ──
  const saved = useRef<{ rows: Rows; title: string } | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const latest = useRef({ rows, title });
  useEffect(() => {
    latest.current = { rows, title };
  });

  const saveNow = useCallback(async (): Promise<void> => {
    while (inFlight.current) await inFlight.current;
    const base = saved.current;
    if (!base) return;
    const { rows: r, title: rawTitle } = latest.current;
    const ti = rawTitle.trim() || base.title;
    if (r === base.rows && ti === base.title) {
      setSaveState('saved');
      return;
    }
    setSaveState('saving');
    const p = rpc
      .call('drafts.save', { id: draftId, title: ti, rows: [...r] })
      .then(
        () => {
          saved.current = { rows: r, title: ti };
          const now = latest.current;
          setSaveState(now.rows === r && (now.title.trim() || ti) === ti ? 'saved' : 'saving');
        },
        (e: unknown) => {
          setSaveState('failed');
          throw e;
        },
      )
      .finally(() => {
        inFlight.current = null;
      });
    inFlight.current = p.catch(() => undefined);
    return p;
  }, [rpc, draftId]);

  useEffect(() => {
    const base = saved.current;
    if (!base || readOnly) return;
    if (rows === base.rows && (title.trim() || base.title) === base.title) return;
    setSaveState((s) => (s === 'failed' ? s : 'saving'));
    const timer = setTimeout(() => void saveNow().catch(() => undefined), SAVE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [rows, title, readOnly, saveNow]);

  // Leaving the editor (or locking the workstation) does not lose the last second of typing.
  useEffect(
    () => () => {
      void saveNow().catch(() => undefined);
    },
    [saveNow],
  );
  useFlushBeforeLock(saveNow);

  // ── validation ──
  const { issues, checking } = useDraftValidation(rows, draft !== null && !readOnly);
  const problems = useMemo(() => {
    const out: Problem[] = [];
    rows.forEach((r, index) => {
      if (r.excluded) return;
      for (const i of issues.get(r.row) ?? []) out.push({ index, row: r.row, field: i.field, message: i.message });
    });
    return out;
  }, [rows, issues]);
  const serverList = useMemo<Problem[]>(
    () =>
      serverProblems.flatMap((p) =>
        isFieldKey(p.field) ? [{ index: rows.findIndex((r) => r.row === p.row), row: p.row, field: p.field, message: p.message }] : [],
      ),
    [serverProblems, rows],
  );
  const shownProblems = serverList.length > 0 && problems.length === 0 && checking ? serverList : problems.length > 0 ? problems : serverList;
  const includedRows = useMemo(() => rows.filter((r) => !r.excluded && Object.values(r.cells).some((v) => v && v.trim() !== '')).length, [rows]);
  const onJump = useCallback(
    (p: Problem) => {
      const index = p.index >= 0 ? p.index : rows.findIndex((r) => r.row === p.row);
      if (index >= 0) grid.current?.focusCell(index, p.field);
    },
    [rows],
  );

  // ── edits ──
  const apply = useCallback((fn: (r: History['present']) => History['present']) => {
    setHistory((h) => commit(h, fn(h.present)));
    setServerProblems([]);
  }, []);
  const onChanges = useCallback(
    (changes: CellChange[]) => {
      let truncated = false;
      apply((r) => {
        const res = setCells(r, changes, REFERRAL_DRAFT_MAX_ROWS);
        truncated = res.truncated;
        return res.rows;
      });
      if (truncated) notifyError(new RpcError('VALIDATION_FAILED', t('grid.pasteTooMany', { max: REFERRAL_DRAFT_MAX_ROWS })));
    },
    [apply],
  );
  const onUndo = useCallback(() => setHistory(undo), []);
  const onRedo = useCallback(() => setHistory(redo), []);

  const addRow = () => {
    if (rows.length >= REFERRAL_DRAFT_MAX_ROWS) {
      notifyError(new RpcError('VALIDATION_FAILED', t('grid.rowsTooMany', { max: REFERRAL_DRAFT_MAX_ROWS })));
      return;
    }
    apply(appendRow);
    const index = rows.length;
    requestAnimationFrame(() => grid.current?.focusCell(index, 'lastName'));
  };
  const removeRows = () => {
    apply((r) => deleteRows(r, sel.top, sel.bottom));
    grid.current?.focus();
  };
  const exclude = (excluded: boolean) => {
    apply((r) => setExcluded(r, sel.top, sel.bottom, excluded));
    grid.current?.focus();
  };
  const goTo = (n: number) => {
    const index = rows.findIndex((r) => r.row === n);
    if (index >= 0) grid.current?.focusCell(index, 'lastName');
  };

  const selectedExcluded = rows.slice(sel.top, sel.bottom + 1).every((r) => r.excluded);

  // ── send / export ──
  const send = async () => {
    setSending(true);
    try {
      await saveNow();
      await rpc.call('drafts.send', { id: draftId });
      setConfirmSend(false);
      notifySuccess(t('grid.sent.toast', { title: title.trim() || draft?.title || '' }));
      load();
    } catch (e) {
      setConfirmSend(false);
      if (e instanceof RpcError && e.code === 'VALIDATION_FAILED') setServerProblems(parseIssues(e));
      notifyError(e);
    } finally {
      setSending(false);
    }
  };
  const exportXlsx = async () => {
    setExporting(true);
    try {
      if (!readOnly) await saveNow();
      const file = await rpc.call('drafts.export', { id: draftId });
      downloadBase64(file.fileName, file.base64);
    } catch (e) {
      notifyError(e);
    } finally {
      setExporting(false);
    }
  };

  if (!draft) {
    return loadError ? <LoadFailed error={loadError} retry={load} /> : <FirstLoad />;
  }

  const problemCount = problems.length;
  const canSend = !readOnly && !checking && problemCount === 0 && includedRows > 0 && includedRows <= REFERRAL_BATCH_MAX_ROWS;
  const tooMany = includedRows > REFERRAL_BATCH_MAX_ROWS;
  const sendHint =
    problemCount > 0
      ? t('grid.send.blocked', { count: problemCount })
      : includedRows === 0
        ? t('grid.send.empty')
        : tooMany
          ? t('grid.send.tooMany', { max: REFERRAL_BATCH_MAX_ROWS })
          : null;
  const gridHeight = Math.max(280, (vh || 800) - (readOnly ? 300 : 420));

  const saveBadge =
    saveState === 'saved' ? (
      <Badge color="teal" variant="light" data-testid="grid-save-state" data-state="saved">
        {t('grid.saved')}
      </Badge>
    ) : saveState === 'saving' ? (
      <Badge color="gray" variant="light" data-testid="grid-save-state" data-state="saving" leftSection={<Loader size={10} />}>
        {t('grid.saving')}
      </Badge>
    ) : (
      <Tooltip label={t('common.retry')}>
        <Badge
          color="red"
          variant="light"
          data-testid="grid-save-state"
          data-state="failed"
          component="button"
          onClick={() => void saveNow().catch(notifyError)}
          style={{ cursor: 'pointer' }}
        >
          {t('grid.saveFailed')}
        </Badge>
      </Tooltip>
    );

  return (
    <Stack gap="sm" data-testid="draft-editor" data-draft-id={draftId} data-readonly={readOnly}>
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <Group align="flex-end" wrap="nowrap" gap="sm">
          <Button variant="subtle" onClick={onBack} data-testid="grid-back">
            ← {t('grid.back')}
          </Button>
          <TextInput
            aria-label={t('drafts.newTitle.label')}
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            readOnly={readOnly}
            w={360}
            maxLength={200}
            data-testid="grid-title"
          />
          {!readOnly && saveBadge}
        </Group>
        <Group gap="sm" wrap="nowrap">
          <Button variant="default" onClick={() => void exportXlsx()} loading={exporting} data-testid="grid-export">
            {t('grid.export')}
          </Button>
          {!readOnly && (
            <Tooltip label={sendHint} disabled={!sendHint}>
              <span>
                <Button
                  onClick={() => setConfirmSend(true)}
                  disabled={!canSend}
                  data-testid="grid-send"
                  data-problems={problemCount}
                  data-checking={checking}
                >
                  {t('grid.send')}
                  {problemCount > 0 && ` (${problemCount})`}
                </Button>
              </span>
            </Tooltip>
          )}
        </Group>
      </Group>

      {readOnly && draft.sentAt && (
        <Alert color="teal" data-testid="grid-sent" title={t('grid.readOnly', { date: formatDateTime(draft.sentAt) })}>
          {t('grid.readOnly.hint')}
        </Alert>
      )}
      {!readOnly && sendHint && (
        <Text size="sm" c={problemCount > 0 ? 'red.8' : 'dimmed'} data-testid="grid-send-hint">
          {sendHint}
        </Text>
      )}

      <Group gap="xs" data-testid="grid-toolbar">
        {!readOnly && (
          <>
            <Button size="xs" variant="light" onClick={addRow} data-testid="grid-add-row">
              {t('grid.addRow')}
            </Button>
            <Button size="xs" variant="light" color="red" onClick={removeRows} disabled={rows.length === 0} data-testid="grid-delete-rows">
              {t('grid.deleteRows')}
            </Button>
            <Button size="xs" variant="light" color="gray" onClick={() => exclude(!selectedExcluded)} disabled={rows.length === 0} data-testid="grid-exclude">
              {selectedExcluded && rows.length > 0 ? t('grid.include') : t('grid.exclude')}
            </Button>
            <Button size="xs" variant="default" onClick={onUndo} disabled={history.past.length === 0} data-testid="grid-undo">
              {t('grid.undo')}
            </Button>
            <Button size="xs" variant="default" onClick={onRedo} disabled={history.future.length === 0} data-testid="grid-redo">
              {t('grid.redo')}
            </Button>
          </>
        )}
        <NumberInput
          size="xs"
          w={120}
          min={1}
          placeholder={t('grid.rowNumber')}
          aria-label={t('grid.rowNumber')}
          value={gotoRow}
          onChange={setGotoRow}
          hideControls
          onKeyDown={(e) => {
            if (e.key === 'Enter' && typeof gotoRow === 'number') goTo(gotoRow);
          }}
          data-testid="grid-goto"
        />
        <Text size="xs" c="dimmed" data-testid="grid-selection">
          {t('rows.count', { count: rows.length })} · {t('grid.selection', { rows: sel.bottom - sel.top + 1, cols: sel.right - sel.left + 1 })}
        </Text>
      </Group>

      <ReferralGrid
        ref={grid}
        rows={rows}
        issues={issues}
        readOnly={readOnly}
        height={gridHeight}
        onChanges={onChanges}
        onUndo={onUndo}
        onRedo={onRedo}
        onSelectionChange={setSel}
      />

      {!readOnly && (
        <ProblemsPanel problems={shownProblems} total={shownProblems.length} onJump={onJump} />
      )}

      <Modal opened={confirmSend} onClose={() => setConfirmSend(false)} title={t('grid.send.title')} data-testid="grid-send-confirm">
        <Stack>
          <Text size="sm">{t('grid.send.body', { count: includedRows })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmSend(false)} data-testid="grid-send-cancel">
              {t('common.cancel')}
            </Button>
            <Button onClick={() => void send()} loading={sending} data-testid="grid-send-confirm-button">
              {t('grid.send')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
