import { Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ChatPanel } from '../../common/chat';
import type { ConsultationRequest } from '../../../shared/domain/requests';
import type { PublicUser } from '../../../shared/domain/users';
import type { PatientCard as Card } from '../../../shared/rpc/contract';
import { findRegion } from '../../../shared/reference/regions';
import { t } from '../../i18n';
import { formatDate, formatDateTime, formatSnils, fullName } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { ScheduleDialog } from '../calendar/ScheduleDialog';
import { DueDate } from '../components/DueDate';
import { NotLoaded } from '../components/ListStatus';
import { DesktopCall } from '../call/DesktopCall';
import { ConclusionEditor } from '../conclusion/ConclusionEditor';
import { documentTypeLabel, formatSize } from '../documents/document-labels';
import { centreName, isOverdue, profileName, sexLabel, sourceLabel, STAGE_COLOR, stageLabel, STATUS_COLOR, statusLabel } from '../labels';
import { notifyError, notifySuccess } from '../notify';
import { downloadBase64 } from '../referrals/files';
import { useLiveQuery } from '../use-live-query';
import { DocumentViewer } from '../viewers/DocumentViewer';
import { cacheView, currentConclusion } from './doctor-view';
import { desktopChatSource } from './desktop-chat-source';

type CardDocument = Card['documents'][number];
type CardConclusion = Card['conclusions'][number];
type CardConsultation = Card['consultations'][number];

/**
 * The patient card: identity, each request with its profile's checklist, documents (with what is
 * on this computer), consultations and conclusions; from here the doctor opens documents,
 * schedules, and writes or corrects a conclusion. Read from the local store: works offline.
 */
