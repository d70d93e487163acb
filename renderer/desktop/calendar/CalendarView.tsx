import { ActionIcon, Badge, Button, Group, Modal, Paper, Stack, Switch, Text, Textarea, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ConsultationStatus } from '../../../shared/domain/consultations';
import type { PublicUser } from '../../../shared/domain/users';
import type { CalendarOutput } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import type { z } from 'zod';
import { t } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { NotLoaded } from '../components/ListStatus';
import { errorMessage, notifyError, notifySuccess } from '../notify';
import { useLiveQuery } from '../use-live-query';
import { addDays, dayOf, groupByDay, localDate, localTime, minutesBetween, rangeOf, timeRange, toInstant, weekDays, weekStart } from './calendar-time';
import { FormError, TimeFields, timeProblem, type TimeValue } from './TimeFields';

type Item = z.infer<typeof CalendarOutput>['consultations'][number];

const STATUS_COLOR: Record<ConsultationStatus, string> = { scheduled: 'blue', completed: 'teal', cancelled: 'gray' };
const statusLabel = (s: ConsultationStatus) => t(`calendar.status.${s}`);
const weekdayFmt = new Intl.DateTimeFormat('ru-RU', { weekday: 'long' });

/**
 * The doctor's week as an agenda: seven days, each with its consultations by start time (an
 * agenda stays readable at any window width and with any number of bookings, where an hour grid
 * would not). From the local store, so it works offline; changes not yet on the server are
 * marked. A consultation opens its details, where it is rescheduled, cancelled or marked held.
 */
export function CalendarView({ user }: { user: PublicUser }) {
  const rpc = useRpc();
  const [monday, setMonday] = useState(() => weekStart(new Date()));
  const [showCancelled, setShowCancelled] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const week = useLiveQuery(`calendar:${monday}`, () => rpc.call('calendar.list', rangeOf(monday, 7)));
  const days = weekDays(monday);
  const today = localDate(new Date());
  const all = week.data?.consultations ?? [];
  const shown = showCancelled ? all : all.filter((c) => c.status !== 'cancelled');
  const byDay = groupByDay(days, shown);
  const open = all.find((c) => c.id === openId) ?? null;
  const nameOf = (c: Item) => week.data?.patientNames[c.patientId] ?? t('calendar.unknownPatient');

  return (
    <Stack gap="md" data-testid="calendar-view" data-week-start={monday} data-doctor-id={user.id}>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>{t('calendar.title')}</Title>
        <Group gap="xs">
          <Tooltip label={t('calendar.prevWeek')}>
            <ActionIcon variant="default" size="lg" aria-label={t('calendar.prevWeek')} onClick={() => setMonday(addDays(monday, -7))} data-testid="calendar-prev">
              ‹
            </ActionIcon>
          </Tooltip>
          <Button variant="default" onClick={() => setMonday(weekStart(new Date()))} data-testid="calendar-today">
            {t('calendar.today')}
          </Button>
          <Tooltip label={t('calendar.nextWeek')}>
            <ActionIcon variant="default" size="lg" aria-label={t('calendar.nextWeek')} onClick={() => setMonday(addDays(monday, 7))} data-testid="calendar-next">
              ›
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      <Group justify="space-between" wrap="wrap">
        <Text fw={500} data-testid="calendar-week-label" aria-live="polite">
          {t('calendar.week', { from: formatDate(days[0] ?? monday), to: formatDate(days[6] ?? monday) })} · {t('calendar.count', { count: shown.length })}
        </Text>
        <Switch label={t('calendar.showCancelled')} checked={showCancelled} onChange={(e) => setShowCancelled(e.currentTarget.checked)} data-testid="calendar-show-cancelled" />
      </Group>

      {week.data === undefined ? (
        <NotLoaded query={week} />
      ) : (
        <Stack gap="sm" data-testid="calendar-week" data-loaded="true">
          {shown.length === 0 && (
            <Text c="dimmed" size="sm" data-testid="calendar-empty">
              {t('calendar.weekEmpty')}
            </Text>
          )}
          {days.map((day) => {
            const items = byDay.get(day) ?? [];
            return (
              <Paper key={day} withBorder p="sm" component="section" aria-label={`${weekdayFmt.format(new Date(`${day}T12:00:00`))} ${formatDate(day)}`} data-testid="calendar-day" data-date={day} data-today={day === today}>
                <Text fw={600} size="sm" tt="capitalize" c={day === today ? 'blue' : undefined} mb={items.length ? 6 : 0}>
                  {weekdayFmt.format(new Date(`${day}T12:00:00`))}, {formatDate(day)}
                </Text>
                {items.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('calendar.noConsultations')}
                  </Text>
                ) : (
                  <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                    {items.map((c) => (
                      <li key={c.id}>
                        <UnstyledButton
                          onClick={() => setOpenId(c.id)}
                          w="100%"
                          p={6}
                          style={{ borderRadius: 4, opacity: c.status === 'cancelled' ? 0.6 : 1 }}
                          data-testid="calendar-item"
                          data-consultation-id={c.id}
                          data-request-id={c.requestId}
                          data-status={c.status}
                          data-pending={c.pending}
                          data-starts-at={c.startsAt}
                        >
                          <Group gap="sm" wrap="nowrap">
                            <Text size="sm" ff="monospace" data-testid="calendar-item-time">
                              {timeRange(c.startsAt, c.endsAt)}
                            </Text>
                            <Text size="sm" fw={500} style={{ flex: 1 }} data-testid="calendar-item-patient">
                              {nameOf(c)}
                            </Text>
                            {c.kind === 'duty' && (
                              <Badge variant="outline" size="sm">
                                {t('calendar.kind.duty')}
                              </Badge>
                            )}
                            <Badge color={STATUS_COLOR[c.status]} variant="light" size="sm" data-testid="calendar-item-status">
                              {statusLabel(c.status)}
                            </Badge>
                            {c.pending && (
                              <Tooltip label={t('calendar.pendingHint')}>
                                <Badge color="orange" variant="dot" size="sm" data-testid="calendar-item-pending">
                                  {t('calendar.pending')}
                                </Badge>
                              </Tooltip>
                            )}
                          </Group>
                        </UnstyledButton>
                      </li>
                    ))}
                  </Stack>
                )}
              </Paper>
            );
          })}
        </Stack>
      )}

      {open && <Details item={open} patientName={nameOf(open)} onClose={() => setOpenId(null)} onMoved={(id) => setOpenId(id)} />}
    </Stack>
  );
}

