import { ActionIcon, Alert, Badge, Button, Checkbox, Group, Loader, Modal, Radio, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { getHotkeyHandler } from '@mantine/hooks';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConclusionDraftContent } from '../../../shared/domain/conclusions';
import type { ConclusionDraft, PatientCard } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { formatDateTime, fullName } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { documentTypeLabel } from '../documents/document-labels';
import { profileName } from '../labels';
import { errorMessage, notifyError, notifySuccess } from '../notify';
import { downloadBase64 } from '../referrals/files';
import { useLiveQuery } from '../use-live-query';
import { useFlushBeforeLock } from '../flush-before-lock';
import { checkIcd, contentFromRequest, issuesByPath, toggleReviewed } from './editor-model';

const AUTOSAVE_MS = 700;

type SaveState = 'idle' | 'dirty' | 'saving' | 'saved' | 'error';

/**
 * The structured conclusion editor. The draft is saved to the local store as the doctor types
 * (debounced), so it survives offline work and restarts; «Выдать» checks it in the services
 * (issues come back per field), queues it, and the server's signed version arrives by sync.
 * `patientId` (optional: the card passes it) lets the doctor pick the reviewed documents from
 * the patient's own and shows when the issued version has arrived.
 */
export function ConclusionEditor({ requestId, consultationId, onClose, patientId }: { requestId: string; consultationId: string | null; onClose: () => void; patientId?: string }) {
  const rpc = useRpc();
  const card = useLiveQuery(`editor-card:${patientId ?? ''}`, () => (patientId ? rpc.call('patients.card', { patientId }) : Promise.resolve(null)));
  const [loaded, setLoaded] = useState<ConclusionDraft | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [content, setContent] = useState<ConclusionDraftContent | null>(null);
  const [correctsId, setCorrectsId] = useState<string | null>(null);
  const [draftConsultationId, setDraftConsultationId] = useState<string | null>(consultationId);
  const [save, setSave] = useState<{ state: SaveState; at: string | null }>({ state: 'idle', at: null });
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [issuing, setIssuing] = useState(false);
  const [previewing, setPreviewing] = useState(false);
  const [issuedId, setIssuedId] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef<ConclusionDraftContent | null>(null);
  const frozen = useRef(false);

  const cardData: PatientCard | null | undefined = card.data;
  const request = cardData?.requests.find((r) => r.id === requestId) ?? null;

  // Load once: the saved draft, or a fresh one from what the request says (not saved until edited).
  useEffect(() => {
    let live = true;
    rpc.call('conclusions.getDraft', { requestId }).then(
      (d) => {
        if (!live) return;
        setLoaded(d);
        if (d) {
          setContent(d.content);
          setCorrectsId(d.correctsId);
          setDraftConsultationId(d.consultationId ?? consultationId);
          setSave({ state: 'saved', at: d.updatedAt });
        }
      },
      (e: unknown) => live && setLoadError(e),
    );
    return () => {
      live = false;
    };
  }, [rpc, requestId, consultationId]);
  useEffect(() => {
    if (loaded === null && content === null && cardData !== undefined) setContent(request ? contentFromRequest(request) : contentFromRequest({ complaints: null, icd10: null, diagnosis: null }));
  }, [loaded, content, cardData, request]);

  const flush = useCallback(async (): Promise<boolean> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const c = latest.current;
    if (!c || frozen.current) return true;
    latest.current = null;
    setSave((s) => ({ ...s, state: 'saving' }));
    try {
      const saved = await rpc.call('conclusions.saveDraft', { requestId, consultationId: draftConsultationId, correctsId, content: c });
      setSave({ state: latest.current ? 'dirty' : 'saved', at: saved.updatedAt });
      return true;
    } catch (e) {
      latest.current ??= c;
      setSave((s) => ({ ...s, state: 'error' }));
      notifyError(e);
      return false;
    }
  }, [rpc, requestId, draftConsultationId, correctsId]);

  // Whatever is typed last before the editor goes away (or the workstation locks) is saved too.
  useEffect(() => () => void flush(), [flush]);
  useFlushBeforeLock(flush);

  const change = (next: ConclusionDraftContent, ...paths: string[]) => {
    setContent(next);
    latest.current = next;
    if (paths.length > 0) {
      setIssues((old) => {
        const copy = { ...old };
        for (const p of paths) delete copy[p];
        return copy;
      });
    }
    setSave((s) => ({ ...s, state: 'dirty' }));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), AUTOSAVE_MS);
  };

  const close = () => {
    void flush().then(onClose);
  };

  const preview = async () => {
    setPreviewing(true);
    try {
      if (await flush()) {
        if (!content) return;
        // Nothing typed yet: the preview still needs a draft to render.
        if (loaded === null && save.state === 'idle') await rpc.call('conclusions.saveDraft', { requestId, consultationId: draftConsultationId, correctsId, content });
        const pdf = await rpc.call('conclusions.preview', { requestId });
        downloadBase64(pdf.fileName, pdf.base64, 'application/pdf');
        notifySuccess(t('conclusion.preview.saved', { fileName: pdf.fileName }));
      }
    } catch (e) {
      notifyError(e);
    } finally {
      setPreviewing(false);
    }
  };

  const issue = async () => {
    setIssuing(true);
    setFormError(null);
    try {
      if (!(await flush()) || !content) return;
      if (save.state === 'idle') await rpc.call('conclusions.saveDraft', { requestId, consultationId: draftConsultationId, correctsId, content });
      frozen.current = true;
      const issued = await rpc.call('conclusions.issue', { requestId });
      setConfirming(false);
      setIssuedId(issued.id);
      notifySuccess(t('conclusion.issue.queued', { version: issued.version }));
    } catch (e) {
      frozen.current = false;
      setConfirming(false);
      if (e instanceof RpcError && e.code === 'VALIDATION_FAILED') {
        setIssues(issuesByPath(e.issues));
        setFormError(e.message);
      } else {
        setFormError(errorMessage(e));
      }
    } finally {
      setIssuing(false);
    }
  };

  const issuedVersion = issuedId ? cardData?.conclusions.find((c) => c.id === issuedId) : undefined;
  const patientName = cardData ? fullName(cardData.patient) : null;
  const title = correctsId ? t('conclusion.title.correction') : t('conclusion.title');

  let body;
  if (loadError) {
    body = (
      <Alert color="red" role="alert" data-testid="editor-load-error">
        {errorMessage(loadError)}
      </Alert>
    );
  } else if (content === null) {
    body = <Loader size="sm" aria-label={t('app.loading')} />;
  } else if (issuedId) {
    body = <Issued pending={issuedVersion ? issuedVersion.pending : true} version={issuedVersion?.version ?? null} onClose={onClose} />;
  } else {
    body = (
      <Form
        content={content}
        issues={issues}
        documents={cardData?.documents ?? []}
        onChange={change}
      />
    );
  }

  const corrected = correctsId ? cardData?.conclusions.find((c) => c.id === correctsId) : undefined;
  return (
    <Modal
      opened
      onClose={close}
      fullScreen
      title={
        <Stack gap={0}>
          <Title order={2} size="h3">
            {title}
          </Title>
          {(patientName || request) && (
            <Text size="sm" c="dimmed" data-testid="editor-subtitle">
              {[patientName, request ? profileName(request.centre, request.profile) : null].filter(Boolean).join(' · ')}
            </Text>
          )}
        </Stack>
      }
      closeButtonProps={{ 'aria-label': t('common.close') }}
      data-testid="conclusion-editor"
    >
      <Stack gap="md" maw={980} mx="auto" onKeyDown={getHotkeyHandler([['mod+S', () => void flush()]])} data-testid="conclusion-editor-body" data-correction={correctsId !== null}>
        {correctsId && (
          <Alert color="yellow" data-testid="editor-correction">
            {corrected ? t('conclusion.correction.of', { version: corrected.version }) : t('conclusion.correction')}
          </Alert>
        )}
        {formError && (
          <Alert color="red" role="alert" title={t('conclusion.issue.failed')} data-testid="editor-errors">
            {formError}
          </Alert>
        )}
        {body}
        {!issuedId && content !== null && (
          <Group justify="space-between" pt="sm" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
            <SaveIndicator state={save.state} at={save.at} />
            <Group gap="sm">
              <Button variant="default" onClick={close} data-testid="editor-close">
                {t('common.close')}
              </Button>
              <Button variant="light" onClick={() => void preview()} loading={previewing} data-testid="editor-preview">
                {t('conclusion.preview')}
              </Button>
              <Button onClick={() => setConfirming(true)} data-testid="editor-issue">
                {t('conclusion.issue')}
              </Button>
            </Group>
          </Group>
        )}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('conclusion.issue.confirm.title')} centered data-testid="issue-confirm">
        <Stack gap="md">
          <Text size="sm">{t('conclusion.issue.confirm.body')}</Text>
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setConfirming(false)} data-testid="issue-confirm-cancel">
              {t('common.cancel')}
            </Button>
            <Button onClick={() => void issue()} loading={issuing} data-autofocus data-testid="issue-confirm-submit">
              {t('conclusion.issue.confirm.submit')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Modal>
  );
}

