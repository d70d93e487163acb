import { Alert, Badge, Box, Button, Card, Group, Loader, NativeSelect, Stack, Text, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { PatientDocument } from '../../../shared/domain/documents';
import type { ChatMessage } from '../../../shared/domain/portal';
import { callCare } from '../api';
import { tp } from '../i18n';
import { CHAT_POLL_MS, clock, newId, oldestFirst } from './care-model';
import { dayLabel, failureText, isSessionLost, plainList, wrapButton } from './care-ui';

/**
 * The patient–doctor chat of one request (the duty doctor's booking). While the panel is on the
 * page it asks for new messages every 5 s (only while the tab is visible) and when the window
 * regains focus; an open panel marks the doctor's messages read. The patient may attach one of
 * their own uploaded documents to a message.
 */
export function ChatPanel({
  token,
  requestId,
  patientId,
  onExpired,
  defaultOpen = false,
  title = tp('care.chat.heading'),
}: {
  token: string;
  requestId: string;
  /** Whose documents may be attached (null: no attachment). */
  patientId: string | null;
  onExpired: () => void;
  defaultOpen?: boolean;
  title?: string;
}) {
  const [items, setItems] = useState<ChatMessage[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(defaultOpen);
  const [draft, setDraft] = useState('');
  const [draftId, setDraftId] = useState(() => newId());
  const [missing, setMissing] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [documents, setDocuments] = useState<PatientDocument[]>([]);
  const [attach, setAttach] = useState('');
  /** Doctor's messages that arrived unread during this visit: they keep their «Новое» mark. */
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const marking = useRef(false);
  const listRef = useRef<HTMLDivElement>(null);
  const headingId = useId();
  const inputId = useId();

  const refresh = useCallback(async () => {
    try {
      const r = await callCare('listMessages', { token, params: { id: requestId } });
      setItems(oldestFirst(r.items));
      setUnread(r.unread);
      setLoadError(null);
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setLoadError(failureText(err));
    }
  }, [token, requestId, onExpired]);

  // Poll while on the page and visible; refresh when the window comes back.
  useEffect(() => {
    void refresh();
    const tick = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    const timer = window.setInterval(tick, CHAT_POLL_MS);
    window.addEventListener('focus', tick);
    document.addEventListener('visibilitychange', tick);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', tick);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [refresh]);

  // The patient's documents, to pick one to attach (once the chat is opened).
  useEffect(() => {
    if (!open || !patientId) return;
    let live = true;
    callCare('listPatientDocuments', { token, params: { id: patientId } }).then(
      (r) => live && setDocuments(r.items),
      (err: unknown) => {
        if (live && isSessionLost(err)) onExpired();
      },
    );
    return () => {
      live = false;
    };
  }, [open, patientId, token, onExpired]);

  // The patient sees the doctor's new messages: mark them read (once per batch).
  useEffect(() => {
    if (!open || !items || document.visibilityState !== 'visible' || marking.current) return;
    const newOnes = items.filter((m) => m.senderRole === 'doctor' && m.readAt === null).map((m) => m.id);
    if (newOnes.length === 0 && unread === 0) return;
    setFresh((f) => new Set([...f, ...newOnes]));
    marking.current = true;
    callCare('markMessagesRead', { token, params: { id: requestId } })
      .then(() => {
        setUnread(0);
        setItems((xs) => xs?.map((m) => (newOnes.includes(m.id) ? { ...m, readAt: m.readAt ?? new Date().toISOString() } : m)) ?? xs);
      })
      .catch((err: unknown) => {
        if (isSessionLost(err)) onExpired();
      })
      .finally(() => {
        marking.current = false;
      });
  }, [open, items, unread, token, requestId, onExpired]);

  // Keep the newest message in view.
  const count = items?.length ?? 0;
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, open]);

  async function send(e: { preventDefault(): void }) {
    e.preventDefault();
    if (busy) return;
    const body = draft.trim();
    if (!body) {
      setMissing(true);
      document.getElementById(inputId)?.focus();
      return;
    }
    setBusy(true);
    setSendError(null);
    try {
      const sent = await callCare('sendMessage', { token, params: { id: requestId }, body: { id: draftId, body, documentId: attach || null } });
      setItems((xs) => oldestFirst([...(xs ?? []).filter((m) => m.id !== sent.id), sent]));
      setDraft('');
      setAttach('');
      setDraftId(newId());
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setSendError(failureText(err) || tp('care.chat.failed'));
    } finally {
      setBusy(false);
    }
  }

  const docName = (id: string) => {
    const d = documents.find((x) => x.id === id);
    return d ? tp('care.chat.attachmentNamed', { name: d.fileName }) : tp('care.chat.attachment');
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby={headingId} data-testid="care-chat" data-request-id={requestId} data-open={open}>
      <Stack gap="sm">
        <Group justify="space-between" align="center" gap="xs" wrap="wrap">
          <Title order={3} id={headingId} fz={{ base: 18, sm: 20 }}>
            {title}
          </Title>
          {unread > 0 ? (
            <Badge size="lg" color="red.9" variant="filled" data-testid="care-chat-unread" data-count={unread}>
              {tp('care.chat.unread', { count: unread })}
            </Badge>
          ) : null}
        </Group>
        <Button
          size="lg"
          variant="light"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          data-testid="care-chat-toggle"
          styles={wrapButton}
        >
          {open ? tp('care.chat.hide') : tp('care.chat.open')}
        </Button>
        {open ? (
          <Stack gap="sm">
            {loadError ? (
              <Alert color="red" role="alert" data-testid="care-chat-error">
                <Text size="md">{loadError}</Text>
              </Alert>
            ) : null}
            {items === null && !loadError ? <Loader size="sm" aria-label={tp('care.loading')} /> : null}
            {items && items.length === 0 ? (
              <Text size="md" c="gray.7" data-testid="care-chat-empty">
                {tp('care.chat.empty')}
              </Text>
            ) : null}
            {items && items.length > 0 ? (
              <Box
                ref={listRef}
                role="log"
                aria-live="polite"
                aria-label={tp('care.chat.list')}
                tabIndex={0}
                style={{ maxHeight: '60vh', overflowY: 'auto', overscrollBehavior: 'contain' }}
              >
                <Stack component="ul" gap="sm" style={plainList} data-testid="care-chat-messages">
                  {items.map((m) => {
                    const mine = m.senderRole === 'patient';
                    return (
                      <Box
                        component="li"
                        key={m.id}
                        data-testid="care-chat-message"
                        data-mine={mine}
                        data-message-id={m.id}
                        style={{ display: 'flex', justifyContent: mine ? 'flex-end' : 'flex-start' }}
                      >
                        <Box
                          p="sm"
                          maw="85%"
                          bg={mine ? 'blue.0' : 'gray.1'}
                          style={{ borderRadius: 12, border: `1px solid var(--mantine-color-${mine ? 'blue-2' : 'gray-3'})`, minWidth: 0 }}
                        >
                          <Group gap={6} wrap="wrap">
                            <Text size="sm" fw={700} data-testid="care-chat-sender" style={{ overflowWrap: 'anywhere' }}>
                              {mine ? tp('care.chat.you') : m.senderName}
                            </Text>
                            {fresh.has(m.id) ? (
                              <Badge size="sm" color="red" variant="light">
                                {tp('care.new')}
                              </Badge>
                            ) : null}
                          </Group>
                          <Text size="md" data-testid="care-chat-body" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                            {m.body}
                          </Text>
                          {m.documentId ? (
                            <Text size="sm" c="dark.4" data-testid="care-chat-attachment" style={{ overflowWrap: 'anywhere' }}>
                              {docName(m.documentId)}
                            </Text>
                          ) : null}
                          <Text size="sm" c="dark.4" ta={mine ? 'right' : 'left'}>
                            <time dateTime={m.createdAt}>
                              {dayLabel(m.createdAt)}, {tp('care.moscow', { time: clock(m.createdAt) })}
                            </time>
                          </Text>
                        </Box>
                      </Box>
                    );
                  })}
                </Stack>
              </Box>
            ) : null}
            <form onSubmit={(e) => void send(e)} noValidate data-testid="care-chat-form" aria-label={tp('care.chat.send')}>
              <Stack gap="xs">
                <Textarea
                  id={inputId}
                  data-testid="care-chat-input"
                  size="lg"
                  label={tp('care.chat.message')}
                  autosize
                  minRows={2}
                  maxRows={6}
                  maxLength={4000}
                  value={draft}
                  onChange={(e) => {
                    setDraft(e.currentTarget.value);
                    setMissing(false);
                  }}
                  onKeyDown={(e) => {
                    // Ctrl/⌘+Enter sends; plain Enter is a new line (older people type letters).
                    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
                  }}
                  error={missing ? tp('care.chat.required') : undefined}
                />
                {documents.length > 0 ? (
                  <NativeSelect
                    data-testid="care-chat-attach"
                    size="lg"
                    label={tp('care.chat.attach')}
                    description={tp('care.chat.attach.hint')}
                    value={attach}
                    onChange={(e) => setAttach(e.currentTarget.value)}
                    data={[{ value: '', label: tp('care.chat.attach.none') }, ...documents.map((d) => ({ value: d.id, label: d.fileName }))]}
                  />
                ) : null}
                {sendError ? (
                  <Alert color="red" role="alert" data-testid="care-chat-send-error">
                    <Text size="md">{sendError}</Text>
                  </Alert>
                ) : null}
                <Button styles={wrapButton} color="blue.8" type="submit" size="lg" loading={busy} data-testid="care-chat-send">
                  {tp('care.chat.send')}
                </Button>
              </Stack>
            </form>
          </Stack>
        ) : null}
      </Stack>
    </Card>
  );
}