export function PatientCard({ patientId, user, onBack }: { patientId: string; user: PublicUser; onBack: () => void }) {
  const rpc = useRpc();
  const card = useLiveQuery(`card:${patientId}`, () => rpc.call('patients.card', { patientId }));
  const [viewing, setViewing] = useState<CardDocument | null>(null);
  const [scheduling, setScheduling] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ requestId: string; consultationId: string | null } | null>(null);
  const [calling, setCalling] = useState<CardConsultation | null>(null);
  // The chat beside the call: the same conversation as in the card, from the local store.
  const callChat = useMemo(() => desktopChatSource(rpc, patientId), [rpc, patientId]);
  const isDoctor = user.role === 'doctor';

  const back = (
    <Button variant="subtle" onClick={onBack} data-testid="card-back" w="fit-content">
      {t('doctor.card.back')}
    </Button>
  );
  if (card.data === undefined) {
    return (
      <Stack gap="md" data-testid="patient-card" data-loaded="false">
        {back}
        <NotLoaded query={card} />
      </Stack>
    );
  }
  const data = card.data;
  const p = data.patient;

  const correct = async (c: CardConclusion) => {
    try {
      const draft = await rpc.call('conclusions.getDraft', { requestId: c.requestId });
      // A correction starts from the issued text; an existing correction draft of it is kept.
      if (draft?.correctsId !== c.id) {
        await rpc.call('conclusions.saveDraft', { requestId: c.requestId, consultationId: c.consultationId, correctsId: c.id, content: c.content });
      }
      setEditing({ requestId: c.requestId, consultationId: c.consultationId });
    } catch (e) {
      notifyError(e);
    }
  };

  const write = (r: ConsultationRequest) => {
    // The conclusion follows the latest consultation that has taken place (completed, or begun);
    // one still ahead cannot be cited, so without such a consultation it is written from the
    // documents («заочно»), as the server also requires.
    const now = new Date().toISOString();
    const held = data.consultations
      .filter((c) => c.requestId === r.id && c.status !== 'cancelled' && (c.status === 'completed' || c.startsAt <= now))
      .sort((a, b) => b.startsAt.localeCompare(a.startsAt));
    setEditing({ requestId: r.id, consultationId: held.find((c) => c.status === 'completed')?.id ?? held[0]?.id ?? null });
  };

  return (
    <Stack gap="md" data-testid="patient-card" data-loaded="true" data-patient-id={p.id}>
      {back}
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} data-testid="card-patient-name">
            {fullName(p)}
          </Title>
          <Badge color={STAGE_COLOR[p.stage]} variant="light" mt={4} data-testid="card-stage">
            {stageLabel(p.stage)}
          </Badge>
        </div>
      </Group>

      <Paper withBorder p="md" component="section" aria-labelledby="card-identity-title" data-testid="card-identity">
        <Title order={3} size="h4" mb="xs" id="card-identity-title">
          {t('doctor.card.identity')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="xs">
          <Field label={t('doctor.card.birthDate')}>{formatDate(p.birthDate)}</Field>
          <Field label={t('doctor.card.sex')}>{sexLabel(p.sex)}</Field>
          <Field label={t('table.snils')} testId="card-snils">
            {formatSnils(p.snils)}
          </Field>
          <Field label={t('doctor.card.enp')}>{p.enp}</Field>
          <Field label={t('doctor.card.phone')}>{p.phone}</Field>
          <Field label={t('doctor.card.region')}>{p.region ? (findRegion(p.region)?.name ?? p.region) : null}</Field>
          <Field label={t('doctor.card.referringOrganization')}>{p.referringOrganization}</Field>
          <Field label={t('doctor.card.attendingPhysician')}>{p.attendingPhysician}</Field>
        </SimpleGrid>
      </Paper>

      <section aria-labelledby="card-requests-title">
        <Title order={3} size="h4" mb="xs" id="card-requests-title">
          {t('doctor.card.requests')}
        </Title>
        {data.requests.length === 0 ? (
          <Text c="dimmed" size="sm" data-testid="card-no-requests">
            {t('doctor.card.noRequests')}
          </Text>
        ) : (
          <Stack gap="sm">
            {data.requests.map((r) => (
              <RequestPanel
                key={r.id}
                request={r}
                card={data}
                isDoctor={isDoctor}
                onSchedule={() => setScheduling(r.id)}
                onWrite={() => write(r)}
                onCorrect={(c) => void correct(c)}
              />
            ))}
          </Stack>
        )}
      </section>

      {isDoctor && data.requests.length > 0 && (
        <ChatSection
          patientId={p.id}
          requests={data.requests}
          onOpenDocument={(id) => {
            const doc = data.documents.find((d) => d.id === id);
            if (doc) setViewing(doc);
          }}
        />
      )}
      <Documents documents={data.documents} onOpen={setViewing} />
      <Consultations card={data} userId={isDoctor ? user.id : null} onStartCall={setCalling} />

      {viewing && <DocumentViewer documentId={viewing.id} fileName={viewing.fileName} mime={viewing.mime} onClose={() => setViewing(null)} />}
      {scheduling && <ScheduleDialog requestId={scheduling} opened onClose={() => setScheduling(null)} />}
      {calling && (
        <DesktopCall
          consultationId={calling.id}
          chat={<ChatPanel compact source={callChat} requestId={calling.requestId} />}
          onClose={() => setCalling(null)}
          onEnded={(by) => {
            const c = calling;
            setCalling(null);
            if (by !== 'doctor') return;
            // The call is over: the consultation has taken place, and the conclusion follows it.
            rpc
              .call('consultations.complete', { id: c.id })
              .catch((e: unknown) => notifyError(e))
              .finally(() => setEditing({ requestId: c.requestId, consultationId: c.id }));
          }}
        />
      )}
      {editing && <ConclusionEditor requestId={editing.requestId} consultationId={editing.consultationId} patientId={p.id} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children ?? t('common.empty')}</Text>
    </div>
  );
}