function SaveIndicator({ state, at }: { state: SaveState; at: string | null }) {
  const label =
    state === 'saving'
      ? t('conclusion.save.saving')
      : state === 'dirty'
        ? t('conclusion.save.dirty')
        : state === 'error'
          ? t('conclusion.save.error')
          : state === 'saved' && at
            ? t('conclusion.save.saved', { at: formatDateTime(at) })
            : t('conclusion.save.idle');
  return (
    <Text size="sm" c={state === 'error' ? 'red.7' : 'dimmed'} role="status" aria-live="polite" data-testid="draft-status" data-state={state}>
      {label}
    </Text>
  );
}

function Issued({ pending, version, onClose }: { pending: boolean; version: number | null; onClose: () => void }) {
  return (
    <Alert color={pending ? 'orange' : 'green'} data-testid="editor-issued" data-pending={pending} title={pending ? t('conclusion.issued.pendingTitle') : t('conclusion.issued.title', { version: version ?? 1 })}>
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{pending ? t('conclusion.issued.pending') : t('conclusion.issued.done')}</Text>
        <Button size="xs" onClick={onClose} data-testid="editor-done">
          {t('common.close')}
        </Button>
      </Stack>
    </Alert>
  );
}

function IcdHint({ raw, error }: { raw: string; error: string | undefined }) {
  if (error) return null;
  const c = checkIcd(raw);
  if (c.state === 'ok' && c.name) return <>{t('conclusion.icd.known', { code: c.code, name: c.name })}</>;
  if (c.state === 'ok') return <>{t('conclusion.icd.shape', { code: c.code })}</>;
  return null;
}

