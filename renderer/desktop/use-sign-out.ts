import { useState } from 'react';
import { RpcError } from '../../shared/rpc/messages';
import { useRpc } from '../rpc/context';

/**
 * Signing out as the shell and the lock screen both do it: unsent changes make the services refuse
 * with PENDING_CHANGES, which becomes a warning to confirm (`signOut(true)`) or dismiss; any other
 * failure goes to `onError`. Success needs nothing here: session.changed brings the sign-in screen.
 */
export function useSignOut(onError: (err: unknown) => void, onSignedOut?: () => void) {
  const rpc = useRpc();
  const [signingOut, setSigningOut] = useState(false);
  const [pendingWarning, setPendingWarning] = useState<string | null>(null);
  const signOut = (force = false) => {
    setSigningOut(true);
    setPendingWarning(null);
    rpc
      .call('session.signOut', { force })
      .then(
        () => onSignedOut?.(),
        (err: unknown) => {
          if (err instanceof RpcError && err.code === 'PENDING_CHANGES') setPendingWarning(err.message);
          else onError(err);
        },
      )
      .finally(() => setSigningOut(false));
  };
  return { signOut, signingOut, pendingWarning, dismissWarning: () => setPendingWarning(null) };
}
