import { Button, Group, Modal, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { useRpc } from '../../rpc/context';
import { errorMessage, notifySuccess } from '../notify';
import { addDays, localDate, toInstant } from './calendar-time';
import { FormError, TimeFields, timeProblem, type TimeValue } from './TimeFields';

/**
 * Books a request into the doctor's time: date, start and duration, with the doctor's
 * consultations of that day beside them. Works offline (queued); an overlap with the doctor's
 * calendar is refused at once and shown inline. Enter submits, Escape closes.
 */
export function ScheduleDialog({ requestId, opened, onClose }: { requestId: string; opened: boolean; onClose: () => void }) {
  const rpc = useRpc();
  const [value, setValue] = useState<TimeValue>(() => ({ date: addDays(localDate(new Date()), 1), time: '10:00', duration: 30 }));
  const [error, setError] = useState<{ message: string; code: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (v: TimeValue) => {
    setValue(v);
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = timeProblem(value);
    if (problem) {
      setError({ message: problem, code: 'VALIDATION_FAILED' });
      return;
    }
    setBusy(true);
    try {
      await rpc.call('consultations.schedule', { requestId, startsAt: toInstant(value.date, value.time) ?? '', durationMinutes: value.duration });
      const status = await rpc.call('sync.status').catch(() => null);
      notifySuccess(status && status.state !== 'offline' ? t('calendar.schedule.done') : t('calendar.schedule.doneOffline'));
      onClose();
    } catch (err) {
      setError({ message: errorMessage(err), code: err instanceof RpcError ? err.code : null });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('calendar.schedule.title')} size="lg" data-testid="schedule-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="md">
          <TimeFields value={value} onChange={change} autoFocus />
          <FormError message={error?.message ?? null} code={error?.code ?? null} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-testid="schedule-cancel">
              {t('calendar.schedule.cancel')}
            </Button>
            <Button type="submit" loading={busy} data-testid="schedule-submit">
              {t('calendar.schedule.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