function icdError(raw: string, issue: string | undefined): string | undefined {
  if (issue) return issue;
  return checkIcd(raw).state === 'invalid' ? t('conclusion.icd.invalid') : undefined;
}

function Form({
  content: c,
  issues,
  documents,
  onChange,
}: {
  content: ConclusionDraftContent;
  issues: Record<string, string>;
  documents: PatientCard['documents'];
  onChange: (next: ConclusionDraftContent, ...paths: string[]) => void;
}) {
  const main = c.mainDiagnosis ?? { icd10: '', text: '' };
  const free = c.documentsReviewed.map((d, i) => ({ d, i })).filter(({ d }) => d.documentId === null || !documents.some((x) => x.id === d.documentId));
  // On leaving the code: «i25,1» becomes «I25.1», and an empty diagnosis takes the directory's name.
  const tidy = (d: { icd10: string; text: string }) => {
    const k = checkIcd(d.icd10);
    if (k.state !== 'ok') return d;
    return { icd10: k.code, text: d.text.trim() === '' && k.name ? k.name : d.text };
  };
  return (
    <Stack gap="md" data-testid="conclusion-form">
      <Textarea label={t('conclusion.field.complaints')} autosize minRows={2} maxRows={10} maxLength={4000} value={c.complaints} onChange={(e) => onChange({ ...c, complaints: e.currentTarget.value }, 'complaints')} error={issues.complaints} data-testid="field-complaints" data-autofocus />
      <Textarea label={t('conclusion.field.anamnesis')} autosize minRows={2} maxRows={12} maxLength={8000} value={c.anamnesis} onChange={(e) => onChange({ ...c, anamnesis: e.currentTarget.value }, 'anamnesis')} error={issues.anamnesis} data-testid="field-anamnesis" />

      <fieldset style={{ border: 0, padding: 0, margin: 0 }} data-testid="field-documents">
        <Text component="legend" size="sm" fw={500} mb={4}>
          {t('conclusion.field.documents')}
        </Text>
        <Stack gap={4}>
          {documents.map((d) => {
            const title = `${documentTypeLabel(d.type)}: ${d.fileName}`;
            return (
              <Checkbox
                key={d.id}
                label={title}
                checked={c.documentsReviewed.some((x) => x.documentId === d.id)}
                onChange={(e) => onChange({ ...c, documentsReviewed: toggleReviewed(c.documentsReviewed, { id: d.id, title }, e.currentTarget.checked) }, 'documentsReviewed')}
                data-testid="reviewed-document"
                data-document-id={d.id}
              />
            );
          })}
          {free.map(({ d, i }) => (
            <Group key={i} gap="xs" wrap="nowrap" data-testid="reviewed-free-row">
              <TextInput
                flex={1}
                aria-label={t('conclusion.field.documents.free')}
                placeholder={t('conclusion.field.documents.placeholder')}
                maxLength={300}
                value={d.title}
                onChange={(e) => {
                  const list = [...c.documentsReviewed];
                  list[i] = { documentId: d.documentId, title: e.currentTarget.value };
                  onChange({ ...c, documentsReviewed: list }, `documentsReviewed.${i}.title`);
                }}
                error={issues[`documentsReviewed.${i}.title`]}
                data-testid="reviewed-free"
              />
              <ActionIcon variant="subtle" color="red" aria-label={t('conclusion.remove')} onClick={() => onChange({ ...c, documentsReviewed: c.documentsReviewed.filter((_, j) => j !== i) })} data-testid="reviewed-free-remove">
                ✕
              </ActionIcon>
            </Group>
          ))}
          <Button size="xs" variant="subtle" w="fit-content" onClick={() => onChange({ ...c, documentsReviewed: [...c.documentsReviewed, { documentId: null, title: '' }] })} data-testid="reviewed-add">
            {t('conclusion.field.documents.add')}
          </Button>
        </Stack>
      </fieldset>

      <fieldset style={{ border: 0, padding: 0, margin: 0 }} data-testid="field-main-diagnosis">
        <Text component="legend" size="sm" fw={500} mb={4}>
          {t('conclusion.field.mainDiagnosis')}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label={t('conclusion.field.icd10')}
            withAsterisk
            maxLength={16}
            value={main.icd10}
            onChange={(e) => onChange({ ...c, mainDiagnosis: { ...main, icd10: e.currentTarget.value } }, 'mainDiagnosis.icd10', 'mainDiagnosis')}
            onBlur={() => {
              const next = tidy(main);
              if (next.icd10 !== main.icd10 || next.text !== main.text) onChange({ ...c, mainDiagnosis: next }, 'mainDiagnosis.text');
            }}
            error={icdError(main.icd10, issues['mainDiagnosis.icd10'] ?? issues.mainDiagnosis)}
            description={<IcdHint raw={main.icd10} error={issues['mainDiagnosis.icd10']} />}
            data-testid="field-main-icd10"
          />
          <TextInput
            label={t('conclusion.field.diagnosisText')}
            withAsterisk
            maxLength={500}
            style={{ gridColumn: 'span 2' }}
            value={main.text}
            onChange={(e) => onChange({ ...c, mainDiagnosis: { ...main, text: e.currentTarget.value } }, 'mainDiagnosis.text')}
            error={issues['mainDiagnosis.text']}
            data-testid="field-main-text"
          />
        </SimpleGrid>
      </fieldset>

      <fieldset style={{ border: 0, padding: 0, margin: 0 }} data-testid="field-secondary-diagnoses">
        <Text component="legend" size="sm" fw={500} mb={4}>
          {t('conclusion.field.secondaryDiagnoses')}
        </Text>
        <Stack gap="xs">
          {c.secondaryDiagnoses.map((d, i) => {
            const set = (next: { icd10: string; text: string }, ...paths: string[]) => {
              const list = [...c.secondaryDiagnoses];
              list[i] = next;
              onChange({ ...c, secondaryDiagnoses: list }, ...paths);
            };
            return (
              <Group key={i} gap="sm" align="flex-start" wrap="nowrap" data-testid="secondary-row">
                <TextInput
                  w={160}
                  aria-label={t('conclusion.field.secondaryIcd10', { n: i + 1 })}
                  placeholder={t('conclusion.field.icd10')}
                  maxLength={16}
                  value={d.icd10}
                  onChange={(e) => set({ ...d, icd10: e.currentTarget.value }, `secondaryDiagnoses.${i}.icd10`)}
                  onBlur={() => {
                    const next = tidy(d);
                    if (next.icd10 !== d.icd10 || next.text !== d.text) set(next, `secondaryDiagnoses.${i}.text`);
                  }}
                  error={icdError(d.icd10, issues[`secondaryDiagnoses.${i}.icd10`])}
                  description={<IcdHint raw={d.icd10} error={issues[`secondaryDiagnoses.${i}.icd10`]} />}
                  data-testid="field-secondary-icd10"
                />
                <TextInput
                  flex={1}
                  aria-label={t('conclusion.field.secondaryText', { n: i + 1 })}
                  placeholder={t('conclusion.field.diagnosisText')}
                  maxLength={500}
                  value={d.text}
                  onChange={(e) => set({ ...d, text: e.currentTarget.value }, `secondaryDiagnoses.${i}.text`)}
                  error={issues[`secondaryDiagnoses.${i}.text`]}
                  data-testid="field-secondary-text"
                />
                <ActionIcon mt={6} variant="subtle" color="red" aria-label={t('conclusion.field.secondaryRemove', { n: i + 1 })} onClick={() => onChange({ ...c, secondaryDiagnoses: c.secondaryDiagnoses.filter((_, j) => j !== i) })} data-testid="secondary-remove">
                  ✕
                </ActionIcon>
              </Group>
            );
          })}
          {c.secondaryDiagnoses.length < 20 && (
            <Button size="xs" variant="subtle" w="fit-content" onClick={() => onChange({ ...c, secondaryDiagnoses: [...c.secondaryDiagnoses, { icd10: '', text: '' }] })} data-testid="secondary-add">
              {t('conclusion.field.secondaryAdd')}
            </Button>
          )}
        </Stack>
      </fieldset>

      <Textarea label={t('conclusion.field.conclusion')} withAsterisk autosize minRows={4} maxRows={16} maxLength={8000} value={c.conclusion} onChange={(e) => onChange({ ...c, conclusion: e.currentTarget.value }, 'conclusion')} error={issues.conclusion} data-testid="field-conclusion" />
      <Textarea label={t('conclusion.field.recommendations')} autosize minRows={3} maxRows={16} maxLength={8000} value={c.recommendations} onChange={(e) => onChange({ ...c, recommendations: e.currentTarget.value }, 'recommendations')} error={issues.recommendations} data-testid="field-recommendations" />

      <Radio.Group
        label={t('conclusion.field.outcome')}
        value={c.outcome}
        onChange={(v) => onChange({ ...c, outcome: v === 'invitation' ? 'invitation' : 'conclusion' }, 'proposedDates')}
        data-testid="field-outcome"
      >
        <Group gap="lg" mt={4}>
          <Radio value="conclusion" label={t('conclusion.outcome.conclusion')} data-testid="outcome-conclusion" />
          <Radio value="invitation" label={t('conclusion.outcome.invitation')} data-testid="outcome-invitation" />
        </Group>
      </Radio.Group>
      {c.outcome === 'invitation' && (
        <fieldset style={{ border: 0, padding: 0, margin: 0 }} data-testid="field-proposed-dates">
          <Text component="legend" size="sm" fw={500} mb={4}>
            {t('conclusion.field.proposedDates')}
          </Text>
          <Stack gap="xs">
            {c.proposedDates.map((d, i) => (
              <Group key={i} gap="xs" data-testid="proposed-date-row">
                <TextInput
                  type="date"
                  w={200}
                  aria-label={t('conclusion.field.proposedDate', { n: i + 1 })}
                  value={d}
                  onChange={(e) => {
                    const list = [...c.proposedDates];
                    list[i] = e.currentTarget.value;
                    onChange({ ...c, proposedDates: list.filter((x) => x !== '') }, 'proposedDates');
                  }}
                  data-testid="field-proposed-date"
                />
                <ActionIcon variant="subtle" color="red" aria-label={t('conclusion.field.proposedRemove', { n: i + 1 })} onClick={() => onChange({ ...c, proposedDates: c.proposedDates.filter((_, j) => j !== i) })} data-testid="proposed-remove">
                  ✕
                </ActionIcon>
              </Group>
            ))}
            <ProposedDateAdd
              onAdd={(d) => onChange({ ...c, proposedDates: [...c.proposedDates, d] }, 'proposedDates')}
              disabled={c.proposedDates.length >= 10}
            />
            {issues.proposedDates && (
              <Text size="sm" c="red.7" role="alert" data-testid="proposed-dates-error">
                {issues.proposedDates}
              </Text>
            )}
          </Stack>
        </fieldset>
      )}
      {Object.keys(issues).length > 0 && (
        <Badge color="red" variant="light" data-testid="editor-issue-count">
          {t('conclusion.issues', { count: Object.keys(issues).length })}
        </Badge>
      )}
    </Stack>
  );
}

/** A new date goes in only when complete: a half-typed date input reads as ''. */
function ProposedDateAdd({ onAdd, disabled }: { onAdd: (date: string) => void; disabled: boolean }) {
  const [value, setValue] = useState('');
  return (
    <Group gap="xs" align="flex-end">
      <TextInput type="date" w={200} label={t('conclusion.field.proposedNew')} value={value} onChange={(e) => setValue(e.currentTarget.value)} disabled={disabled} data-testid="proposed-new" />
      <Button
        size="xs"
        variant="light"
        disabled={disabled || !/^\d{4}-\d{2}-\d{2}$/.test(value)}
        onClick={() => {
          onAdd(value);
          setValue('');
        }}
        data-testid="proposed-add"
      >
        {t('conclusion.field.proposedAdd')}
      </Button>
    </Group>
  );
}
