import { Badge, Button, Card, Group, Stack, Title } from '@mantine/core';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { ChatPanel as SharedChatPanel } from '../../common/chat';
import { tp } from '../i18n';
import { wrapButton } from './care-ui';
import { portalChatSource } from './portal-chat-source';

/**
 * The patient's chat with the doctor about one request (the duty doctor's booking): a card with
 * the unread count that folds open into the shared chat panel. The panel stays mounted while
 * folded, so the count is live (WebSocket pokes); it marks messages read only while open.
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
  const [open, setOpen] = useState(defaultOpen);
  const [unread, setUnread] = useState(0);
  const headingId = useId();
  // Through a ref: a parent's new onExpired each render must not make a new source (and socket).
  const expired = useRef(onExpired);
  useEffect(() => {
    expired.current = onExpired;
  });
  const source = useMemo(() => portalChatSource({ token, patientId, onExpired: () => expired.current() }), [token, patientId]);
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
        <Button size="lg" variant="light" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="care-chat-toggle" styles={wrapButton}>
          {open ? tp('care.chat.hide') : tp('care.chat.open')}
        </Button>
        <div hidden={!open}>
          <SharedChatPanel source={source} requestId={requestId} active={open} onUnreadChange={setUnread} />
        </div>
      </Stack>
    </Card>
  );
}
