import { Modal } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import type { Consultation } from '../../../shared/domain/consultations';
import { CallScreen, probeOverHttp, tc, type CallHost } from '../../common/call';
import { callCare } from '../api';
import { ChatPanel } from './ChatPanel';

/**
 * The patient's side of the video consultation: the shared call screen over the portal's own
 * origin (the central API), with the tickets fetched with the patient's session and the chat of
 * the request beside the picture.
 */
export function PortalCall({ consultation: c, token, onClose, onExpired }: { consultation: Consultation; token: string; onClose: () => void; onExpired: () => void }) {
  const origin = window.location.origin;
  const host = useMemo<CallHost>(() => ({ getTicket: async () => ({ ticket: await callCare('callTicket', { token, params: { id: c.id } }), serverUrl: origin }) }), [origin, token, c.id]);
  const probe = useCallback(() => probeOverHttp(origin, { authorization: `Bearer ${token}` }), [origin, token]);
  return (
    <Modal opened onClose={onClose} fullScreen title={tc('call.title')} closeButtonProps={{ 'aria-label': tc('call.close') }} data-testid="portal-call">
      <CallScreen
        host={host}
        probe={probe}
        onCancel={onClose}
        onEnded={() => undefined}
        chat={<ChatPanel token={token} requestId={c.requestId} patientId={c.patientId} onExpired={onExpired} defaultOpen title={tc('call.chat.heading')} />}
      />
    </Modal>
  );
}
