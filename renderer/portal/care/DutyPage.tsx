import { Alert, Button, Card, Center, Group, Loader, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { ApiResponse } from '../../../shared/api/contract';
import type { Consultation } from '../../../shared/domain/consultations';
import type { DutySlot } from '../../../shared/domain/portal';
import type { PublicUser } from '../../../shared/domain/users';
import { callCare, isApiError } from '../api';
import { tp } from '../i18n';
import { PageHeading } from '../PageHeading';
import { clock, groupFreeSlotsByDay, sortConsultations } from './care-model';
import { dayLabel, failureText, isSessionLost, LoadError, plainList, whenText, readableColours, wrapButton } from './care-ui';
import { ConsultationCard } from './ConsultationCard';

/** How far ahead the schedule looks. */
const DAYS_AHEAD = 7;

type Reference = ApiResponse<'reference'>;

/**
 * The duty doctor (DOMAIN.md, pathway 3): free slots of the next days by day, book one with a
 * short question; the booking then shows with its chat (the patient may write before the call).
 */
export function DutyPage({ token, onExpired }: { token: string; user: PublicUser; onExpired: () => void }) {
  const [slots, setSlots] = useState<DutySlot[] | null>(null);
  const [mine, setMine] = useState<Consultation[]>([]);
  const [reference, setReference] = useState<Reference | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [picked, setPicked] = useState<DutySlot | null>(null);
  const [question, setQuestion] = useState('');
  const [questionError, setQuestionError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [justBooked, setJustBooked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => new Date());
  const formRef = useRef<HTMLFormElement>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    const at = new Date();
    setNow(at);
    try {
      const [s, c, ref] = await Promise.all([
        callCare('listDutySlots', { token, query: { from: at.toISOString(), to: new Date(at.getTime() + DAYS_AHEAD * 86_400_000).toISOString() } }),
        callCare('listConsultations', { token, query: { from: new Date(at.getTime() - 2 * 3_600_000).toISOString() } }),
        callCare('reference', { token }).catch(() => null),
      ]);
      setSlots(s.items);
      setMine(sortConsultations(c.items.filter((x) => x.kind === 'duty' && x.status === 'scheduled' && Date.parse(x.endsAt) > at.getTime()), at));
      if (ref) setReference(ref);
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setLoadError(failureText(err));
    }
  }, [token, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  // The clock moves on: the call button appears without a reload.
  useEffect(() => {
    const t = window.setInterval(() => setNow(new Date()), 30_000);
    return () => window.clearInterval(t);
  }, []);

  useEffect(() => {
    if (picked) document.getElementById('care-duty-question')?.focus();
  }, [picked]);

  const centreName = (code: string) => reference?.centres.find((c) => c.code === code)?.shortName ?? code;

  async function book(e: FormEvent) {
    e.preventDefault();
    if (busy || !picked) return;
    if (!question.trim()) {
      setQuestionError(tp('care.duty.question.required'));
      document.getElementById('care-duty-question')?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      const booking = await callCare('bookDutySlot', { token, params: { id: picked.id }, body: { question: question.trim() } });
      setPicked(null);
      setQuestion('');
      setJustBooked(booking.consultation.id);
      setNotice(tp('care.duty.booked'));
      setMine((m) => sortConsultations([...m.filter((x) => x.id !== booking.consultation.id), booking.consultation], new Date()));
      setSlots((s) => s?.map((x) => (x.id === picked.id ? { ...x, free: false } : x)) ?? s);
      document.getElementById('care-duty-mine')?.scrollIntoView({ block: 'start' });
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      if (isApiError(err) && err.code === 'CONFLICT') {
        setPicked(null);
        setNotice(null);
        setFailure(tp('care.duty.taken'));
        await load();
        document.getElementById('care-duty-schedule')?.focus();
      } else {
        setFailure(failureText(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const days = slots ? groupFreeSlotsByDay(slots, now) : [];

  return (
    <Stack gap="lg" data-testid="care-duty" style={readableColours}>
      <PageHeading title={tp('care.duty.heading')} />
      <Text size="lg">{tp('care.duty.lead')}</Text>
      {loadError ? <LoadError message={loadError} onRetry={() => void load()} testId="care-duty-load-error" /> : null}
      {notice ? (
        <Alert color="teal" role="status" data-testid="care-duty-notice">
          <Text size="md">{notice}</Text>
        </Alert>
      ) : null}
      {mine.length > 0 ? (
        <section aria-labelledby="care-duty-mine" data-testid="care-duty-mine">
          <Title order={2} id="care-duty-mine" fz={{ base: 20, sm: 24 }} mb="sm">
            {tp('care.duty.mine')}
          </Title>
          <Stack component="ul" gap="md" style={plainList}>
            {mine.map((c) => (
              <ConsultationCard
                key={c.id}
                consultation={c}
                centreName={centreName(c.centre)}
                token={token}
                now={now}
                onExpired={onExpired}
                chatOpen={c.id === justBooked || mine.length === 1}
                onChanged={(u) => setMine((m) => m.filter((x) => x.id !== u.id || u.status === 'scheduled'))}
              />
            ))}
          </Stack>
        </section>
      ) : null}
      {!slots && !loadError ? (
        <Center py="xl">
          <Loader aria-label={tp('care.loading')} />
        </Center>
      ) : null}
      {slots ? (
        <section aria-labelledby="care-duty-schedule">
          <Title order={2} id="care-duty-schedule" tabIndex={-1} fz={{ base: 20, sm: 24 }} style={{ outline: 'none' }}>
            {tp('care.duty.schedule')}
          </Title>
          <Text size="md" c="gray.7" mb="sm">
            {tp('care.duty.schedule.hint')}
          </Text>
          {failure ? (
            <Alert color="red" role="alert" title={tp('care.duty.bookFailed')} data-testid="care-duty-error" mb="md">
              <Text size="md">{failure}</Text>
            </Alert>
          ) : null}
          {picked ? (
            <form ref={formRef} onSubmit={(e) => void book(e)} noValidate data-testid="care-duty-form" aria-label={tp('care.duty.book')}>
              <Card withBorder padding="lg">
                <Stack gap="md">
                  <div>
                    <Text size="md" c="gray.7">
                      {tp('care.duty.picked')}
                    </Text>
                    <Text size="lg" fw={700} data-testid="care-duty-picked" style={{ overflowWrap: 'anywhere' }}>
                      {whenText(picked.startsAt, now)} — {picked.doctorName}
                    </Text>
                  </div>
                  <Textarea
                    id="care-duty-question"
                    data-testid="care-duty-question"
                    size="lg"
                    label={tp('care.duty.question')}
                    description={tp('care.duty.question.hint')}
                    autosize
                    minRows={3}
                    maxLength={2000}
                    value={question}
                    onChange={(e) => {
                      setQuestion(e.currentTarget.value);
                      setQuestionError(null);
                    }}
                    error={questionError}
                    required
                  />
                  <Button styles={wrapButton} color="blue.8" type="submit" size="lg" loading={busy} data-testid="care-duty-book">
                    {tp('care.duty.book')}
                  </Button>
                  <Button styles={wrapButton} size="lg" variant="default" onClick={() => setPicked(null)} disabled={busy} data-testid="care-duty-other">
                    {tp('care.duty.otherTime')}
                  </Button>
                </Stack>
              </Card>
            </form>
          ) : days.length === 0 ? (
            <Card withBorder padding="lg" data-testid="care-duty-empty">
              <Stack gap="sm" align="flex-start">
                <Text size="md">{tp('care.duty.empty')}</Text>
                <Button styles={wrapButton} size="lg" variant="light" onClick={() => void load()}>
                  {tp('care.duty.refresh')}
                </Button>
              </Stack>
            </Card>
          ) : (
            <Stack gap="lg" data-testid="care-duty-days">
              {days.map((d) => (
                <div key={d.day} data-testid="care-duty-day" data-day={d.day}>
                  <Title order={3} fz={{ base: 18, sm: 20 }} mb="xs">
                    {dayLabel(d.firstStartsAt, now)}
                  </Title>
                  <SimpleGrid component="ul" cols={{ base: 1, xs: 2 }} spacing="sm" style={plainList}>
                    {d.slots.map((s) => (
                      <li key={s.id}>
                        <Button
                          size="lg"
                          variant="outline"
                          color="blue.8"
                          fullWidth
                          h="auto"
                          mih={52}
                          py={8}
                          onClick={() => {
                            setFailure(null);
                            setNotice(null);
                            setPicked(s);
                          }}
                          data-testid="care-duty-slot"
                          data-slot-id={s.id}
                          data-starts-at={s.startsAt}
                          aria-label={tp('care.duty.pick', { time: `${dayLabel(s.startsAt, now)}, ${tp('care.moscow', { time: clock(s.startsAt) })}, ${s.doctorName}` })}
                          styles={{ label: { whiteSpace: 'normal', display: 'block', textAlign: 'left' }, inner: { justifyContent: 'flex-start' } }}
                        >
                          <Group gap={4} component="span" wrap="wrap">
                            <Text span fw={700} size="lg">
                              {tp('care.moscow', { time: clock(s.startsAt) })}
                            </Text>
                            <Text span size="md" c="dark.5" style={{ overflowWrap: 'anywhere' }}>
                              {s.doctorName}
                            </Text>
                          </Group>
                        </Button>
                      </li>
                    ))}
                  </SimpleGrid>
                </div>
              ))}
            </Stack>
          )}
        </section>
      ) : null}
    </Stack>
  );
}
