import { Alert, Badge, Button, Card, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Consultation, ConsultationStatus } from '../../../shared/domain/consultations';
import { callCare } from '../api';
import { tp } from '../i18n';
import { canCancel, canJoinCall } from './care-model';
import { failureText, isSessionLost, readableColours, When, whenText, wrapButton } from './care-ui';
import { ChatPanel } from './ChatPanel';
import { PortalCall } from './PortalCall';

const STATUS_COLOR = { scheduled: 'violet', completed: 'teal', cancelled: 'gray' } as const satisfies Record<ConsultationStatus, string>;

/**
 * One consultation: when (Moscow time, and the patient's own when it differs), with whom, its
 * state; «Подключиться к видеосвязи» from 10 min before the start to an hour after; cancel with a
 * reason; for a duty-doctor booking, the chat with the doctor.
 */
export function ConsultationCard({
  consultation: c,
  centreName,
  token,
  now,
  onExpired,
  onChanged,
  chatOpen = false,
}: {
  consultation: Consultation;
  centreName: string;
  token: string;
  now: Date;
  onExpired: () => void;
  onChanged: (c: Consultation) => void;
  chatOpen?: boolean;
}) {
  const [cancelOpen, setCancelOpen] = useState(false);
  const [callOpen, setCallOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const joinable = canJoinCall(c, now);
  const cancellable = canCancel(c, now);

  async function cancel(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (reason.trim().length < 3) {
      setReasonError(tp('care.cons.cancel.reason.short'));
      document.getElementById(`care-cancel-reason-${c.id}`)?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const updated = await callCare('cancelConsultation', { token, params: { id: c.id }, body: { reason: reason.trim() } });
      setCancelOpen(false);
      setReason('');
      onChanged(updated);
    } catch (err) {
      if (isSessionLost(err)) return onExpired();
      setFailure(failureText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card component="li" withBorder padding="lg" data-testid="care-consultation" data-consultation-id={c.id} data-request-id={c.requestId} data-status={c.status} data-kind={c.kind}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Text fw={700} size="lg" data-testid="care-consultation-kind">
            {tp(`care.cons.kind.${c.kind}`)}
          </Text>
          <Badge size="lg" variant="light" color={STATUS_COLOR[c.status]} data-testid="care-consultation-status" style={{ whiteSpace: 'normal', height: 'auto' }}>
            {tp(`care.cons.status.${c.status}`)}
          </Badge>
        </Group>
        <When iso={c.startsAt} testId="care-consultation-when" />
        <Text size="md" data-testid="care-consultation-doctor" style={{ overflowWrap: 'anywhere' }}>
          {tp('care.cons.doctor', { name: c.doctorName })}
        </Text>
        <Text size="md" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
          {tp('care.cons.centre', { name: centreName })}
        </Text>
        {c.status === 'cancelled' ? (
          <Text size="md" data-testid="care-consultation-cancelled">
            {tp(`care.cons.cancelledBy.${c.cancelledBy ?? 'system'}`)}
            {c.cancelReason ? `. ${tp('care.cons.cancelReason', { reason: c.cancelReason })}` : ''}
          </Text>
        ) : null}
        {joinable ? (
          <Button styles={wrapButton} size="lg" color="teal.9" onClick={() => setCallOpen(true)} data-testid="care-consultation-join">
            {tp('care.cons.join')}
          </Button>
        ) : c.status === 'scheduled' && cancellable ? (
          <Text size="md" c="gray.7">
            {tp('care.cons.joinHint')}
          </Text>
        ) : null}
        {cancellable ? (
          <Button styles={wrapButton} size="lg" variant="outline" color="red.9" onClick={() => setCancelOpen(true)} data-testid="care-consultation-cancel">
            {tp('care.cons.cancel')}
          </Button>
        ) : null}
        {c.kind === 'duty' && c.status === 'scheduled' ? (
          <ChatPanel token={token} requestId={c.requestId} patientId={c.patientId} onExpired={onExpired} defaultOpen={chatOpen} title={tp('care.cons.chat')} />
        ) : null}
      </Stack>
      {callOpen && <PortalCall consultation={c} token={token} onExpired={onExpired} onClose={() => setCallOpen(false)} />}
      <Modal
        opened={cancelOpen}
        onClose={() => {
          if (!busy) setCancelOpen(false);
        }}
        title={tp('care.cons.cancel.heading')}
        centered
        size="md"
        closeButtonProps={{ 'aria-label': tp('care.close'), size: 'xl' }}
        styles={{ content: readableColours }}
        data-testid="care-cancel-dialog"
      >
        <form onSubmit={(e) => void cancel(e)} noValidate data-testid="care-cancel-form">
          <Stack gap="md">
            <Text size="lg">{tp('care.cons.cancel.when', { when: whenText(c.startsAt) })}</Text>
            <Textarea
              id={`care-cancel-reason-${c.id}`}
              data-testid="care-cancel-reason"
              size="lg"
              label={tp('care.cons.cancel.reason')}
              description={tp('care.cons.cancel.reason.hint')}
              autosize
              minRows={2}
              maxLength={500}
              value={reason}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                setReasonError(null);
              }}
              error={reasonError}
              required
              data-autofocus
            />
            {failure ? (
              <Alert color="red" role="alert" title={tp('care.cons.cancel.failed')} data-testid="care-cancel-error">
                <Text size="md">{failure}</Text>
              </Alert>
            ) : null}
            <Button styles={wrapButton} type="submit" size="lg" color="red.9" loading={busy} data-testid="care-cancel-confirm">
              {tp('care.cons.cancel.confirm')}
            </Button>
            <Button styles={wrapButton} size="lg" variant="default" onClick={() => setCancelOpen(false)} disabled={busy} data-testid="care-cancel-keep">
              {tp('care.cons.cancel.keep')}
            </Button>
          </Stack>
        </form>
      </Modal>
    </Card>
  );
}
