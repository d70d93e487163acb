import { Alert, Button, Card, Checkbox, Loader, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
import { call, isApiError } from './api';
import { formatDay, tp } from './i18n';
import { PageHeading } from './PageHeading';

type ConsentRecord = ApiResponse<'myConsent'>;

/**
 * The consent to processing of personal data: its current text, and either «Я прочитал(а) и
 * согласен(на)» + «Дать согласие», or — once given — the version and the date it was given.
 */
export function ConsentPage({
  token,
  onExpired,
  onAgreed,
  onBack,
}: {
  token: string;
  onExpired: () => void;
  onAgreed: (r: ConsentRecord) => void;
  onBack: () => void;
}) {
  const [text, setText] = useState<ApiResponse<'consentText'> | null>(null);
  const [record, setRecord] = useState<ConsentRecord | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [agree, setAgree] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [t, r] = await Promise.all([call('consentText', { token }), call('myConsent', { token })]);
      setText(t);
      setRecord(r);
    } catch (err) {
      if (isApiError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'PASSWORD_CHANGE_REQUIRED')) return onExpired();
      setLoadError(isApiError(err) && err.code !== 'SERVER_UNREACHABLE' ? err.message : tp('change.error.SERVER_UNREACHABLE'));
    }
  }, [token, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !text) return;
    if (!agree) {
      setMissing(tp('access.consent.agree.required'));
      document.getElementById('portal-consent-agree')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await call('giveConsent', { token, body: { version: text.version, agree: true } });
      setRecord(r);
      onAgreed(r);
    } catch (err) {
      setBusy(false);
      if (isApiError(err) && err.code === 'UNAUTHENTICATED') return onExpired();
      setError({ code: isApiError(err) ? err.code : 'INTERNAL', message: isApiError(err) && err.code !== 'SERVER_UNREACHABLE' ? err.message : tp('change.error.SERVER_UNREACHABLE') });
    }
  }

  const given = record?.version && record.at ? record : null;
  const current = given && record?.current && record.version === text?.version;

  return (
    <Stack gap="lg" data-testid="portal-consent">
      <PageHeading title={tp('access.consent.heading')} testId="portal-consent-heading" />
      {loadError ? (
        <Alert color="red" role="alert" title={tp('access.consent.error.title')} data-testid="portal-consent-load-error">
          <Stack gap="sm" align="flex-start">
            <Text size="md">{loadError}</Text>
            <Button size="lg" variant="light" onClick={() => void load()}>
              {tp('access.docs.retry')}
            </Button>
          </Stack>
        </Alert>
      ) : null}
      {!text || !record ? (
        loadError ? null : <Loader size="md" aria-label={tp('app.loading')} />
      ) : (
        <>
          {given ? (
            <Alert color={current ? 'teal' : 'yellow'} role="status" data-testid="portal-consent-given" data-current={current ? 'true' : 'false'}>
              <Text size="md" fw={600}>
                {tp('access.consent.given', { date: formatDay(given.at ?? ''), version: given.version ?? '' })}
              </Text>
              {!current ? <Text size="md">{tp('access.consent.outdated')}</Text> : null}
            </Alert>
          ) : (
            <Text size="lg">{tp('access.consent.lead')}</Text>
          )}
          <Card withBorder padding="lg" component="section" aria-labelledby="portal-consent-title" data-testid="portal-consent-text" data-version={text.version}>
            <Title order={2} id="portal-consent-title" fz={{ base: 20, sm: 22 }} mb={4} style={{ overflowWrap: 'break-word' }}>
              {text.title}
            </Title>
            <Text size="sm" c="dimmed" mb="sm">
              {tp('access.consent.version', { version: text.version })}
            </Text>
            <Text size="md" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'break-word' }}>
              {text.text}
            </Text>
          </Card>
          {current ? null : (
            <form onSubmit={(e) => void submit(e)} noValidate data-testid="portal-consent-form" aria-label={tp('access.consent.heading')}>
              <Stack gap="md">
                <Checkbox
                  id="portal-consent-agree"
                  data-testid="portal-consent-agree"
                  size="lg"
                  label={tp('access.consent.agree')}
                  checked={agree}
                  onChange={(e) => {
                    setAgree(e.currentTarget.checked);
                    setMissing(null);
                  }}
                  error={missing}
                  styles={{ body: { minHeight: 44, alignItems: 'center' } }}
                />
                {error ? (
                  <Alert color="red" role="alert" title={tp('access.error.title')} data-testid="portal-consent-error" data-code={error.code}>
                    <Text size="md">{error.message}</Text>
                  </Alert>
                ) : null}
                <Button type="submit" size="lg" fullWidth loading={busy} data-testid="portal-consent-submit">
                  {tp('access.consent.submit')}
                </Button>
              </Stack>
            </form>
          )}
        </>
      )}
      <Button type="button" size="lg" variant="subtle" fullWidth onClick={onBack} data-testid="portal-consent-back">
        {tp('access.consent.back')}
      </Button>
    </Stack>
  );
}
