import { Alert, Badge, Button, Checkbox, Drawer, Group, Input, List, Paper, Select, Stack, Table, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { DOCUMENT_MAX_BYTES } from '../../../shared/domain/documents';
import type { DocumentRow, PatientRow, RpcInput } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { formatDateTime, formatInstant, fullName } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { NotLoaded } from '../components/ListStatus';
import { centreName, profileName, roleLabel } from '../labels';
import { errorMessage, notifySuccess } from '../notify';
import { readAsBase64 } from '../referrals/files';
import { useLiveQuery } from '../use-live-query';
import { checklistFor, documentTypeLabel, formatSize, typeOptions, type ChecklistItem } from './document-labels';

const MAX_MB = Math.round(DOCUMENT_MAX_BYTES / (1024 * 1024));
/** What the file picker offers; the services and the server decide by content, not by name. */
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.dcm,.dicom,application/pdf,image/jpeg,image/png,application/dicom';

/**
 * «Документы» of one referred patient: the checklist of the latest request's profile, the
 * documents attached so far (by anyone, synced metadata) and «Прикрепить документ» on the
 * patient's behalf with their consent recorded. Opened from «Мои пациенты».
 */
export function PatientDocumentsDrawer({ row, onClose }: { row: PatientRow | null; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  // Keep the last patient while the drawer slides out.
  const last = useRef<PatientRow | null>(row);
  if (row) last.current = row;
  const shown = row ?? last.current;
  const name = shown ? fullName(shown.patient) : '';

  return (
    <Drawer
      opened={row !== null}
      onClose={() => {
        if (!busy) onClose();
      }}
      position="right"
      size="xl"
      title={<Title order={2} size="h3">{t('documents.title', { name })}</Title>}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      closeOnEscape={!busy}
      closeOnClickOutside={!busy}
      data-testid="patient-documents"
    >
      {shown && <DocumentsPanel key={shown.patient.id} row={shown} onBusy={setBusy} />}
    </Drawer>
  );
}

function DocumentsPanel({ row, onBusy }: { row: PatientRow; onBusy: (busy: boolean) => void }) {
  const rpc = useRpc();
  const patientId = row.patient.id;
  const list = useLiveQuery(`documents:${patientId}`, () => rpc.call('documents.list', { patientId }));
  const req = row.latestRequest;
  const docs = list.data?.items;

  const checklist = useMemo(() => {
    if (!req) return [];
    return checklistFor(req.centre, req.profile, new Set((docs ?? []).map((d) => d.type)));
  }, [req, docs]);

  return (
    <Stack gap="lg" data-testid="patient-documents-panel" data-patient-id={patientId}>
      {req && (
        <Text size="sm" c="dimmed" data-testid="documents-request">
          {t('documents.request', { centre: centreName(req.centre), profile: profileName(req.centre, req.profile) })}
        </Text>
      )}
      <Checklist items={checklist} hasRequest={req !== null} loaded={docs !== undefined} />
      <section aria-labelledby="documents-list-title">
        <Title order={3} size="h4" mb="xs" id="documents-list-title">
          {t('documents.list.title')}
        </Title>
        {docs === undefined ? (
          <NotLoaded query={list} />
        ) : docs.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="documents-empty">
            {t('documents.list.empty')}
          </Text>
        ) : (
          <DocumentTable docs={docs} />
        )}
      </section>
      <AttachForm patientId={patientId} checklist={checklist} onBusy={onBusy} onAttached={list.reload} />
    </Stack>
  );
}

function Checklist({ items, hasRequest, loaded }: { items: ChecklistItem[]; hasRequest: boolean; loaded: boolean }) {
  const required = items.filter((i) => i.required);
  return (
    <section aria-labelledby="documents-checklist-title" data-testid="documents-checklist">
      <Title order={3} size="h4" mb="xs" id="documents-checklist-title">
        {t('documents.checklist.title')}
      </Title>
      {!hasRequest || items.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="documents-checklist-none">
          {t('documents.checklist.noRequest')}
        </Text>
      ) : (
        <>
          {loaded && (
            <Text size="sm" mb="xs" data-testid="documents-checklist-summary">
              {t('documents.checklist.summary', { present: required.filter((i) => i.present).length, total: required.length })}
            </Text>
          )}
          <List spacing={4} listStyleType="none" pl={0}>
            {items.map((i) => (
              <List.Item
                key={i.type}
                data-testid="documents-checklist-item"
                data-type={i.type}
                data-required={i.required}
                data-present={loaded ? i.present : undefined}
              >
                <Group gap="xs" wrap="nowrap">
                  <Text component="span" w={18} ta="center" fw={700} c={i.present ? 'teal.7' : i.required ? 'red.7' : 'dimmed'} aria-hidden>
                    {i.present ? '✓' : '—'}
                  </Text>
                  <Text component="span" size="sm">
                    {documentTypeLabel(i.type)}
                  </Text>
                  <Badge size="xs" variant="light" color={i.required ? 'blue' : 'gray'}>
                    {t(i.required ? 'documents.checklist.required' : 'documents.checklist.optional')}
                  </Badge>
                  {loaded && (
                    <Text component="span" size="sm" c={i.present ? 'teal.8' : 'dimmed'} data-testid="documents-checklist-state">
                      {t(i.present ? 'documents.checklist.present' : 'documents.checklist.missing')}
                    </Text>
                  )}
                </Group>
              </List.Item>
            ))}
          </List>
        </>
      )}
    </section>
  );
}

