import { Alert, Badge, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { CONSULTATION_MAX_MINUTES, CONSULTATION_MIN_MINUTES } from '../../../shared/domain/requests';
import { t } from '../../i18n';
import { useRpc } from '../../rpc/context';
import { useLiveQuery } from '../use-live-query';
import { rangeOf, timeRange, toInstant } from './calendar-time';

export interface TimeValue {
  date: string;
  time: string;
  duration: number;
}

export const DURATIONS = [15, 20, 30, 45, 60, 90, 120].filter((m) => m >= CONSULTATION_MIN_MINUTES && m <= CONSULTATION_MAX_MINUTES);

/** What is wrong with the chosen time before asking the services (they check again). */
export function timeProblem(v: TimeValue, now = Date.now()): string | null {
  const at = toInstant(v.date, v.time);
  if (!at) return t('calendar.form.invalidTime');
  if (Date.parse(at) <= now) return t('calendar.form.past');
  return null;
}

/**
 * Date, start time and duration (native inputs: typed or picked, fully keyboard-operable), and
 * the doctor's consultations on the chosen day, the ones overlapping the chosen time marked, so a
 * clash is visible before it is refused.
 */
export function TimeFields({ value, onChange, exceptId, autoFocus }: { value: TimeValue; onChange: (v: TimeValue) => void; exceptId?: string; autoFocus?: boolean }) {
  const rpc = useRpc();
  const validDay = /^\d{4}-\d{2}-\d{2}$/.test(value.date);
  const day = useLiveQuery(`schedule-day:${value.date}`, () => (validDay ? rpc.call('calendar.list', rangeOf(value.date, 1)) : Promise.resolve({ consultations: [], patientNames: {} })));
  const start = toInstant(value.date, value.time);
  const end = start ? new Date(Date.parse(start) + value.duration * 60_000).toISOString() : null;
  const items = (day.data?.consultations ?? []).filter((c) => c.status !== 'cancelled' && c.id !== exceptId);

  return (
    <Stack gap="sm">
      <Group grow align="flex-start">
        <TextInput
          type="date"
          label={t('calendar.form.date')}
          value={value.date}
          onChange={(e) => onChange({ ...value, date: e.currentTarget.value })}
          required
          data-autofocus={autoFocus ? true : undefined}
          data-testid="schedule-date"
        />
        <TextInput type="time" label={t('calendar.form.time')} value={value.time} onChange={(e) => onChange({ ...value, time: e.currentTarget.value })} required step={300} data-testid="schedule-time" />
        <NativeSelect
          label={t('calendar.form.duration')}
          value={String(value.duration)}
          onChange={(e) => onChange({ ...value, duration: Number(e.currentTarget.value) })}
          data={DURATIONS.map((m) => ({ value: String(m), label: t('calendar.minutes', { count: m }) }))}
          data-testid="schedule-duration"
        />
      </Group>
      <div data-testid="schedule-day" data-count={items.length}>
        <Text size="sm" fw={500} mb={4}>
          {t('calendar.form.dayList')}
        </Text>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="schedule-day-empty">
            {t('calendar.form.dayEmpty')}
          </Text>
        ) : (
          <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {items.map((c) => {
              const clash = start !== null && end !== null && c.status === 'scheduled' && c.startsAt < end && c.endsAt > start;
              return (
                <Group key={c.id} component="li" gap="xs" data-testid="schedule-day-item" data-clash={clash} data-consultation-id={c.id}>
                  <Text size="sm" ff="monospace">
                    {timeRange(c.startsAt, c.endsAt)}
                  </Text>
                  <Text size="sm">{day.data?.patientNames[c.patientId] ?? t('calendar.unknownPatient')}</Text>
                  {clash && (
                    <Badge color="red" variant="light" size="sm">
                      {t('calendar.form.clashHint')}
                    </Badge>
                  )}
                </Group>
              );
            })}
          </Stack>
        )}
      </div>
    </Stack>
  );
}

/** An inline refusal (a clash, a time in the past): the services' Russian message, with its code. */
export function FormError({ message, code }: { message: string | null; code: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert" data-testid="schedule-error" data-code={code ?? ''}>
      {message}
    </Alert>
  );
}