function RequestPanel({
  request: r,
  card,
  isDoctor,
  onSchedule,
  onWrite,
  onCorrect,
}: {
  request: ConsultationRequest;
  card: Card;
  isDoctor: boolean;
  onSchedule: () => void;
  onWrite: () => void;
  onCorrect: (c: CardConclusion) => void;
}) {
  const checklist = card.checklists.find((c) => c.requestId === r.id);
  const conclusions = card.conclusions.filter((c) => c.requestId === r.id).sort((a, b) => b.version - a.version);
  const current = currentConclusion(conclusions);
  const pending = conclusions.some((c) => c.pending);
  const overdue = isOverdue(r.dueAt, r.status, Date.now());
  const closed = r.status === 'cancelled';
  const required = checklist?.items.filter((i) => i.required) ?? [];
  return (
    <Paper withBorder p="md" data-testid="card-request" data-request-id={r.id} data-status={r.status}>
      <Group justify="space-between" align="flex-start" mb="xs">
        <div>
          <Text fw={600}>{profileName(r.centre, r.profile)}</Text>
          <Text size="sm" c="dimmed">
            {centreName(r.centre)} · {sourceLabel(r.source)}
            {r.urgency === 'urgent' ? ` · ${t('urgency.urgent')}` : ''}
          </Text>
        </div>
        <Group gap="sm" align="flex-start">
          <Badge color={STATUS_COLOR[r.status]} variant="light" data-testid="request-status">
            {statusLabel(r.status)}
          </Badge>
          <DueDate dueAt={r.dueAt} overdue={overdue} />
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" mb="sm">
        <Field label={t('doctor.card.diagnosis')} testId="request-diagnosis">
          {r.icd10 || r.diagnosis ? [r.icd10, r.diagnosis].filter(Boolean).join(' — ') : null}
        </Field>
        <Field label={t('doctor.card.complaints')}>{r.complaints}</Field>
        {r.pregnancyWeeks !== null && <Field label={t('doctor.card.pregnancyWeeks')}>{r.pregnancyWeeks}</Field>}
        {r.note && <Field label={t('doctor.card.note')}>{r.note}</Field>}
      </SimpleGrid>

      {checklist && checklist.items.length > 0 && (
        <div data-testid="card-checklist" data-complete={checklist.complete}>
          <Text size="sm" fw={500}>
            {t('documents.checklist.title')}{' '}
            <Text span size="sm" c={checklist.complete ? 'teal.8' : 'orange.8'} data-testid="card-checklist-summary">
              ({t('documents.checklist.summary', { present: required.filter((i) => i.present).length, total: required.length })})
            </Text>
          </Text>
          <Stack gap={2} component="ul" m={0} mt={4} pl="md">
            {checklist.items.map((i) => (
              <Text
                component="li"
                size="sm"
                key={i.type}
                data-testid="checklist-item"
                data-type={i.type}
                data-present={i.present}
                data-required={i.required}
              >
                <Text span c={i.present ? 'teal.8' : i.required ? 'red.7' : 'dimmed'} fw={500} data-testid="checklist-state">
                  {i.present ? '✓ ' : '✗ '}
                  {t(i.present ? 'documents.checklist.present' : 'documents.checklist.missing')}
                </Text>
                {' — '}
                {i.label}{' '}
                <Text span size="xs" c="dimmed">
                  ({t(i.required ? 'documents.checklist.required' : 'documents.checklist.optional')})
                </Text>
              </Text>
            ))}
          </Stack>
        </div>
      )}

      {conclusions.length > 0 && <ConclusionVersions versions={conclusions} current={current} isDoctor={isDoctor} onCorrect={onCorrect} />}

      {isDoctor && !closed && (
        <Group gap="sm" mt="sm">
          <Button size="xs" variant="light" onClick={onSchedule} data-testid="card-schedule">
            {t('doctor.card.schedule')}
          </Button>
          {!current && !pending && (
            <Button size="xs" onClick={onWrite} data-testid="card-write-conclusion">
              {t('doctor.card.writeConclusion')}
            </Button>
          )}
        </Group>
      )}
    </Paper>
  );
}