function DocumentTable({ docs }: { docs: readonly DocumentRow[] }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped verticalSpacing="xs" data-testid="documents-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('documents.col.type')}</Table.Th>
            <Table.Th>{t('documents.col.file')}</Table.Th>
            <Table.Th>{t('documents.col.size')}</Table.Th>
            <Table.Th>{t('documents.col.uploadedBy')}</Table.Th>
            <Table.Th>{t('documents.col.at')}</Table.Th>
            <Table.Th>{t('documents.col.consent')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {docs.map((d) => (
            <Table.Tr key={d.id} data-testid="document-row" data-document-id={d.id} data-type={d.type} data-uploaded-by-role={d.uploadedByRole}>
              <Table.Td data-testid="document-type">{documentTypeLabel(d.type)}</Table.Td>
              <Table.Td miw={140} style={{ overflowWrap: 'anywhere' }}>
                <Text size="sm" data-testid="document-file-name">
                  {d.fileName}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="document-size">
                {formatSize(d.size)}
              </Table.Td>
              <Table.Td data-testid="document-uploaded-by">
                <Text size="sm">{d.uploadedByName}</Text>
                <Text size="xs" c="dimmed" data-testid="document-uploaded-by-role">
                  {roleLabel(d.uploadedByRole)}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="document-created">
                {formatInstant(d.createdAt)}
              </Table.Td>
              <Table.Td data-testid="document-consent">
                {d.consentBasis ? (
                  <>
                    <Text size="sm">{d.consentBasis}</Text>
                    {d.consentAt && (
                      <Text size="xs" c="dimmed">
                        {t('documents.consent.at', { at: formatDateTime(d.consentAt) })}
                      </Text>
                    )}
                  </>
                ) : (
                  <Text size="sm" c="dimmed">
                    {t('common.empty')}
                    <VisuallyHidden>{t('documents.consent.none')}</VisuallyHidden>
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

type Field = 'type' | 'file' | 'consent' | 'basis';
const FIELD_ORDER: readonly Field[] = ['type', 'file', 'consent', 'basis'];
const FIELD_ID: Record<Field, string> = { type: 'documents-type', file: 'documents-file', consent: 'documents-consent', basis: 'documents-basis' };
/** Where the services' VALIDATION_FAILED issues point, mapped onto the form's fields. */
function fieldOf(path: string): Field | null {
  if (path === 'type') return 'type';
  if (path === 'fileName' || path === 'base64') return 'file';
  if (path.startsWith('consent.obtained') || path === 'consentObtained') return 'consent';
  if (path.startsWith('consent')) return 'basis';
  return null;
}

/** `data-result` of the form, for tests and assistive tech alike: what the last submit did. */
type Result = '' | 'invalid' | 'error' | 'ok';

function AttachForm({
  patientId,
  checklist,
  onBusy,
  onAttached,
}: {
  patientId: string;
  checklist: readonly ChecklistItem[];
  onBusy: (busy: boolean) => void;
  onAttached: () => void;
}) {
  const rpc = useRpc();
  const [type, setType] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [consent, setConsent] = useState(false);
  const [basis, setBasis] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusyState] = useState(false);
  const [result, setResult] = useState<Result>('');
  const fileInput = useRef<HTMLInputElement>(null);
  const options = useMemo(() => typeOptions(checklist), [checklist]);

  const setBusy = (b: boolean) => {
    setBusyState(b);
    onBusy(b);
  };
  const clearError = (f: Field) => setErrors((e) => (e[f] ? { ...e, [f]: undefined } : e));
  const focus = (f: Field) => {
    const el = f === 'file' ? document.getElementById('documents-file-button') : document.getElementById(FIELD_ID[f]);
    el?.focus();
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setResult('');
    const problems: Partial<Record<Field, string>> = {};
    if (!type) problems.type = t('documents.attach.type.required');
    if (!file) problems.file = t('documents.attach.file.required');
    else if (file.size === 0) problems.file = t('documents.attach.file.empty');
    else if (file.size > DOCUMENT_MAX_BYTES) problems.file = t('documents.attach.file.tooLarge', { max: MAX_MB });
    if (!consent) problems.consent = t('documents.attach.consent.required');
    if (basis.trim().length < 3) problems.basis = t('documents.attach.basis.required');
    const first = FIELD_ORDER.find((f) => problems[f]);
    if (first || !type || !file) {
      setErrors(problems);
      setFormError({ code: 'INVALID', message: t('documents.attach.fixErrors') });
      setResult('invalid');
      if (first) focus(first);
      return;
    }
    setErrors({});
    setFormError(null);
    setBusy(true);
    try {
      const base64 = await readAsBase64(file);
      const params: RpcInput<'documents.attach'> = {
        patientId,
        type: type as RpcInput<'documents.attach'>['type'],
        fileName: file.name,
        base64,
        consent: { obtained: true, basis: basis.trim() },
      };
      const doc = await rpc.call('documents.attach', params);
      notifySuccess(t('documents.attach.done', { fileName: doc.fileName }));
      // The consent and its basis stay for the next document of the same patient.
      setType(null);
      setFile(null);
      setResult('ok');
      onAttached();
    } catch (err) {
      if (err instanceof RpcError && err.code === 'VALIDATION_FAILED' && err.issues?.length) {
        const byField: Partial<Record<Field, string>> = {};
        const other: string[] = [];
        for (const issue of err.issues) {
          const f = fieldOf(issue.path);
          if (f) byField[f] ??= issue.message;
          else other.push(issue.message);
        }
        setErrors(byField);
        setFormError({ code: err.code, message: [err.message, ...other].join(' ') });
        const firstBad = FIELD_ORDER.find((f) => byField[f]);
        if (firstBad) focus(firstBad);
      } else {
        // UNSUPPORTED_FILE_TYPE, SERVER_UNREACHABLE (try again once online), FORBIDDEN …: the
        // services' Russian message already says what to do.
        setFormError({ code: err instanceof RpcError ? err.code : 'UNKNOWN', message: errorMessage(err) });
      }
      setResult('error');
    } finally {
      setBusy(false);
    }
  }

  const chosen = file ? t('documents.attach.file.chosen', { fileName: file.name, size: formatSize(file.size) }) : t('documents.attach.file.none');

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="documents-attach-title">
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="documents-attach-form" data-result={result} aria-busy={busy}>
        <Stack gap="sm">
          <Title order={3} size="h4" id="documents-attach-title">
            {t('documents.attach.title')}
          </Title>
          <Select
            id={FIELD_ID.type}
            label={t('documents.attach.type')}
            placeholder={t('documents.attach.type.placeholder')}
            data={options}
            value={type}
            onChange={(v) => {
              setType(v);
              clearError('type');
            }}
            error={errors.type}
            required
            allowDeselect={false}
            disabled={busy}
            maxDropdownHeight={320}
            comboboxProps={{ withinPortal: true }}
            data-testid="documents-type"
          />
          <Input.Wrapper
            id={FIELD_ID.file}
            label={t('documents.attach.file')}
            labelElement="div"
            description={t('documents.attach.file.hint', { max: MAX_MB })}
            error={errors.file}
            required
          >
            <Group gap="sm" mt={4} wrap="nowrap">
              <Button
                id="documents-file-button"
                variant="default"
                onClick={() => fileInput.current?.click()}
                disabled={busy}
                aria-describedby={`documents-file-chosen ${FIELD_ID.file}-description${errors.file ? ` ${FIELD_ID.file}-error` : ''}`}
                aria-invalid={errors.file ? true : undefined}
                data-testid="documents-file-button"
              >
                {t(file ? 'documents.attach.file.change' : 'documents.attach.file.choose')}
              </Button>
              <Text id="documents-file-chosen" size="sm" c={file ? undefined : 'dimmed'} style={{ wordBreak: 'break-word' }} data-testid="documents-file-chosen">
                {chosen}
              </Text>
            </Group>
            <input
              ref={fileInput}
              type="file"
              accept={ACCEPT}
              hidden
              tabIndex={-1}
              data-testid="documents-file-input"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0] ?? null;
                e.currentTarget.value = '';
                if (f) {
                  setFile(f);
                  clearError('file');
                }
              }}
            />
          </Input.Wrapper>
          <Checkbox
            id={FIELD_ID.consent}
            label={t('documents.attach.consent')}
            description={t('documents.attach.consent.hint')}
            checked={consent}
            onChange={(e) => {
              setConsent(e.currentTarget.checked);
              clearError('consent');
            }}
            error={errors.consent}
            required
            disabled={busy}
            data-testid="documents-consent"
          />
          <Textarea
            id={FIELD_ID.basis}
            label={t('documents.attach.basis')}
            placeholder={t('documents.attach.basis.placeholder')}
            value={basis}
            onChange={(e) => {
              setBasis(e.currentTarget.value);
              clearError('basis');
            }}
            error={errors.basis}
            required
            autosize
            minRows={2}
            maxLength={500}
            disabled={busy}
            data-testid="documents-basis"
          />
          {formError && (
            <Alert
              color={formError.code === 'SERVER_UNREACHABLE' ? 'orange' : 'red'}
              title={formError.code === 'INVALID' ? undefined : t('documents.attach.refused')}
              role="alert"
              data-testid="documents-error"
              data-code={formError.code}
            >
              {formError.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy} data-testid="documents-submit">
              {t('documents.attach.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
