import { Alert, Badge, Button, Card, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { AppNotification } from '../../../shared/domain/notifications';
import type { PublicUser } from '../../../shared/domain/users';
import { callCare } from '../api';
import { tp } from '../i18n';
import { PageHeading } from '../PageHeading';
import { clock, newestFirst, unreadIds } from './care-model';
import { dayLabel, failureText, isSessionLost, LoadError, plainList, readableColours, wrapButton } from './care-ui';

/**
 * Notifications, newest first. Unread ones stand out (a coloured edge, «Новое», bold title) and
 * «Отметить все прочитанными», or «Прочитано» on one, tells the server and clears the mark.
 */
export function NotificationsPage({ token, onExpired }: { token: string; user: PublicUser; onExpired: () => void }) {
  const [items, setItems] = useState<AppNotification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [markError, setMarkError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const r = await callCare('listNotifications', { token });
      setItems(newestFirst(r.items));
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setError(failureText(err));
    }
  }, [token, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  async function mark(ids: string[]) {
    if (busy || ids.length === 0) return;
    setBusy(true);
    setMarkError(null);
    try {
      // The server takes up to 500 at a time.
      for (let i = 0; i < ids.length; i += 500) await callCare('markNotificationsRead', { token, body: { ids: ids.slice(i, i + 500) } });
      const at = new Date().toISOString();
      let left = 0;
      setItems((xs) => {
        const next = xs?.map((n) => (ids.includes(n.id) ? { ...n, readAt: n.readAt ?? at } : n)) ?? xs;
        left = next ? unreadIds(next).length : 0;
        return next;
      });
      if (left === 0) setNotice(tp('care.notif.allRead'));
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setMarkError(failureText(err) || tp('care.notif.failed'));
    } finally {
      setBusy(false);
    }
  }

  const unread = items ? unreadIds(items) : [];

  return (
    <Stack gap="lg" data-testid="care-notifications" style={readableColours}>
      <PageHeading title={tp('care.notif.heading')} />
      {error ? <LoadError message={error} onRetry={() => void load()} testId="care-notifications-error" /> : null}
      {!items && !error ? (
        <Center py="xl">
          <Loader aria-label={tp('care.loading')} />
        </Center>
      ) : null}
      {items ? (
        <>
          <Group justify="space-between" align="center" gap="sm">
            {unread.length > 0 ? (
              <Badge size="xl" color="red.9" variant="filled" data-testid="care-notifications-unread" data-count={unread.length}>
                {tp('care.notif.unread', { count: unread.length })}
              </Badge>
            ) : (
              <span />
            )}
            {unread.length > 0 ? (
              <Button styles={wrapButton} size="lg" variant="light" onClick={() => void mark(unread)} loading={busy} data-testid="care-notifications-mark-all">
                {tp('care.notif.markAll')}
              </Button>
            ) : null}
          </Group>
          {notice && unread.length === 0 ? (
            <Alert color="teal" role="status" data-testid="care-notifications-notice">
              <Text size="md">{notice}</Text>
            </Alert>
          ) : null}
          {markError ? (
            <Alert color="red" role="alert" data-testid="care-notifications-mark-error">
              <Text size="md">{markError}</Text>
            </Alert>
          ) : null}
          {items.length === 0 ? (
            <Card withBorder padding="lg" data-testid="care-notifications-empty">
              <Text size="md">{tp('care.notif.none')}</Text>
            </Card>
          ) : (
            <Stack component="ul" gap="md" style={plainList} data-testid="care-notifications-list" aria-label={tp('care.notif.heading')}>
              {items.map((n) => {
                const isUnread = n.readAt === null;
                return (
                  <Card
                    component="li"
                    key={n.id}
                    withBorder
                    padding="lg"
                    data-testid="care-notification"
                    data-notification-id={n.id}
                    data-kind={n.kind}
                    data-unread={isUnread}
                    bg={isUnread ? 'blue.0' : undefined}
                    style={isUnread ? { borderLeft: '6px solid var(--mantine-color-blue-6)' } : undefined}
                  >
                    <Stack gap={6}>
                      <Group justify="space-between" align="flex-start" gap="xs" wrap="nowrap">
                        <Text fw={isUnread ? 800 : 600} size="lg" data-testid="care-notification-title" style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
                          {n.title}
                        </Text>
                        {isUnread ? (
                          <Badge size="md" color="red.9" variant="filled" style={{ flexShrink: 0 }} data-testid="care-notification-new">
                            {tp('care.new')}
                          </Badge>
                        ) : null}
                      </Group>
                      <Text size="md" data-testid="care-notification-body" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                        {n.body}
                      </Text>
                      <Text size="sm" c="dark.4">
                        <time dateTime={n.createdAt}>
                          {dayLabel(n.createdAt)}, {tp('care.moscow', { time: clock(n.createdAt) })}
                        </time>
                      </Text>
                      {isUnread ? (
                        <Button styles={wrapButton} size="lg" variant="default" onClick={() => void mark([n.id])} disabled={busy} data-testid="care-notification-mark" style={{ alignSelf: 'flex-start' }}>
                          {tp('care.notif.markOne')}
                        </Button>
                      ) : null}
                    </Stack>
                  </Card>
                );
              })}
            </Stack>
          )}
        </>
      ) : null}
    </Stack>
  );
}
