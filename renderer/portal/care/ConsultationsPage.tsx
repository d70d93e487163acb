import { Alert, Badge, Button, Card, Center, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../../../shared/api/contract';
import type { Conclusion } from '../../../shared/domain/conclusions';
import type { Consultation } from '../../../shared/domain/consultations';
import type { PublicUser } from '../../../shared/domain/users';
import { callCare, fetchConclusionPdf } from '../api';
import { formatDay, tp } from '../i18n';
import { PageHeading } from '../PageHeading';
import { conclusionFileName, groupConclusions, sortConsultations, type ConclusionGroup } from './care-model';
import { failureText, isSessionLost, LoadError, plainList, readableColours, wrapButton } from './care-ui';
import { ConsultationCard } from './ConsultationCard';

type Reference = ApiResponse<'reference'>;

interface Loaded {
  consultations: Consultation[];
  conclusions: ConclusionGroup<Conclusion>[];
}

/** Saves a Blob under a name (an object URL, clicked, then revoked). */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The patient's consultations (upcoming first) with the call button, cancel with a reason and the
 * duty doctor's chat; then the conclusions by request: the current version to download, earlier
 * versions marked «исправлено», and an invitation to an in-person visit with the proposed dates.
 */
export function ConsultationsPage({ token, onExpired }: { token: string; user: PublicUser; onExpired: () => void }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [reference, setReference] = useState<Reference | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [now, setNow] = useState(() => new Date());

  const load = useCallback(async () => {
    setError(null);
    try {
      const [cons, concl, ref] = await Promise.all([
        callCare('listConsultations', { token }),
        callCare('listConclusions', { token }),
        callCare('reference', { token }).catch(() => null),
      ]);
      const at = new Date();
      setNow(at);
      setData({ consultations: sortConsultations(cons.items, at), conclusions: groupConclusions(concl.items) });
      if (ref) setReference(ref);
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setError(failureText(err));
    }
  }, [token, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const t = window.setInterval(() => setNow(new Date()), 30_000);
    return () => window.clearInterval(t);
  }, []);

  const centreName = (code: string) => reference?.centres.find((c) => c.code === code)?.shortName ?? code;

  return (
    <Stack gap="lg" data-testid="care-consultations" style={readableColours}>
      <PageHeading title={tp('care.cons.heading')} />
      {error ? <LoadError message={error} onRetry={() => void load()} testId="care-consultations-error" /> : null}
      {notice ? (
        <Alert color="teal" role="status" data-testid="care-consultations-notice">
          <Text size="md">{notice}</Text>
        </Alert>
      ) : null}
      {!data && !error ? (
        <Center py="xl">
          <Loader aria-label={tp('care.loading')} />
        </Center>
      ) : null}
      {data ? (
        <>
          {data.consultations.length === 0 ? (
            <Card withBorder padding="lg" data-testid="care-consultations-empty">
              <Text size="md">{tp('care.cons.empty')}</Text>
            </Card>
          ) : (
            <Stack component="ul" gap="md" style={plainList} data-testid="care-consultations-list" aria-label={tp('care.cons.heading')}>
              {data.consultations.map((c) => (
                <ConsultationCard
                  key={c.id}
                  consultation={c}
                  centreName={centreName(c.centre)}
                  token={token}
                  now={now}
                  onExpired={onExpired}
                  onChanged={(u) => {
                    setNotice(u.status === 'cancelled' ? tp('care.cons.cancelled') : null);
                    setData((d) => (d ? { ...d, consultations: sortConsultations(d.consultations.map((x) => (x.id === u.id ? u : x)), new Date()) } : d));
                  }}
                />
              ))}
            </Stack>
          )}
          <section aria-labelledby="care-conclusions-title">
            <Title order={2} id="care-conclusions-title" fz={{ base: 20, sm: 24 }} mb="sm">
              {tp('care.concl.heading')}
            </Title>
            {data.conclusions.length === 0 ? (
              <Card withBorder padding="lg" data-testid="care-conclusions-empty">
                <Text size="md">{tp('care.concl.empty')}</Text>
              </Card>
            ) : (
              <Stack component="ul" gap="md" style={plainList} data-testid="care-conclusions">
                {data.conclusions.map((g) => (
                  <ConclusionCard key={g.requestId} group={g} centreName={centreName(g.current.centre)} token={token} onExpired={onExpired} />
                ))}
              </Stack>
            )}
          </section>
        </>
      ) : null}
    </Stack>
  );
}

function ConclusionCard({ group, centreName, token, onExpired }: { group: ConclusionGroup<Conclusion>; centreName: string; token: string; onExpired: () => void }) {
  const c = group.current;
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function download(v: Conclusion) {
    if (busy) return;
    setBusy(v.id);
    setFailure(null);
    try {
      saveBlob(await fetchConclusionPdf(token, v.id), conclusionFileName(v));
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setFailure(tp('care.concl.downloadFailed'));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card component="li" withBorder padding="lg" data-testid="care-conclusion" data-conclusion-id={c.id} data-request-id={group.requestId} data-outcome={c.outcome} data-version={c.version}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Text fw={700} size="lg" data-testid="care-conclusion-outcome">
            {tp(`care.concl.outcome.${c.outcome}`)}
          </Text>
          {group.superseded.length > 0 ? (
            <Badge size="lg" variant="light" color="blue">
              {tp('care.concl.version', { version: c.version })}
            </Badge>
          ) : null}
        </Group>
        <Text size="md" style={{ overflowWrap: 'anywhere' }}>
          {tp('care.concl.issued', { date: formatDay(c.issuedAt), doctor: c.doctorName })}
        </Text>
        <Text size="md" style={{ overflowWrap: 'anywhere' }}>
          {c.content.mainDiagnosis.icd10} — {c.content.mainDiagnosis.text}
        </Text>
        {c.outcome === 'invitation' ? (
          <Alert color="cyan" data-testid="care-conclusion-invitation">
            <Stack gap={6}>
              <Text size="md" fw={700}>
                {tp('care.concl.invitation', { centre: centreName })}
              </Text>
              {c.content.proposedDates.length > 0 ? (
                <>
                  <Text size="md">{tp('care.concl.dates')}</Text>
                  <List size="md" spacing={2} data-testid="care-conclusion-dates">
                    {c.content.proposedDates.map((d) => (
                      <List.Item key={d}>{formatDay(`${d}T12:00:00Z`)}</List.Item>
                    ))}
                  </List>
                </>
              ) : null}
              <Text size="md">{tp('care.concl.datesHint')}</Text>
            </Stack>
          </Alert>
        ) : null}
        <Button styles={wrapButton} color="blue.8" size="lg" onClick={() => void download(c)} loading={busy === c.id} data-testid="care-conclusion-download">
          {tp('care.concl.download')}
        </Button>
        {failure ? (
          <Alert color="red" role="alert" data-testid="care-conclusion-error">
            <Text size="md">{failure}</Text>
          </Alert>
        ) : null}
        {group.superseded.length > 0 ? (
          <div data-testid="care-conclusion-superseded">
            <Text size="md" fw={600} mb={4}>
              {tp('care.concl.superseded')}
            </Text>
            <Stack component="ul" gap="xs" style={plainList}>
              {group.superseded.map((v) => (
                <li key={v.id} data-testid="care-conclusion-old" data-conclusion-id={v.id} data-version={v.version}>
                  <Text size="md">{tp('care.concl.supersededItem', { version: v.version, date: formatDay(v.issuedAt) })}</Text>
                  <Button styles={wrapButton} color="blue.8" size="lg" variant="outline" onClick={() => void download(v)} loading={busy === v.id} mt={4} data-testid="care-conclusion-old-download">
                    {tp('care.concl.downloadVersion', { version: v.version })}
                  </Button>
                </li>
              ))}
            </Stack>
          </div>
        ) : null}
      </Stack>
    </Card>
  );
}
