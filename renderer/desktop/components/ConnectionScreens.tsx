import { Button, Center, Loader, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { t } from '../../i18n';
import { useConnectionState, useRetryNow } from '../../rpc/context';

export function Loading({ label = t('app.loading') }: { label?: string }) {
  return (
    <Center h="100vh" data-testid="app-loading">
      <Stack align="center" gap="sm">
        <Loader aria-hidden />
        <Text c="dimmed" role="status">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

export function NoToken() {
  return (
    <Center h="100vh" p="md" data-testid="no-token">
      <Paper withBorder p="xl" maw={520} role="alert">
        <Title order={2} mb="sm">
          {t('conn.noToken.title')}
        </Title>
        <Text>{t('conn.noToken.body')}</Text>
      </Paper>
    </Center>
  );
}

function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Covers the whole window while the browser-mode socket is down and goes away by itself when it
 * is back. A modal, so focus stays inside and nothing behind it can be clicked meanwhile.
 */
export function ConnectionLost() {
  const state = useConnectionState();
  const retryNow = useRetryNow();
  const retryAt = state.kind === 'lost' ? state.retryAt : null;
  const seconds = useSecondsUntil(retryAt);
  return (
    <Modal
      opened={state.kind === 'lost'}
      onClose={() => undefined}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      centered
      size="md"
      zIndex={1000}
      overlayProps={{ backgroundOpacity: 0.55, blur: 3 }}
      transitionProps={{ duration: 0 }}
      aria-labelledby="conn-lost-title"
    >
      <Stack gap="md" role="alert" data-testid="connection-lost">
        <Title order={2} id="conn-lost-title">
          {t('conn.lost.title')}
        </Title>
        <Text>{t('conn.lost.body')}</Text>
        <Text c="dimmed" size="sm" role="status">
          {seconds === null || seconds === 0 ? t('conn.lost.retrying') : t('conn.lost.retryIn', { seconds })}
        </Text>
        <Button onClick={retryNow} variant="light" data-autofocus data-testid="connection-retry">
          {t('conn.lost.retryNow')}
        </Button>
      </Stack>
    </Modal>
  );
}
