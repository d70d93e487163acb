import { Alert, Badge, Box, Button, Group, Loader, NativeSelect, Stack, Text, Textarea, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { newDraftKey, type AttachableDocument, type ChatSnapshot, type ChatSource } from './chat-source';
import { messageTime, tc } from './chat-text';

export interface ChatPanelProps {
  source: ChatSource;
  requestId: string;
  /** A narrow column beside a video call: smaller type and paddings, the list fills the height. */
  compact?: boolean;
  /** False while the panel is folded away: it keeps counting but marks nothing read. */
  active?: boolean;
  /** Told the unread count whenever it changes (a folded panel's badge). */
  onUnreadChange?: (count: number) => void;
}

/**
 * The chat of one request, the same for the patient (portal) and the doctor (desktop): messages
 * oldest first, the other side's new ones marked «Новое» and read once on screen, pending ones
 * (the desktop offline) shown as such, an optional attachment from the patient's documents.
 * Enter sends, Shift+Enter starts a new line. Bodies are rendered as text only.
 */
export function ChatPanel({ source, requestId, compact = false, active = true, onUnreadChange }: ChatPanelProps) {
  const [snapshot, setSnapshot] = useState<ChatSnapshot | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [draftKey, setDraftKey] = useState(() => newDraftKey());
  const [missing, setMissing] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [documents, setDocuments] = useState<AttachableDocument[]>([]);
  const [attach, setAttach] = useState('');
  /** The other side's messages that arrived unread during this visit keep their «Новое» mark. */
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const marking = useRef(false);
  const listRef = useRef<HTMLDivElement>(null);
  const inputId = useId();
  const size = compact ? 'sm' : 'md';

  const refresh = useCallback(async () => {
    try {
      const s = await source.list(requestId);
      setSnapshot(s);
      setLoadError(null);
    } catch (err) {
      setLoadError(source.describeError(err) || tc('chat.loadFailed'));
    }
  }, [source, requestId]);

  useEffect(() => {
    void refresh();
    return source.subscribe(requestId, () => void refresh());
  }, [source, requestId, refresh]);

  useEffect(() => {
    let live = true;
    source.documents(requestId).then(
      (d) => live && setDocuments(d),
      () => undefined,
    );
    return () => {
      live = false;
    };
    // A new message may carry a document uploaded since: names follow the chat's length.
  }, [source, requestId, snapshot?.items.length]);

  const unread = snapshot?.unread ?? 0;
  useEffect(() => onUnreadChange?.(unread), [unread, onUnreadChange]);

  // What is on screen is read: mark it (one call at a time), keeping the «Новое» marks.
  useEffect(() => {
    if (!active || !snapshot || snapshot.unread === 0 || marking.current) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    const newOnes = snapshot.items.filter((m) => m.senderRole !== source.side && m.readAt === null).map((m) => m.id);
    setFresh((f) => new Set([...f, ...newOnes]));
    marking.current = true;
    source
      .markRead(requestId)
      .then(() => refresh())
      .catch((err: unknown) => setLoadError(source.describeError(err)))
      .finally(() => {
        marking.current = false;
      });
  }, [active, snapshot, source, requestId, refresh]);

  const count = snapshot?.items.length ?? 0;
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, active]);

  async function send() {
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
      const sent = await source.send(requestId, { body, documentId: attach || null }, draftKey);
      setSnapshot((s) => (s ? { ...s, items: [...s.items.filter((m) => m.id !== sent.id), sent] } : { items: [sent], unread: 0 }));
      setDraft('');
      setAttach('');
      setDraftKey(newDraftKey());
      void refresh();
    } catch (err) {
      setSendError(source.describeError(err) || tc('chat.failed'));
    } finally {
      setBusy(false);
    }
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends; Shift+Enter is a new line; an IME composition's Enter is the IME's.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  const docOf = (id: string) => documents.find((d) => d.id === id) ?? null;
  const items = snapshot?.items ?? [];

  return (
    <Stack gap={compact ? 'xs' : 'sm'} data-testid="chat-panel" data-request-id={requestId} data-compact={compact} data-unread={unread} h={compact ? '100%' : undefined} style={{ minHeight: 0 }}>
      {loadError ? (
        <Alert color="red" role="alert" data-testid="chat-error" p={compact ? 'xs' : undefined}>
          <Text size={size}>{loadError}</Text>
        </Alert>
      ) : null}
      {snapshot === null && !loadError ? <Loader size="sm" aria-label={tc('chat.loading')} /> : null}
      {snapshot && items.length === 0 ? (
        <Text size={size} c="dimmed" data-testid="chat-empty">
          {tc(source.side === 'patient' ? 'chat.empty.patient' : 'chat.empty.doctor')}
        </Text>
      ) : null}
      {items.length > 0 ? (
        <Box
          ref={listRef}
          role="log"
          aria-live="polite"
          aria-label={tc('chat.list')}
          tabIndex={0}
          style={{ maxHeight: compact ? undefined : '60vh', flex: compact ? '1 1 auto' : undefined, minHeight: 0, overflowY: 'auto', overscrollBehavior: 'contain' }}
        >
          <Stack component="ul" gap={compact ? 6 : 'sm'} style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="chat-messages">
            {items.map((m) => {
              const mine = m.senderRole === source.side;
              const doc = m.documentId ? docOf(m.documentId) : null;
              return (
                <Box
                  component="li"
                  key={m.id}
                  data-testid="chat-message"
                  data-mine={mine}
                  data-message-id={m.id}
                  data-pending={m.pending}
                  data-read={m.readAt !== null}
                  style={{ display: 'flex', justifyContent: mine ? 'flex-end' : 'flex-start' }}
                >
                  <Box
                    p={compact ? 6 : 'sm'}
                    maw={compact ? '92%' : '85%'}
                    bg={mine ? 'blue.0' : 'gray.1'}
                    style={{ borderRadius: 12, border: `1px ${m.pending ? 'dashed' : 'solid'} var(--mantine-color-${mine ? 'blue-2' : 'gray-3'})`, minWidth: 0 }}
                  >
                    <Group gap={6} wrap="wrap">
                      <Text size="sm" fw={700} data-testid="chat-sender" style={{ overflowWrap: 'anywhere' }}>
                        {mine ? tc('chat.you') : m.senderName || (m.senderRole === 'patient' ? tc('chat.patient') : '')}
                      </Text>
                      {fresh.has(m.id) ? (
                        <Badge size="sm" color="red" variant="light" data-testid="chat-new">
                          {tc('chat.new')}
                        </Badge>
                      ) : null}
                    </Group>
                    <Text size={size} data-testid="chat-body" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                      {m.body}
                    </Text>
                    {m.documentId ? (
                      doc && source.openDocument ? (
                        <UnstyledButton
                          onClick={() => source.openDocument?.(doc)}
                          aria-label={tc('chat.attachment.open', { name: doc.fileName })}
                          data-testid="chat-attachment"
                          style={{ textDecoration: 'underline', overflowWrap: 'anywhere' }}
                        >
                          <Text size="sm" c="blue.9">
                            {tc('chat.attachmentNamed', { name: doc.fileName })}
                          </Text>
                        </UnstyledButton>
                      ) : (
                        <Text size="sm" c="dark.4" data-testid="chat-attachment" style={{ overflowWrap: 'anywhere' }}>
                          {doc ? tc('chat.attachmentNamed', { name: doc.fileName }) : tc('chat.attachment')}
                        </Text>
                      )
                    ) : null}
                    <Group gap={6} justify={mine ? 'flex-end' : 'flex-start'}>
                      <Text size="xs" c="dark.4">
                        <time dateTime={m.createdAt}>{messageTime(m.createdAt)}</time>
                      </Text>
                      {m.pending ? (
                        <Badge size="xs" color="orange" variant="light" data-testid="chat-pending">
                          {tc('chat.pending')}
                        </Badge>
                      ) : mine && m.readAt ? (
                        <Text size="xs" c="teal.9" data-testid="chat-read">
                          {tc('chat.read')}
                        </Text>
                      ) : null}
                    </Group>
                  </Box>
                </Box>
              );
            })}
          </Stack>
        </Box>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
        noValidate
        data-testid="chat-form"
        aria-label={tc('chat.send')}
      >
        <Stack gap="xs">
          <Textarea
            id={inputId}
            data-testid="chat-input"
            size={compact ? 'sm' : 'lg'}
            label={tc('chat.message')}
            description={compact ? undefined : tc('chat.message.hint')}
            autosize
            minRows={compact ? 1 : 2}
            maxRows={compact ? 4 : 6}
            maxLength={4000}
            value={draft}
            onChange={(e) => {
              setDraft(e.currentTarget.value);
              setMissing(false);
            }}
            onKeyDown={onKeyDown}
            error={missing ? tc('chat.required') : undefined}
          />
          {documents.length > 0 ? (
            <NativeSelect
              data-testid="chat-attach"
              size={compact ? 'xs' : 'lg'}
              label={tc('chat.attach')}
              description={compact ? undefined : tc(source.side === 'patient' ? 'chat.attach.hint.patient' : 'chat.attach.hint.doctor')}
              value={attach}
              onChange={(e) => setAttach(e.currentTarget.value)}
              data={[{ value: '', label: tc('chat.attach.none') }, ...documents.map((d) => ({ value: d.id, label: d.fileName }))]}
            />
          ) : null}
          {sendError ? (
            <Alert color="red" role="alert" data-testid="chat-send-error" p={compact ? 'xs' : undefined}>
              <Text size={size}>{sendError}</Text>
            </Alert>
          ) : null}
          <Button type="submit" size={compact ? 'sm' : 'lg'} color="blue.8" loading={busy} data-testid="chat-send" styles={{ root: { height: 'auto', minHeight: 'var(--button-height)' }, label: { whiteSpace: 'normal' } }}>
            {tc('chat.send')}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
