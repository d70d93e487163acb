import { Alert, Button, Group, PasswordInput, Text } from '@mantine/core';
import { useRef, useState, type FormEvent } from 'react';
import type { ErrorCode } from '../../shared/domain/errors';
import type { PublicUser } from '../../shared/domain/users';
import type { Session } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/messages';
import { t } from '../i18n';
import { useRpc } from '../rpc/context';
import { AuthCard } from './components/AuthCard';
import { roleText } from './labels';
import { errorMessage } from './notify';
import { useSignOut } from './use-sign-out';

interface FormError {
  code: ErrorCode | null;
  message: string;
}

/**
 * The lock screen: shown instead of the shell while the services say the session is locked (after
 * idle time, or «Заблокировать»). Nothing of the user's work is on screen or mounted meanwhile.
 * The password field has focus and Enter submits; a wrong password says how many tries are left;
 * the last wrong one ends the session (the services say so and the sign-in screen shows why).
 * «Выйти» signs out, warning first about unsent changes as the shell does.
 */
export function LockScreen({ user, onUnlocked, onSignedOut }: { user: PublicUser; onUnlocked: (s: Session) => void; onSignedOut: (notice: string | null) => void }) {
  const rpc = useRpc();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!password) {
      setError({ code: 'VALIDATION_FAILED', message: t('addPatient.required') });
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await rpc.call('session.unlock', { password }));
    } catch (err) {
      const code = err instanceof RpcError ? err.code : null;
      if (code === 'NOT_SIGNED_IN') {
        onSignedOut(errorMessage(err));
        return;
      }
      setError({ code, message: errorMessage(err) });
      setPassword('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  const { signOut, signingOut, pendingWarning, dismissWarning } = useSignOut(
    (err) => setError({ code: err instanceof RpcError ? err.code : null, message: errorMessage(err) }),
    () => onSignedOut(null),
  );

  const role = roleText(user);

  return (
    <AuthCard
      title={t('lock.title')}
      titleId="lock-title"
      maw={460}
      onSubmit={submit}
      cardTestId="lock-screen"
      intro={
        <>
          <Text size="sm" fw={600} mt={4} data-testid="lock-user">
            {t('lock.signedInAs', { name: user.fullName, role })}
          </Text>
          <Text c="dimmed" size="sm" mt={4}>
            {t('lock.body')}
          </Text>
        </>
      }
    >
      <PasswordInput
        ref={input}
        id="lock-password"
        label={t('lock.password')}
        value={password}
        onChange={(e) => {
          setPassword(e.currentTarget.value);
          if (error?.code === 'VALIDATION_FAILED') setError(null);
        }}
        autoComplete="current-password"
        required
        autoFocus
        data-autofocus
        data-testid="lock-password"
      />
      {error && (
        <Alert color="red" role="alert" title={error.code === 'INVALID_CREDENTIALS' ? t('lock.error.INVALID_CREDENTIALS') : t('lock.error.other')} data-testid="lock-error" data-code={error.code ?? undefined}>
          <Text size="sm">{error.message}</Text>
          {error.code === 'INVALID_CREDENTIALS' && (
            <Text size="sm" mt={4}>
              {t('lock.hint.INVALID_CREDENTIALS')}
            </Text>
          )}
        </Alert>
      )}
      {pendingWarning !== null && (
        <Alert color="orange" role="alert" title={t('lock.pending.title')} data-testid="lock-sign-out-pending">
          <Text size="sm">{pendingWarning}</Text>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" size="xs" onClick={dismissWarning} data-testid="lock-sign-out-pending-stay">
              {t('lock.pending.stay')}
            </Button>
            <Button color="red" size="xs" onClick={() => signOut(true)} data-testid="lock-sign-out-pending-confirm">
              {t('lock.pending.confirm')}
            </Button>
          </Group>
        </Alert>
      )}
      <Button type="submit" loading={busy || signingOut} fullWidth data-testid="lock-submit">
        {t('lock.unlock')}
      </Button>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="xs" c="dimmed">
          {t('lock.signOut.hint')}
        </Text>
        <Button variant="subtle" size="xs" onClick={() => signOut(false)} disabled={busy || signingOut} data-testid="lock-sign-out">
          {t('lock.signOut')}
        </Button>
      </Group>
    </AuthCard>
  );
}
