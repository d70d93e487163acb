import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
import { call, isApiError } from './api';
import { tp } from './i18n';
import { PageHeading } from './PageHeading';

interface FormError {
  code: string;
  title: string;
  body: string;
}

/** What a failed sign-in tells the patient: what happened and what to do next. */
function describe(err: unknown): FormError {
  if (!isApiError(err)) return { code: 'INTERNAL', title: tp('signIn.error.other.title'), body: tp('signIn.error.other') };
  switch (err.code) {
    case 'INVALID_CREDENTIALS':
      return { code: err.code, title: tp('signIn.error.INVALID_CREDENTIALS.title'), body: tp('signIn.error.INVALID_CREDENTIALS') };
    // The server's message names the minutes left and whom to call.
    case 'ACCOUNT_LOCKED':
      return { code: err.code, title: tp('signIn.error.ACCOUNT_LOCKED.title'), body: err.message };
    case 'ACCOUNT_DISABLED':
      return { code: err.code, title: tp('signIn.error.ACCOUNT_DISABLED.title'), body: err.message };
    case 'SERVER_UNREACHABLE':
      return { code: err.code, title: tp('signIn.error.SERVER_UNREACHABLE.title'), body: tp('signIn.error.SERVER_UNREACHABLE') };
    default:
      return { code: err.code, title: tp('signIn.error.other.title'), body: err.message || tp('signIn.error.other') };
  }
}

export interface SignedIn {
  session: ApiResponse<'login'>;
  /** The password just used: prefilled as "current" if the server asks to change it. */
  password: string;
}

export function SignInPage({
  notice,
  onSignedIn,
  onRegister,
  onForgot,
}: {
  notice: string | null;
  onSignedIn: (s: SignedIn) => void;
  /** «Зарегистрироваться» and «Забыли пароль?»: the portal opens those pages. */
  onRegister?: () => void;
  onForgot?: () => void;
}) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ login?: string; password?: string }>({});
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const m: typeof missing = {};
    if (!login.trim()) m.login = tp('signIn.required.login');
    if (!password) m.password = tp('signIn.required.password');
    setMissing(m);
    if (m.login || m.password) {
      document.getElementById(m.login ? 'portal-login' : 'portal-password')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await call('login', { body: { login: login.trim(), password } });
      onSignedIn({ session, password });
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  return (
    <Stack gap="lg">
      <PageHeading title={tp('signIn.heading')} />
      <Text size="lg">{tp('signIn.lead')}</Text>
      {notice && !error ? (
        <Alert color="blue" data-testid="portal-notice" role="status">
          <Text size="md">{notice}</Text>
        </Alert>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="portal-signin-form" aria-label={tp('signIn.heading')}>
        <Stack gap="md">
          <TextInput
            id="portal-login"
            data-testid="portal-login"
            size="lg"
            label={tp('signIn.login')}
            description={tp('signIn.login.hint')}
            value={login}
            onChange={(e) => {
              setLogin(e.currentTarget.value);
              setMissing((x) => ({ ...x, login: undefined }));
            }}
            error={missing.login}
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            inputMode="text"
            required
          />
          <PasswordInput
            id="portal-password"
            data-testid="portal-password"
            size="lg"
            label={tp('signIn.password')}
            value={password}
            onChange={(e) => {
              setPassword(e.currentTarget.value);
              setMissing((x) => ({ ...x, password: undefined }));
            }}
            error={missing.password}
            autoComplete="current-password"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            required
            visibilityToggleButtonProps={{ 'aria-label': tp('signIn.showPassword'), 'data-testid': 'portal-password-toggle' } as object}
          />
          {error ? (
            <Alert color="red" role="alert" title={error.title} data-testid="portal-signin-error" data-code={error.code}>
              <Text size="md">{error.body}</Text>
            </Alert>
          ) : null}
          <Button type="submit" size="lg" fullWidth loading={busy} data-testid="portal-signin-submit">
            {tp('signIn.submit')}
          </Button>
        </Stack>
      </form>
      {onForgot || onRegister ? (
        <Stack gap="xs" component="nav" aria-label={tp('access.signIn.noAccount')}>
          {onForgot ? (
            <Button type="button" size="lg" variant="subtle" fullWidth onClick={onForgot} data-testid="portal-forgot">
              {tp('access.signIn.forgot')}
            </Button>
          ) : null}
          {onRegister ? (
            <>
              <Text size="md" ta="center" mt="sm">
                {tp('access.signIn.noAccount')}
              </Text>
              <Button type="button" size="lg" variant="light" fullWidth onClick={onRegister} data-testid="portal-register-link">
                {tp('access.signIn.register')}
              </Button>
            </>
          ) : null}
        </Stack>
      ) : null}
    </Stack>
  );
}