function ConclusionVersions({
  versions,
  current,
  isDoctor,
  onCorrect,
}: {
  versions: CardConclusion[];
  current: CardConclusion | null;
  isDoctor: boolean;
  onCorrect: (c: CardConclusion) => void;
}) {
  const rpc = useRpc();
  const [downloading, setDownloading] = useState<string | null>(null);
  const pending = versions.some((c) => c.pending);
  const download = (c: CardConclusion) => {
    setDownloading(c.id);
    rpc
      .call('conclusions.pdf', { id: c.id })
      .then((pdf) => {
        downloadBase64(pdf.fileName, pdf.base64, 'application/pdf');
        notifySuccess(t('doctor.conclusion.downloaded', { fileName: pdf.fileName }));
      }, notifyError)
      .finally(() => setDownloading(null));
  };
  return (
    <div data-testid="card-conclusions">
      <Text size="sm" fw={500} mt="sm" mb={4}>
        {t('doctor.card.conclusions')}
      </Text>
      <Table verticalSpacing={4} withRowBorders={false}>
        <Table.Tbody>
          {versions.map((c) => {
            const isCurrent = current?.id === c.id;
            return (
              <Table.Tr key={c.id} data-testid="conclusion-row" data-conclusion-id={c.id} data-version={c.version} data-pending={c.pending} data-current={isCurrent}>
                <Table.Td>
                  <Text size="sm" fw={isCurrent ? 600 : undefined}>
                    {t('doctor.conclusion.version', { version: c.version })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t(c.outcome === 'invitation' ? 'doctor.conclusion.outcome.invitation' : 'doctor.conclusion.outcome.conclusion')}</Text>
                  <Text size="xs" c="dimmed">
                    {`${c.content.mainDiagnosis.icd10} — ${c.content.mainDiagnosis.text}`}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(c.issuedAt)}</Text>
                  <Text size="xs" c="dimmed">
                    {c.doctorName}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {c.pending ? (
                    <Badge color="orange" variant="light" data-testid="conclusion-pending">
                      {t('doctor.conclusion.pending')}
                    </Badge>
                  ) : c.supersededBy ? (
                    <Badge color="gray" variant="light" data-testid="conclusion-superseded">
                      {t('doctor.conclusion.superseded')}
                    </Badge>
                  ) : (
                    <Badge color="green" variant="light" data-testid="conclusion-issued">
                      {t('doctor.conclusion.issued')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button
                      size="compact-sm"
                      variant="light"
                      disabled={c.pending}
                      loading={downloading === c.id}
                      onClick={() => download(c)}
                      aria-label={t('doctor.conclusion.pdf.aria', { version: c.version })}
                      data-testid="conclusion-pdf"
                    >
                      {t('doctor.conclusion.pdf')}
                    </Button>
                    {isDoctor && isCurrent && !pending && (
                      <Button size="compact-sm" variant="subtle" onClick={() => onCorrect(c)} aria-label={t('doctor.conclusion.correct.aria', { version: c.version })} data-testid="conclusion-correct">
                        {t('doctor.conclusion.correct')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function CacheIndicator({ doc }: { doc: CardDocument }) {
  const v = cacheView(doc.cache, doc.size);
  const color = { cached: 'teal', pinned: 'teal', downloading: 'blue', queued: 'blue', absent: 'gray', failed: 'red' }[v.kind];
  const label =
    v.kind === 'downloading'
      ? t('doctor.cache.downloading', { percent: v.percent })
      : t(
          (
            {
              cached: 'doctor.cache.cached',
              pinned: 'doctor.cache.pinned',
              queued: 'doctor.cache.queued',
              absent: 'doctor.cache.absent',
              failed: 'doctor.cache.failed',
            } as const
          )[v.kind],
        );
  return (
    <Badge size="sm" variant={v.kind === 'pinned' ? 'filled' : 'light'} color={color} data-testid="document-cache" data-state={v.kind} title={doc.cache?.error ?? undefined}>
      {label}
    </Badge>
  );
}

function Documents({ documents, onOpen }: { documents: CardDocument[]; onOpen: (d: CardDocument) => void }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="card-documents-title" data-testid="card-documents">
      <Title order={3} size="h4" mb="xs" id="card-documents-title">
        {t('documents.list.title')}
      </Title>
      {documents.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="card-documents-empty">
          {t('doctor.card.noDocuments')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table verticalSpacing="xs" data-testid="card-documents-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('documents.col.type')}</Table.Th>
                <Table.Th>{t('documents.col.file')}</Table.Th>
                <Table.Th>{t('documents.col.size')}</Table.Th>
                <Table.Th>{t('documents.col.at')}</Table.Th>
                <Table.Th>{t('doctor.card.cache')}</Table.Th>
                <Table.Th>{t('table.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {documents.map((d) => (
                <Table.Tr key={d.id} data-testid="document-row" data-document-id={d.id} data-type={d.type}>
                  <Table.Td>{documentTypeLabel(d.type)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid="document-file-name" style={{ wordBreak: 'break-all' }}>
                      {d.fileName}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatSize(d.size)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.createdAt)}</Table.Td>
                  <Table.Td>
                    <CacheIndicator doc={d} />
                  </Table.Td>
                  <Table.Td>
                    <Button size="compact-sm" variant="light" onClick={() => onOpen(d)} aria-label={t('doctor.card.openDocument.aria', { fileName: d.fileName })} data-testid="document-open">
                      {t('doctor.card.openDocument')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function Consultations({ card, userId, onStartCall }: { card: Card; userId: string | null; onStartCall: (c: CardConsultation) => void }) {
  if (card.consultations.length === 0) return null;
  const profileOf = (requestId: string) => {
    const r = card.requests.find((x) => x.id === requestId);
    return r ? profileName(r.centre, r.profile) : '';
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="card-consultations-title" data-testid="card-consultations">
      <Title order={3} size="h4" mb="xs" id="card-consultations-title">
        {t('doctor.card.consultations')}
      </Title>
      <Table verticalSpacing="xs">
        <Table.Tbody>
          {card.consultations.map((c) => (
            <Table.Tr key={c.id} data-testid="consultation-row" data-consultation-id={c.id} data-status={c.status} data-pending={c.pending}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(c.startsAt)}</Table.Td>
              <Table.Td>{profileOf(c.requestId)}</Table.Td>
              <Table.Td>{c.doctorName}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={c.status === 'cancelled' ? 'gray' : c.status === 'completed' ? 'teal' : 'violet'}>
                  {t(`doctor.consultation.${c.status}`)}
                </Badge>
                {c.pending && (
                  <Badge ml="xs" variant="light" color="orange">
                    {t('table.pending')}
                  </Badge>
                )}
                {c.cancelReason && (
                  <Text size="xs" c="dimmed">
                    {c.cancelReason}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {c.status === 'scheduled' && !c.pending && c.doctorId === userId && (
                  <Button size="compact-sm" color="teal" onClick={() => onStartCall(c)} aria-label={t('doctor.card.startCall.aria', { when: formatDateTime(c.startsAt) })} data-testid="consultation-start-call">
                    {t('doctor.card.startCall')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

/**
 * «Переписка»: the chat with the patient, one tab per request, each with its unread count; read
 * from the local store, so it opens offline, and a reply written offline waits as pending.
 */
function ChatSection({ patientId, requests, onOpenDocument }: { patientId: string; requests: ConsultationRequest[]; onOpenDocument: (documentId: string) => void }) {
  const rpc = useRpc();
  const requestIds = requests.map((r) => r.id);
  const unread = useLiveQuery(`chat-unread:${requestIds.join(',')}`, () => rpc.call('chat.unread', { requestIds }));
  const [tab, setTab] = useState<string | null>(requests[0]?.id ?? null);
  // The latest opener through a ref: a new closure per render must not make a new source (a refetch).
  const opener = useRef(onOpenDocument);
  useEffect(() => {
    opener.current = onOpenDocument;
  });
  const source = useMemo(() => desktopChatSource(rpc, patientId, (d) => opener.current(d.id)), [rpc, patientId]);
  const total = unread.data?.total ?? 0;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="card-chat-title" data-testid="card-chat" data-unread={total}>
      <Group gap="xs" mb="xs">
        <Title order={3} size="h4" id="card-chat-title">
          {t('chat.heading')}
        </Title>
        {total > 0 && (
          <Badge color="red" variant="filled" data-testid="card-chat-unread" data-count={total} aria-label={t('chat.tab.unread', { count: total })}>
            {total}
          </Badge>
        )}
      </Group>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        {requests.length > 1 && (
          <Tabs.List>
            {requests.map((r) => {
              const n = unread.data?.byRequest[r.id] ?? 0;
              return (
                <Tabs.Tab key={r.id} value={r.id} data-testid="card-chat-tab" data-request-id={r.id} rightSection={n > 0 ? <Badge size="xs" color="red" variant="filled">{n}</Badge> : null}>
                  {t('chat.tab.request', { profile: profileName(r.centre, r.profile) })}
                </Tabs.Tab>
              );
            })}
          </Tabs.List>
        )}
        {requests.map((r) => (
          <Tabs.Panel key={r.id} value={r.id} pt="xs">
            <ChatPanel source={source} requestId={r.id} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Paper>
  );
}
