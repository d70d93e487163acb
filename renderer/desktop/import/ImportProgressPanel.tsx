import { Alert, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ImportOutcome, ImportProgress } from '../../../shared/domain/batch-import';
import { t } from '../../i18n';

export const OUTCOME_COLOR = { created: 'teal', linked: 'blue', skipped: 'gray', rejected: 'red' } as const satisfies Record<ImportOutcome, string>;

export function OutcomeCounts({ progress, testPrefix }: { progress: Pick<ImportProgress, ImportOutcome>; testPrefix: string }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
      {(['created', 'linked', 'skipped', 'rejected'] as const).map((k) => (
        <Paper key={k} withBorder p="xs" data-testid={`${testPrefix}-${k}`} data-count={progress[k]}>
          <Text size="lg" fw={700} c={`${OUTCOME_COLOR[k]}.7`}>
            {progress[k]}
          </Text>
          <Text size="sm">{t(`import.outcome.${k}`)}</Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/**
 * The running (or stopped) import: done of total, the counts so far, «Остановить» while it runs
 * and «Продолжить импорт» when it stopped before the end or on an error.
 */
export function ImportProgressPanel({
  progress,
  stopping,
  busy,
  connectionLost,
  onCancel,
  onContinue,
}: {
  progress: ImportProgress;
  stopping: boolean;
  busy: boolean;
  connectionLost: boolean;
  onCancel: () => void;
  onContinue: () => void;
}) {
  const pct = progress.total > 0 ? Math.min(100, (progress.done / progress.total) * 100) : 0;
  const stoppedEarly = !progress.running && progress.status !== 'imported' && progress.status !== 'rejected' && (progress.done < progress.total || progress.error !== null);
  return (
    <Paper withBorder p="md" data-testid="import-progress-panel" data-running={progress.running} data-status={progress.status}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {progress.running ? t('import.progress.running') : stoppedEarly ? t('import.progress.stopped') : t('import.progress.title')}
          </Title>
          <Text size="sm" data-testid="import-progress-text">
            {t('import.progress.count', { done: progress.done, total: progress.total })}
          </Text>
        </Group>
        <Progress
          value={pct}
          animated={progress.running}
          striped={progress.running}
          size="lg"
          data-testid="import-progress"
          data-done={progress.done}
          data-total={progress.total}
          data-running={progress.running}
          data-status={progress.status}
          aria-label={t('import.progress.count', { done: progress.done, total: progress.total })}
        />
        <OutcomeCounts progress={progress} testPrefix="progress" />
        {progress.error && (
          <Alert color="red" title={t('import.progress.errorTitle')} data-testid="import-progress-error">
            <Text size="sm">{progress.error}</Text>
            <Text size="sm" c="dimmed" mt={4}>
              {t('import.progress.errorHint')}
            </Text>
          </Alert>
        )}
        {connectionLost && (
          <Alert color="orange" data-testid="import-progress-connection">
            {t('import.progress.connectionLost')}
          </Alert>
        )}
        {stopping && progress.running && (
          <Text size="sm" c="dimmed" data-testid="import-stopping">
            {t('import.progress.stopping')}
          </Text>
        )}
        {stoppedEarly && !progress.error && (
          <Text size="sm" c="dimmed" data-testid="import-stopped-hint">
            {t('import.progress.stoppedHint', { left: progress.total - progress.done })}
          </Text>
        )}
        <Group justify="flex-end">
          {progress.running ? (
            <Button color="red" variant="light" onClick={onCancel} loading={stopping} data-testid="import-cancel">
              {t('import.cancel')}
            </Button>
          ) : (
            stoppedEarly && (
              <Button onClick={onContinue} loading={busy} data-testid="import-continue">
                {t('import.continue')}
              </Button>
            )
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
