import { Alert, Badge, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
import type { ConsultationRequest, RequestStatus } from '../../shared/domain/requests';
import type { PublicUser } from '../../shared/domain/users';
import { call, isApiError } from './api';
import { formatDay, tp } from './i18n';
import { PageHeading } from './PageHeading';

const STATUS_COLOR = {
  new: 'blue',
  under_review: 'yellow',
  scheduled: 'violet',
  consulted: 'teal',
  conclusion_issued: 'green',
  invited: 'cyan',
  cancelled: 'gray',
} as const satisfies Record<RequestStatus, string>;

/** Until the patient is told when, the due date is the promise that binds (DOMAIN.md: 2–4 days). */
const OPEN: readonly RequestStatus[] = ['new', 'under_review'];

type Reference = ApiResponse<'reference'>;

interface Loaded {
  name: string | null;
  requests: ConsultationRequest[];
  reference: Reference | null;
}

function centreName(ref: Reference | null, code: string): string {
  return ref?.centres.find((c) => c.code === code)?.shortName ?? code;
}

function profileName(ref: Reference | null, centre: string, profile: string): string {
  return ref?.centres.find((c) => c.code === centre)?.profiles.find((p) => p.code === profile)?.name ?? profile;
}

/** «Иван Петрович» from the patient record; the account's full name when there is no record. */
function addressAs(p: ApiResponse<'getPatient'> | null, user: PublicUser): string | null {
  if (p) return [p.firstName, p.middleName].filter(Boolean).join(' ');
  return user.fullName.trim() || null;
}

export function HomePage({
  user,
  token,
  notice,
  onExpired,
}: {
  user: PublicUser;
  token: string;
  notice: string | null;
  onExpired: () => void;
}) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [patient, requests, reference] = await Promise.all([
        user.patientId ? call('getPatient', { token, params: { id: user.patientId } }) : Promise.resolve(null),
        call('listRequests', { token, query: { limit: 100 } }),
        // Names of centres and profiles only; the codes are shown if the reference is unavailable.
        call('reference', { token }).catch(() => null),
      ]);
      setData({ name: addressAs(patient, user), requests: requests.items, reference });
    } catch (err) {
      if (isApiError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'PASSWORD_CHANGE_REQUIRED')) return onExpired();
      setError(isApiError(err) && err.code === 'SERVER_UNREACHABLE' ? tp('change.error.SERVER_UNREACHABLE') : isApiError(err) ? err.message : tp('signIn.error.other'));
    }
  }, [token, user, onExpired]);

  useEffect(() => {
    void load();
  }, [load]);

  const greeting = data ? (data.name ? tp('home.greeting', { name: data.name }) : tp('home.greeting.anonymous')) : tp('home.greeting.anonymous');

  return (
    <Stack gap="lg" data-testid="portal-home">
      {data ? <PageHeading title={greeting} testId="portal-greeting" /> : <Loader size="md" aria-label={tp('app.loading')} />}
      {notice ? (
        <Alert color="teal" role="status" data-testid="portal-notice">
          <Text size="md">{notice}</Text>
        </Alert>
      ) : null}
      {error ? (
        <Alert color="red" role="alert" title={tp('home.error.title')} data-testid="portal-home-error">
          <Stack gap="sm" align="flex-start">
            <Text size="md">{error}</Text>
            <Button size="lg" variant="light" onClick={() => void load()}>
              {tp('home.retry')}
            </Button>
          </Stack>
        </Alert>
      ) : null}
      {data ? (
        <section aria-labelledby="portal-requests-title">
          <Title order={2} id="portal-requests-title" fz={{ base: 20, sm: 24 }} mb="sm">
            {tp('home.requests')}
          </Title>
          {data.requests.length === 0 ? (
            <Card withBorder padding="lg" data-testid="portal-requests-empty">
              <Text fw={600} size="lg">
                {tp('home.empty.title')}
              </Text>
              <Text size="md" mt={4}>
                {tp('home.empty.body')}
              </Text>
            </Card>
          ) : (
            <Stack component="ul" gap="md" data-testid="portal-requests" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {data.requests.map((r) => (
                <Card
                  component="li"
                  key={r.id}
                  withBorder
                  padding="lg"
                  data-testid="portal-request"
                  data-request-id={r.id}
                  data-status={r.status}
                >
                  <Stack gap={6}>
                    <Group justify="space-between" align="flex-start" gap="xs">
                      <Text fw={700} size="lg" data-testid="portal-request-centre" style={{ overflowWrap: 'anywhere' }}>
                        {centreName(data.reference, r.centre)}
                      </Text>
                      <Badge size="lg" color={STATUS_COLOR[r.status]} variant="light" data-testid="portal-request-status" style={{ whiteSpace: 'normal', height: 'auto' }}>
                        {tp(`status.${r.status}`)}
                      </Badge>
                    </Group>
                    <Text size="md" data-testid="portal-request-profile" style={{ overflowWrap: 'anywhere' }}>
                      {profileName(data.reference, r.centre, r.profile)}
                    </Text>
                    <Text size="md" c="dimmed" data-testid="portal-request-due">
                      {OPEN.includes(r.status) ? tp('home.request.due', { date: formatDay(r.dueAt) }) : tp('home.request.created', { date: formatDay(r.createdAt) })}
                    </Text>
                  </Stack>
                </Card>
              ))}
            </Stack>
          )}
        </section>
      ) : null}
    </Stack>
  );
}
