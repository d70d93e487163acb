import { Alert, Badge, Button, Card, Group, Loader, NativeSelect, Progress, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
import type { DocumentTypeCode, PatientDocument } from '../../shared/domain/documents';
import { DOCUMENT_MAX_BYTES } from '../../shared/domain/documents';
import type { ConsultationRequest, RequestStatus } from '../../shared/domain/requests';
import type { PublicUser } from '../../shared/domain/users';
import { call, isApiError, listMyDocuments } from './api';
import { ConsentPage } from './ConsentPage';
import { formatDay, tp } from './i18n';
import { PageHeading } from './PageHeading';
import { ACCEPT, checkFile, formatBytes, ResumableUpload, type UploadProblem, type UploadState } from './upload';

type Reference = ApiResponse<'reference'>;
type ConsentRecord = ApiResponse<'myConsent'>;

/** Requests still waiting for documents (or for the consultation they prepare). */
const CLOSED: readonly RequestStatus[] = ['cancelled', 'conclusion_issued'];

interface Loaded {
  reference: Reference;
  requests: ConsultationRequest[];
  consent: ConsentRecord;
  /** Null: the server cannot list documents yet; only this tab's uploads are known. */
  documents: PatientDocument[] | null;
}

interface UploadEntry {
  key: string;
  /** Where it was started: `${requestId}:${type}` or `other`. */
  slot: string;
  name: string;
  upload: ResumableUpload;
  state: UploadState;
}

/** Upload ids by file (name, size, date), so choosing the same file again after a reload continues it. */
const RESUME_KEY = 'oblako.portal.uploads';
const fileKey = (f: File, type: string) => `${type}|${f.name}|${f.size}|${f.lastModified}`;
function resumeIds(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(RESUME_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}
function rememberId(key: string, id: string | null): void {
  try {
    const all = resumeIds();
    if (id) all[key] = id;
    else delete all[key];
    sessionStorage.setItem(RESUME_KEY, JSON.stringify(all));
  } catch {
    // Storage unavailable: an interrupted upload then restarts from the beginning after a reload.
  }
}

const expiredCode = (code: string | undefined) => code === 'UNAUTHENTICATED' || code === 'PASSWORD_CHANGE_REQUIRED';

export function DocumentsPage({ token, user, onExpired }: { token: string; user: PublicUser; onExpired: () => void }) {
  const [view, setView] = useState<'list' | 'consent'>('list');
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<PatientDocument[]>([]);
  const [uploads, setUploads] = useState<UploadEntry[]>([]);
  const [refused, setRefused] = useState<{ slot: string; problem: UploadProblem } | null>(null);
  const patientId = user.patientId;

  const load = useCallback(async () => {
    setError(null);
    if (!patientId) return setError(tp('signIn.error.other'));
    try {
      const [reference, requests, consent, documents] = await Promise.all([
        call('reference', { token }),
        call('listRequests', { token, query: { limit: 100 } }),
        call('myConsent', { token }),
        listMyDocuments(token, patientId),
      ]);
      setData({ reference, requests: requests.items, consent, documents: documents?.items ?? null });
    } catch (err) {
      if (isApiError(err) && expiredCode(err.code)) return onExpired();
      setError(isApiError(err) && err.code !== 'SERVER_UNREACHABLE' ? err.message : tp('change.error.SERVER_UNREACHABLE'));
    }
  }, [token, patientId, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  // Uploads in flight stop when the patient leaves the page or signs out.
  const uploadsRef = useRef(uploads);
  uploadsRef.current = uploads;
  useEffect(() => () => uploadsRef.current.forEach((u) => u.state.phase !== 'done' && u.upload.pause()), []);

  const onState = useCallback(
    (key: string, s: UploadState) => {
      setUploads((all) => all.map((u) => (u.key === key ? { ...u, state: s } : u)));
      if (s.phase === 'done' && s.document) {
        const doc = s.document;
        setUploaded((d) => (d.some((x) => x.id === doc.id) ? d : [...d, doc]));
      }
      if (s.error && expiredCode(s.error.code)) onExpired();
    },
    [onExpired],
  );

  function begin(slot: string, type: DocumentTypeCode, file: File) {
    if (!patientId) return;
    const problem = checkFile(file);
    if (problem) {
      // Refused here: not a byte leaves the device.
      setRefused({ slot, problem });
      setTimeout(() => document.getElementById(`portal-doc-refused-${slot}`)?.focus(), 0);
      return;
    }
    setRefused(null);
    const fk = fileKey(file, type);
    const key = `${slot}:${Date.now()}:${Math.random()}`;
    const upload = new ResumableUpload({
      token,
      patientId,
      type,
      file,
      id: resumeIds()[fk],
      onChange: (s) => {
        onState(key, s);
        if (s.phase === 'done' || s.phase === 'failed' || s.phase === 'cancelled') rememberId(fk, null);
      },
    });
    rememberId(fk, upload.id);
    setUploads((all) => [...all, { key, slot, name: file.name, upload, state: upload.state }]);
    void upload.start();
  }

  const dismiss = (key: string) => setUploads((all) => all.filter((u) => u.key !== key));

  if (view === 'consent') {
    return (
      <ConsentPage
        token={token}
        onExpired={onExpired}
        onAgreed={(consent) => {
          setData((d) => (d ? { ...d, consent } : d));
          setNotice(tp('access.consent.saved'));
          setView('list');
        }}
        onBack={() => setView('list')}
      />
    );
  }

  const documents = mergeDocs(data?.documents ?? [], uploaded);
  const canUpload = !!data?.consent.current;
  const open = data ? data.requests.filter((r) => !CLOSED.includes(r.status)) : [];
  const typeName = (t: string) => data?.reference.documentTypes[t] ?? t;

  const slotProps = { documents, uploads, refused, canUpload, typeName, onFile: begin, onDismiss: dismiss };

  return (
    <Stack gap="lg" data-testid="portal-documents">
      <PageHeading title={tp('access.docs.heading')} testId="portal-documents-heading" />
      <Text size="lg">{tp('access.docs.lead', { max: formatBytes(DOCUMENT_MAX_BYTES) })}</Text>
      {notice ? (
        <Alert color="teal" role="status" data-testid="portal-notice" withCloseButton={false}>
          <Text size="md">{notice}</Text>
        </Alert>
      ) : null}
      {error ? (
        <Alert color="red" role="alert" title={tp('access.docs.error.title')} data-testid="portal-documents-error">
          <Stack gap="sm" align="flex-start">
            <Text size="md">{error}</Text>
            <Button size="lg" variant="light" onClick={() => void load()}>
              {tp('access.docs.retry')}
            </Button>
          </Stack>
        </Alert>
      ) : null}
      {!data ? (
        error ? null : <Loader size="md" aria-label={tp('app.loading')} />
      ) : (
        <>
          {canUpload ? (
            <Card withBorder padding="md" data-testid="portal-consent-summary" data-version={data.consent.version ?? ''}>
              <Stack gap="xs" align="flex-start">
                <Text size="md">{tp('access.consent.given', { date: formatDay(data.consent.at ?? ''), version: data.consent.version ?? '' })}</Text>
                <Button size="lg" variant="light" onClick={() => setView('consent')} data-testid="portal-consent-open">
                  {tp('access.docs.consent.open')}
                </Button>
              </Stack>
            </Card>
          ) : (
            <Alert color="yellow" role="status" title={tp('access.docs.consent.needed.title')} data-testid="portal-consent-needed">
              <Stack gap="sm" align="flex-start">
                <Text size="md">{data.consent.version ? tp('access.consent.outdated') : tp('access.docs.consent.needed')}</Text>
                <Button size="lg" onClick={() => setView('consent')} data-testid="portal-consent-read">
                  {tp('access.docs.consent.read')}
                </Button>
              </Stack>
            </Alert>
          )}
          {data.documents === null ? (
            <Text size="sm" c="dimmed" data-testid="portal-docs-list-unavailable">
              {tp('access.docs.listUnavailable')}
            </Text>
          ) : null}

          {open.length === 0 ? (
            <Card withBorder padding="lg" data-testid="portal-docs-no-requests">
              <Text fw={600} size="lg">
                {tp('access.docs.none.title')}
              </Text>
              <Text size="md" mt={4}>
                {tp('access.docs.none')}
              </Text>
            </Card>
          ) : (
            open.map((r) => <RequestChecklist key={r.id} request={r} reference={data.reference} {...slotProps} />)
          )}

          <OtherDocuments reference={data.reference} {...slotProps} />
        </>
      )}
    </Stack>
  );
}

function mergeDocs(server: PatientDocument[], local: PatientDocument[]): PatientDocument[] {
  const ids = new Set(server.map((d) => d.id));
  return [...server, ...local.filter((d) => !ids.has(d.id))];
}

interface SlotProps {
  documents: PatientDocument[];
  uploads: UploadEntry[];
  refused: { slot: string; problem: UploadProblem } | null;
  canUpload: boolean;
  typeName: (t: string) => string;
  onFile: (slot: string, type: DocumentTypeCode, file: File) => void;
  onDismiss: (key: string) => void;
}

function RequestChecklist({ request, reference, ...slot }: SlotProps & { request: ConsultationRequest; reference: Reference }) {
  const centre = reference.centres.find((c) => c.code === request.centre);
  const profile = centre?.profiles.find((p) => p.code === request.profile);
  const items = profile?.documents ?? [];
  const has = (type: string) => slot.documents.some((d) => d.type === type);
  const required = items.filter((i) => i.required);
  const done = required.filter((i) => has(i.type)).length;
  const titleId = `portal-docs-request-${request.id}`;
  return (
    <section aria-labelledby={titleId} data-testid="portal-doc-request" data-request-id={request.id}>
      <Title order={2} id={titleId} fz={{ base: 20, sm: 24 }} style={{ overflowWrap: 'anywhere' }}>
        {tp('access.docs.request', { centre: centre?.shortName ?? request.centre })}
      </Title>
      <Text size="md" mb="xs" style={{ overflowWrap: 'anywhere' }}>
        {tp('access.docs.request.profile', { profile: profile?.name ?? request.profile })}
      </Text>
      <Text
        size="lg"
        fw={700}
        mb="sm"
        c={required.length > 0 && done === required.length ? 'teal.9' : undefined}
        data-testid="portal-doc-progress"
        data-done={done}
        data-total={required.length}
      >
        {required.length === 0
          ? tp('access.docs.noRequired')
          : done === required.length
            ? `✓ ${tp('access.docs.progress.complete')} (${tp('access.docs.progress', { done, total: required.length })})`
            : tp('access.docs.progress', { done, total: required.length })}
      </Text>
      <Stack component="ul" gap="md" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {items.map((item) => (
          <ChecklistItem key={item.type} slotId={`${request.id}:${item.type}`} type={item.type as DocumentTypeCode} required={item.required} {...slot} />
        ))}
      </Stack>
    </section>
  );
}

function ChecklistItem({ slotId, type, required, ...slot }: SlotProps & { slotId: string; type: DocumentTypeCode; required: boolean }) {
  const docs = slot.documents.filter((d) => d.type === type);
  const name = slot.typeName(type);
  return (
    <Card component="li" withBorder padding="md" data-testid="portal-doc-item" data-type={type} data-required={required ? 'true' : 'false'} data-done={docs.length > 0 ? 'true' : 'false'}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <Text fw={700} size="lg" style={{ overflowWrap: 'anywhere', minWidth: 0, flex: '1 1 12rem' }}>
            {name}
          </Text>
          <Badge size="lg" variant={required ? 'filled' : 'light'} color={required ? 'blue.8' : 'gray'} style={{ whiteSpace: 'normal', height: 'auto' }}>
            {required ? tp('access.docs.required') : tp('access.docs.optional')}
          </Badge>
        </Group>
        <DocList docs={docs} />
        <Slot slotId={slotId} type={type} label={name} {...slot} />
      </Stack>
    </Card>
  );
}

function DocList({ docs }: { docs: PatientDocument[] }) {
  if (docs.length === 0) {
    return (
      <Text size="md" data-testid="portal-doc-status" data-done="false">
        ○ {tp('access.docs.item.missing')}
      </Text>
    );
  }
  return (
    <Stack gap={2} data-testid="portal-doc-status" data-done="true">
      <Text size="md" fw={600} c="teal.9">
        ✓ {tp('access.docs.item.done')}:
      </Text>
      <Stack component="ul" gap={2} style={{ margin: 0, paddingLeft: '1.25rem' }}>
        {docs.map((d) => (
          <Text component="li" size="md" key={d.id} data-testid="portal-doc-file" data-document-id={d.id} data-size={d.size} style={{ overflowWrap: 'anywhere' }}>
            {tp('access.docs.file', { name: d.fileName, size: formatBytes(d.size) })}
          </Text>
        ))}
      </Stack>
    </Stack>
  );
}

/** The buttons that pick a file (or take a photo) for one checklist item, and its uploads. */
function Slot({ slotId, type, label, uploads, refused, canUpload, onFile, onDismiss }: SlotProps & { slotId: string; type: DocumentTypeCode; label: string }) {
  const fileRef = useRef<HTMLInputElement>(null);
  const cameraRef = useRef<HTMLInputElement>(null);
  const mine = uploads.filter((u) => u.slot === slotId);
  const pick = (input: HTMLInputElement) => {
    const f = input.files?.[0];
    input.value = '';
    if (f) onFile(slotId, type, f);
  };
  const refusal = refused?.slot === slotId ? refused.problem : null;
  const safeId = slotId.replace(/[^a-zA-Z0-9_-]/g, '_');
  return (
    <Stack gap="sm">
      {mine.map((u) => (
        <UploadRow key={u.key} entry={u} onDismiss={() => onDismiss(u.key)} />
      ))}
      {refusal ? (
        <Alert
          id={`portal-doc-refused-${slotId}`}
          tabIndex={-1}
          color="red"
          role="alert"
          title={refusal.code === 'TOO_LARGE' ? tp('access.upload.tooLarge.title') : tp('access.upload.rejected.title')}
          data-testid="portal-doc-refused"
          data-code={refusal.code}
        >
          <Text size="md">{refusal.message}</Text>
        </Alert>
      ) : null}
      {canUpload ? (
        <>
          <input ref={fileRef} type="file" hidden accept={ACCEPT} onChange={(e) => pick(e.currentTarget)} data-testid="portal-doc-input" id={`portal-doc-input-${safeId}`} aria-label={tp('access.docs.choose.label', { type: label })} />
          <input ref={cameraRef} type="file" hidden accept="image/jpeg,image/png" capture="environment" onChange={(e) => pick(e.currentTarget)} data-testid="portal-doc-camera-input" aria-label={tp('access.docs.camera.label', { type: label })} />
          <Group gap="sm" wrap="wrap">
          <Button size="lg" onClick={() => fileRef.current?.click()} data-testid="portal-doc-choose" aria-label={tp('access.docs.choose.label', { type: label })} style={{ flex: '1 1 9rem' }}>
            {tp('access.docs.choose')}
          </Button>
          <Button size="lg" variant="light" onClick={() => cameraRef.current?.click()} data-testid="portal-doc-camera" aria-label={tp('access.docs.camera.label', { type: label })} style={{ flex: '1 1 9rem' }}>
            {tp('access.docs.camera')}
          </Button>
          </Group>
        </>
      ) : null}
    </Stack>
  );
}

function UploadRow({ entry, onDismiss }: { entry: UploadEntry; onDismiss: () => void }) {
  const { state, name, upload } = entry;
  const pct = state.size > 0 ? Math.floor((state.sent / state.size) * 100) : 0;
  const headline =
    state.phase === 'done'
      ? tp('access.upload.done', { name })
      : state.phase === 'failed'
        ? tp('access.upload.failed', { name })
        : state.phase === 'cancelled'
          ? tp('access.upload.cancelled')
          : tp('access.upload.progress', { name });
  const status =
    state.phase === 'starting'
      ? tp('access.upload.starting')
      : state.phase === 'completing'
        ? tp('access.upload.completing')
        : state.phase === 'paused'
          ? tp('access.upload.paused')
          : state.phase === 'interrupted'
            ? tp('access.upload.interrupted')
            : null;
  const active = state.phase === 'starting' || state.phase === 'uploading' || state.phase === 'completing';
  const color = state.phase === 'failed' ? 'red' : state.phase === 'done' ? 'teal' : state.phase === 'interrupted' || state.phase === 'paused' ? 'yellow' : 'blue';
  return (
    <Card withBorder padding="sm" data-testid="portal-upload" data-phase={state.phase} data-file={name} data-sent={state.sent} data-size={state.size}>
      <Stack gap={6}>
        <Text size="md" fw={600} style={{ overflowWrap: 'anywhere' }}>
          {state.phase === 'done' ? '✓ ' : state.phase === 'failed' ? '✗ ' : ''}
          {headline}
        </Text>
        {state.phase !== 'failed' && state.phase !== 'cancelled' ? (
          <>
            <Progress
              value={pct}
              size="xl"
              color={color}
              striped={active}
              animated={active}
              aria-label={tp('access.upload.progress', { name })}
              data-testid="portal-upload-progress"
            />
            <Text size="md" aria-live="polite" data-testid="portal-upload-status">
              {status ? `${status}. ` : ''}
              {tp('access.upload.sent', { sent: formatBytes(state.sent), size: formatBytes(state.size), percent: pct })}
            </Text>
          </>
        ) : null}
        {state.error && state.phase !== 'cancelled' ? (
          <Alert color={state.phase === 'failed' ? 'red' : 'yellow'} role="alert" data-testid="portal-upload-error" data-code={state.error.code}>
            <Text size="md">{state.error.message}</Text>
          </Alert>
        ) : null}
        <Group gap="sm" wrap="wrap">
          {state.phase === 'uploading' || state.phase === 'starting' ? (
            <Button size="lg" variant="default" onClick={() => upload.pause()} data-testid="portal-upload-pause">
              {tp('access.upload.pause')}
            </Button>
          ) : null}
          {state.phase === 'paused' || state.phase === 'interrupted' ? (
            <Button size="lg" onClick={() => void upload.resume()} data-testid="portal-upload-resume">
              {tp('access.upload.resume')}
            </Button>
          ) : null}
          {state.phase !== 'done' && state.phase !== 'failed' && state.phase !== 'cancelled' ? (
            <Button size="lg" variant="subtle" color="red.9" onClick={() => upload.cancel()} data-testid="portal-upload-cancel">
              {tp('access.upload.cancel')}
            </Button>
          ) : (
            <Button size="lg" variant="subtle" onClick={onDismiss} data-testid="portal-upload-dismiss">
              {tp('access.upload.dismiss')}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

/** Anything not on a checklist (or no request yet): the patient says what it is. */
function OtherDocuments({ reference, ...slot }: SlotProps & { reference: Reference }) {
  const types = Object.entries(reference.documentTypes);
  const [type, setType] = useState<DocumentTypeCode>((types.find(([k]) => k === 'other')?.[0] ?? types[0]?.[0] ?? 'other') as DocumentTypeCode);
  const docs = slot.documents.filter((d) => d.type === 'other');
  return (
    <section aria-labelledby="portal-docs-other-title" data-testid="portal-docs-other">
      <Title order={2} id="portal-docs-other-title" fz={{ base: 20, sm: 24 }} mb={4}>
        {tp('access.docs.other')}
      </Title>
      <Text size="md" mb="sm">
        {tp('access.docs.other.lead')}
      </Text>
      <Card withBorder padding="md">
        <Stack gap="sm">
          {docs.length > 0 ? <DocList docs={docs} /> : null}
          {slot.canUpload ? (
            <NativeSelect
              size="lg"
              label={tp('access.docs.other.type')}
              value={type}
              onChange={(e) => setType(e.currentTarget.value as DocumentTypeCode)}
              data={types.map(([value, label]) => ({ value, label }))}
              data-testid="portal-docs-other-type"
            />
          ) : null}
          <Slot slotId="other" type={type} label={slot.typeName(type)} {...slot} />
        </Stack>
      </Card>
    </section>
  );
}