type Mode = 'view' | 'reschedule' | 'cancel';

function Details({ item, patientName, onClose, onMoved }: { item: Item; patientName: string; onClose: () => void; onMoved: (newId: string) => void }) {
  const rpc = useRpc();
  const [mode, setMode] = useState<Mode>('view');
  const [busy, setBusy] = useState(false);
  const scheduled = item.status === 'scheduled';

  const complete = async () => {
    setBusy(true);
    try {
      await rpc.call('consultations.complete', { id: item.id });
      notifySuccess(t('calendar.completed'));
      onClose();
    } catch (e) {
      notifyError(e);
    } finally {
      setBusy(false);
    }
  };

  const title = mode === 'reschedule' ? t('calendar.rescheduleDialog.title') : mode === 'cancel' ? t('calendar.cancelDialog.title') : t('calendar.details.title');
  return (
    <Modal opened onClose={onClose} title={title} size="lg" data-testid="consultation-details" data-consultation-id={item.id} data-status={item.status} data-mode={mode}>
      {mode === 'view' && (
        <Stack gap="sm">
          <Row label={t('calendar.details.patient')}>
            <span data-testid="details-patient">{patientName}</span>
          </Row>
          <Row label={t('calendar.details.when')}>
            <span data-testid="details-when">
              {formatDate(dayOf(item.startsAt))}, {timeRange(item.startsAt, item.endsAt)}
            </span>
          </Row>
          <Row label={t('calendar.details.duration')}>{t('calendar.minutes', { count: minutesBetween(item.startsAt, item.endsAt) })}</Row>
          <Row label={t('calendar.details.status')}>
            <Group gap="xs">
              <Badge color={STATUS_COLOR[item.status]} variant="light" data-testid="details-status">
                {statusLabel(item.status)}
              </Badge>
              {item.pending && (
                <Badge color="orange" variant="dot" data-testid="details-pending">
                  {t('calendar.pending')}
                </Badge>
              )}
            </Group>
          </Row>
          {item.cancelledBy && <Row label={t('calendar.details.cancelReason')}>{`${t(`calendar.details.cancelledBy.${item.cancelledBy}`)}: ${item.cancelReason ?? ''}`}</Row>}
          {item.rescheduledFrom && (
            <Text size="sm" c="dimmed">
              {t('calendar.details.rescheduledFrom')}
            </Text>
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} data-testid="details-close">
              {t('calendar.close')}
            </Button>
            {scheduled && (
              <>
                <Button variant="light" onClick={() => setMode('reschedule')} data-testid="consultation-reschedule">
                  {t('calendar.reschedule')}
                </Button>
                <Button variant="light" color="red" onClick={() => setMode('cancel')} data-testid="consultation-cancel">
                  {t('calendar.cancel')}
                </Button>
                <Button color="teal" onClick={() => void complete()} loading={busy} data-testid="consultation-complete">
                  {t('calendar.complete')}
                </Button>
              </>
            )}
          </Group>
        </Stack>
      )}
      {mode === 'reschedule' && (
        <RescheduleForm
          item={item}
          onBack={() => setMode('view')}
          onDone={(id) => {
            setMode('view');
            onMoved(id);
          }}
        />
      )}
      {mode === 'cancel' && <CancelForm item={item} onBack={() => setMode('view')} onDone={onClose} />}
    </Modal>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="sm" align="flex-start" wrap="nowrap">
      <Text size="sm" c="dimmed" w={140}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ flex: 1 }}>
        {children}
      </Text>
    </Group>
  );
}

