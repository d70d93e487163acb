import { Alert, Button, Card, Center, List, Loader, NativeSelect, Radio, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { ApiResponse } from '../../../shared/api/contract';
import type { ConsultationRequest } from '../../../shared/domain/requests';
import type { PublicUser } from '../../../shared/domain/users';
import { callCare, isApiError } from '../api';
import { formatDay, tp } from '../i18n';
import { PageHeading } from '../PageHeading';
import { newId, parseWeeks } from './care-model';
import { failureText, isSessionLost, LoadError, readableColours, wrapButton } from './care-ui';

type Reference = ApiResponse<'reference'>;
type Field = 'centre' | 'profile' | 'weeks' | 'diagnosis' | 'complaints';
const FIELD_ORDER: readonly Field[] = ['centre', 'profile', 'weeks', 'diagnosis', 'complaints'];
const inputId = (f: Field) => `care-apply-${f}`;

/** The server's issue paths → the form's fields. */
const SERVER_FIELD: Record<string, Field> = { centre: 'centre', profile: 'profile', pregnancyWeeks: 'weeks', diagnosis: 'diagnosis', complaints: 'complaints' };

/**
 * Self-application (DOMAIN.md, pathway 2): centre, profile, current diagnosis, short complaints.
 * The name is the account's. The id is made once per form, so a double tap or a retry after a
 * lost answer is the same application on the server.
 */
export function ApplyPage({ token, user, onExpired }: { token: string; user: PublicUser; onExpired: () => void }) {
  const [reference, setReference] = useState<Reference | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [id, setId] = useState(() => newId());
  const [centre, setCentre] = useState('');
  const [profile, setProfile] = useState('');
  const [weeks, setWeeks] = useState('');
  const [diagnosis, setDiagnosis] = useState('');
  const [complaints, setComplaints] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ConsultationRequest | null>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setReference(await callCare('reference', { token }));
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setLoadError(failureText(err));
    }
  }, [token, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const centreDef = reference?.centres.find((c) => c.code === centre) ?? null;
  const profileDef = centreDef?.profiles.find((p) => p.code === profile) ?? null;
  const needsWeeks = profileDef?.needsPregnancyWeeks ?? false;

  const clear = (f: Field) => setErrors((e) => ({ ...e, [f]: undefined }));

  function validate(): Partial<Record<Field, string>> {
    const e: Partial<Record<Field, string>> = {};
    if (!centreDef) e.centre = tp('care.apply.centre.required');
    if (!profileDef) e.profile = tp('care.apply.profile.required');
    if (needsWeeks) {
      const w = parseWeeks(weeks);
      if (!w.ok) e.weeks = w.reason === 'empty' ? tp('care.apply.weeks.required') : tp('care.apply.weeks.invalid');
    }
    if (!diagnosis.trim()) e.diagnosis = tp('care.apply.diagnosis.required');
    if (!complaints.trim()) e.complaints = tp('care.apply.complaints.required');
    return e;
  }

  function focusFirst(e: Partial<Record<Field, string>>) {
    const first = FIELD_ORDER.find((f) => e[f]);
    if (!first) return;
    const el = first === 'centre' ? document.querySelector<HTMLInputElement>('[data-testid="care-apply-centre"] input') : document.getElementById(inputId(first));
    el?.focus();
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (busy) return;
    const e = validate();
    setErrors(e);
    setFailure(null);
    if (Object.values(e).some(Boolean)) {
      setFailure(tp('care.apply.fix'));
      focusFirst(e);
      return;
    }
    const w = parseWeeks(weeks);
    setBusy(true);
    try {
      const created = await callCare('createApplication', {
        token,
        body: { id, centre: centre as ConsultationRequest['centre'], profile, diagnosis: diagnosis.trim(), complaints: complaints.trim(), pregnancyWeeks: needsWeeks && w.ok ? w.value : null },
      });
      setDone(created);
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      const fromServer: Partial<Record<Field, string>> = {};
      if (isApiError(err)) for (const i of err.issues) if (SERVER_FIELD[i.path]) fromServer[SERVER_FIELD[i.path]!] = i.message;
      setErrors(fromServer);
      setFailure(failureText(err));
      focusFirst(fromServer);
    } finally {
      setBusy(false);
    }
  }

  function again() {
    setDone(null);
    setId(newId());
    setProfile('');
    setWeeks('');
    setDiagnosis('');
    setComplaints('');
    setErrors({});
    setFailure(null);
  }

  if (done) {
    const c = reference?.centres.find((x) => x.code === done.centre);
    const p = c?.profiles.find((x) => x.code === done.profile);
    return (
      <Stack gap="lg" data-testid="care-apply-done" style={readableColours} data-request-id={done.id}>
        <Title order={1} ref={doneRef} tabIndex={-1} fz={{ base: 26, sm: 32 }} style={{ outline: 'none' }}>
          {tp('care.apply.done.heading')}
        </Title>
        <Alert color="teal" role="status">
          <Text size="lg">{tp('care.apply.done.lead', { centre: c?.shortName ?? done.centre, profile: p?.name ?? done.profile })}</Text>
        </Alert>
        <section aria-labelledby="care-apply-next">
          <Title order={2} id="care-apply-next" fz={{ base: 20, sm: 24 }} mb="sm">
            {tp('care.apply.done.next')}
          </Title>
          <List type="ordered" spacing="sm" size="lg">
            <List.Item>
              {tp('care.apply.done.step1')} <span data-testid="care-apply-due">{tp('care.apply.done.due', { date: formatDay(done.dueAt) })}</span>
            </List.Item>
            <List.Item>{tp('care.apply.done.step2')}</List.Item>
            {p && p.documents.length > 0 ? (
              <List.Item>
                {tp('care.apply.done.step3')}
                <List withPadding spacing={4} size="md" mt={4} data-testid="care-apply-documents">
                  {p.documents.map((d) => (
                    <List.Item key={d.type}>
                      {reference?.documentTypes[d.type] ?? d.type} — {d.required ? tp('care.apply.done.required') : tp('care.apply.done.optional')}
                    </List.Item>
                  ))}
                </List>
              </List.Item>
            ) : null}
          </List>
        </section>
        <Button styles={wrapButton} size="lg" variant="default" onClick={again} data-testid="care-apply-again">
          {tp('care.apply.again')}
        </Button>
      </Stack>
    );
  }

  return (
    <Stack gap="lg" data-testid="care-apply" style={readableColours}>
      <PageHeading title={tp('care.apply.heading')} />
      <Text size="lg">{tp('care.apply.lead')}</Text>
      {loadError ? <LoadError message={loadError} onRetry={() => void load()} testId="care-apply-load-error" /> : null}
      {!reference && !loadError ? (
        <Center py="xl">
          <Loader aria-label={tp('care.loading')} />
        </Center>
      ) : null}
      {reference ? (
        <form onSubmit={(e) => void submit(e)} noValidate aria-label={tp('care.apply.heading')} data-testid="care-apply-form">
          <Stack gap="lg">
            <Card withBorder padding="md">
              <Text size="md" c="gray.7">
                {tp('care.apply.patient')}
              </Text>
              <Text size="lg" fw={700} data-testid="care-apply-patient" style={{ overflowWrap: 'anywhere' }}>
                {user.fullName}
              </Text>
              <Text size="sm" c="gray.7">
                {tp('care.apply.patient.hint')}
              </Text>
            </Card>
            <Radio.Group
              label={tp('care.apply.centre')}
              size="lg"
              value={centre}
              onChange={(v) => {
                setCentre(v);
                setProfile('');
                setWeeks('');
                clear('centre');
              }}
              error={errors.centre}
              required
              data-testid="care-apply-centre"
            >
              <Stack gap="sm" mt="xs">
                {reference.centres.map((c) => (
                  <Card key={c.code} withBorder padding={0}>
                    <Radio
                      value={c.code}
                      label={c.shortName}
                      description={c.fullName}
                      size="md"
                      p="md"
                      mih={52}
                      data-testid={`care-apply-centre-${c.code}`}
                      styles={{ label: { fontSize: 18, fontWeight: 700, overflowWrap: 'anywhere' }, description: { fontSize: 15, overflowWrap: 'anywhere' } }}
                    />
                  </Card>
                ))}
              </Stack>
            </Radio.Group>
            <NativeSelect
              id={inputId('profile')}
              data-testid="care-apply-profile"
              size="lg"
              label={tp('care.apply.profile')}
              value={profile}
              disabled={!centreDef}
              onChange={(e) => {
                setProfile(e.currentTarget.value);
                clear('profile');
              }}
              error={errors.profile}
              required
              data={[{ value: '', label: tp('care.apply.profile.placeholder'), disabled: true }, ...(centreDef?.profiles.map((p) => ({ value: p.code, label: p.name })) ?? [])]}
            />
            {needsWeeks ? (
              <TextInput
                id={inputId('weeks')}
                data-testid="care-apply-weeks"
                size="lg"
                label={tp('care.apply.weeks')}
                description={tp('care.apply.weeks.hint')}
                inputMode="numeric"
                autoComplete="off"
                maxLength={2}
                value={weeks}
                onChange={(e) => {
                  setWeeks(e.currentTarget.value);
                  clear('weeks');
                }}
                error={errors.weeks}
                required
                w={{ base: '100%', xs: 240 }}
              />
            ) : null}
            <Textarea
              id={inputId('diagnosis')}
              data-testid="care-apply-diagnosis"
              size="lg"
              label={tp('care.apply.diagnosis')}
              description={tp('care.apply.diagnosis.hint')}
              autosize
              minRows={2}
              maxLength={1000}
              value={diagnosis}
              onChange={(e) => {
                setDiagnosis(e.currentTarget.value);
                clear('diagnosis');
              }}
              error={errors.diagnosis}
              required
            />
            <Textarea
              id={inputId('complaints')}
              data-testid="care-apply-complaints"
              size="lg"
              label={tp('care.apply.complaints')}
              description={tp('care.apply.complaints.hint')}
              autosize
              minRows={3}
              maxLength={2000}
              value={complaints}
              onChange={(e) => {
                setComplaints(e.currentTarget.value);
                clear('complaints');
              }}
              error={errors.complaints}
              required
            />
            {failure ? (
              <Alert color="red" role="alert" title={tp('care.apply.failed')} data-testid="care-apply-error">
                <Text size="md">{failure}</Text>
              </Alert>
            ) : null}
            <Button styles={wrapButton} color="blue.8" type="submit" size="lg" fullWidth loading={busy} data-testid="care-apply-submit">
              {tp('care.apply.submit')}
            </Button>
          </Stack>
        </form>
      ) : null}
    </Stack>
  );
}
