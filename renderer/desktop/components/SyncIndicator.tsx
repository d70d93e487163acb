import { ActionIcon, Badge, Button, Group, Popover, Stack, Text, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { SyncStatus } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { formatDateTime, formatInstant } from '../../i18n/format';
import { useReconnected, useRpc, useRpcEvent } from '../../rpc/context';
import { notifyError } from '../notify';

const STATE_COLOR = { online: 'green', syncing: 'blue', offline: 'orange', signed_out: 'gray' } as const satisfies Record<SyncStatus['state'], string>;

/**
 * The header's sync state: online/offline/syncing, how many local changes wait to be sent, when
 * the last sync finished, a button to sync now, and the last error with what to do about it.
 */
export function SyncIndicator() {
  const rpc = useRpc();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    rpc.call('sync.status').then(setStatus, notifyError);
  }, [rpc]);
  useEffect(load, [load]);
  useReconnected(load);
  useRpcEvent('sync.status', setStatus);

  const syncNow = () => {
    setBusy(true);
    rpc
      .call('sync.now')
      .then(setStatus, notifyError)
      .finally(() => setBusy(false));
  };

  if (!status) return null;
  const syncing = status.state === 'syncing' || busy;

  return (
    <Group gap="sm" wrap="nowrap" data-testid="sync-indicator" data-state={status.state} data-pending={status.pending}>
      <Badge color={STATE_COLOR[status.state]} variant="dot" size="lg" data-testid="sync-badge" data-state={status.state} role="status">
        {t(`sync.state.${status.state}`)}
      </Badge>
      <Stack gap={0} visibleFrom="sm">
        <Text size="xs" fw={status.pending > 0 ? 600 : 400} c={status.pending > 0 ? 'orange.8' : 'dimmed'} data-testid="sync-pending" data-count={status.pending}>
          {status.pending > 0 ? t('sync.pending', { count: status.pending }) : t('sync.noPending')}
        </Text>
        <Text size="xs" c="dimmed" data-testid="sync-last">
          {status.lastSyncedAt ? (
            <Tooltip label={formatDateTime(status.lastSyncedAt)}>
              <span>{t('sync.lastSynced', { time: formatInstant(status.lastSyncedAt) })}</span>
            </Tooltip>
          ) : (
            t('sync.neverSynced')
          )}
        </Text>
      </Stack>
      {status.lastError && (
        <Popover width={340} position="bottom-end" withArrow shadow="md">
          <Popover.Target>
            <ActionIcon color="red" variant="light" size="lg" aria-label={t('sync.lastError.title')} data-testid="sync-error-toggle">
              !
            </ActionIcon>
          </Popover.Target>
          <Popover.Dropdown data-testid="sync-error" data-code={status.lastError.code}>
            <Stack gap="xs">
              <Text fw={600} size="sm">
                {t('sync.lastError.title')}
              </Text>
              <Text size="sm">{status.lastError.message}</Text>
              <Text size="sm" c="dimmed">
                {t('sync.lastError.hint')}
              </Text>
            </Stack>
          </Popover.Dropdown>
        </Popover>
      )}
      <Button size="xs" variant="light" onClick={syncNow} loading={syncing} disabled={status.state === 'signed_out'} data-testid="sync-now">
        {t('sync.now')}
      </Button>
    </Group>
  );
}