function ReasonField({ value, onChange, error, autoFocus }: { value: string; onChange: (v: string) => void; error: string | null; autoFocus?: boolean }) {
  return (
    <Textarea
      label={t('calendar.reason')}
      placeholder={t('calendar.reasonPlaceholder')}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      required
      autosize
      minRows={2}
      maxLength={500}
      error={error}
      data-autofocus={autoFocus ? true : undefined}
      data-testid="consultation-reason"
    />
  );
}

const reasonOk = (r: string) => r.trim().length >= 3;

function RescheduleForm({ item, onBack, onDone }: { item: Item; onBack: () => void; onDone: (newId: string) => void }) {
  const rpc = useRpc();
  const start = new Date(item.startsAt);
  const [value, setValue] = useState<TimeValue>({ date: localDate(start), time: localTime(start), duration: minutesBetween(item.startsAt, item.endsAt) });
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; code: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = timeProblem(value);
    if (problem) return setError({ message: problem, code: 'VALIDATION_FAILED' });
    if (!reasonOk(reason)) return setReasonError(t('calendar.reasonRequired'));
    setBusy(true);
    try {
      const moved = await rpc.call('consultations.reschedule', { id: item.id, startsAt: toInstant(value.date, value.time) ?? '', durationMinutes: value.duration, reason: reason.trim() });
      notifySuccess(t('calendar.rescheduled'));
      onDone(moved.id);
    } catch (err) {
      setError({ message: errorMessage(err), code: err instanceof RpcError ? err.code : null });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="reschedule-form">
      <Stack gap="md">
        <TimeFields
          value={value}
          onChange={(v) => {
            setValue(v);
            setError(null);
          }}
          exceptId={item.id}
          autoFocus
        />
        <ReasonField
          value={reason}
          onChange={(v) => {
            setReason(v);
            setReasonError(null);
          }}
          error={reasonError}
        />
        <FormError message={error?.message ?? null} code={error?.code ?? null} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onBack} data-testid="reschedule-back">
            {t('common.back')}
          </Button>
          <Button type="submit" loading={busy} data-testid="reschedule-submit">
            {t('calendar.rescheduleDialog.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CancelForm({ item, onBack, onDone }: { item: Item; onBack: () => void; onDone: () => void }) {
  const rpc = useRpc();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reasonOk(reason)) return setReasonError(t('calendar.reasonRequired'));
    setBusy(true);
    try {
      await rpc.call('consultations.cancel', { id: item.id, reason: reason.trim() });
      notifySuccess(t('calendar.cancelled'));
      onDone();
    } catch (err) {
      setReasonError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="cancel-form">
      <Stack gap="md">
        <Text size="sm">{t('calendar.cancelDialog.hint')}</Text>
        <ReasonField
          value={reason}
          onChange={(v) => {
            setReason(v);
            setReasonError(null);
          }}
          error={reasonError}
          autoFocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onBack} data-testid="cancel-back">
            {t('calendar.cancelDialog.back')}
          </Button>
          <Button type="submit" color="red" loading={busy} data-testid="cancel-submit">
            {t('calendar.cancelDialog.confirm')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
