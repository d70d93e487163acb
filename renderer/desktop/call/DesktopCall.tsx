import { Modal } from '@mantine/core';
import { useCallback, useMemo, type ReactNode } from 'react';
import { CallScreen, tc, type CallHost, type CallSnapshot } from '../../common/call';
import { useRpc } from '../../rpc/context';
import { useKeepAwake } from '../use-activity';

/**
 * The doctor's side of the video consultation: the shared call screen, with tickets and the link
 * check from the desktop services (the session token stays there). When the doctor ends the
 * consultation, `onEnded` leads on (to the conclusion editor).
 */
export function DesktopCall({ consultationId, chat, onEnded, onClose }: { consultationId: string; chat?: ReactNode; onEnded: (by: CallSnapshot['endedBy']) => void; onClose: () => void }) {
  const rpc = useRpc();
  const host = useMemo<CallHost>(() => ({ getTicket: () => rpc.call('call.ticket', { consultationId }) }), [rpc, consultationId]);
  const probe = useCallback(() => rpc.call('call.probe', {}), [rpc]);
  // A consultation is work without keyboard or mouse: no idle lock while the call screen is open.
  useKeepAwake();
  return (
    <Modal opened onClose={onClose} fullScreen title={tc('call.title')} closeButtonProps={{ 'aria-label': tc('call.close') }} data-testid="desktop-call">
      <CallScreen host={host} probe={probe} chat={chat} onCancel={onClose} onEnded={onEnded} />
    </Modal>
  );
}
