import { Alert, Button, PasswordInput, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { ErrorCode } from '../../shared/domain/errors';
import type { Session } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/messages';
import { t, type MessageId } from '../i18n';
import { useRpc } from '../rpc/context';
import { AuthCard } from './components/AuthCard';
import { errorMessage } from './notify';

type Field = 'serverUrl' | 'login' | 'password';
const FIELDS: readonly Field[] = ['serverUrl', 'login', 'password'];

type TitleKey = Extract<MessageId, `signIn.error.${string}`>;
type HintKey = Extract<MessageId, `signIn.hint.${string}`>;

const TITLES: Partial<Record<ErrorCode, TitleKey>> = {
  INVALID_CREDENTIALS: 'signIn.error.INVALID_CREDENTIALS',
  ACCOUNT_LOCKED: 'signIn.error.ACCOUNT_LOCKED',
  ACCOUNT_DISABLED: 'signIn.error.ACCOUNT_DISABLED',
  SERVER_UNREACHABLE: 'signIn.error.SERVER_UNREACHABLE',
  PASSWORD_CHANGE_REQUIRED: 'signIn.error.PASSWORD_CHANGE_REQUIRED',
  VALIDATION_FAILED: 'signIn.error.VALIDATION_FAILED',
};
const HINTS: Partial<Record<ErrorCode, HintKey>> = {
  INVALID_CREDENTIALS: 'signIn.hint.INVALID_CREDENTIALS',
  ACCOUNT_LOCKED: 'signIn.hint.ACCOUNT_LOCKED',
  SERVER_UNREACHABLE: 'signIn.hint.SERVER_UNREACHABLE',
};

interface FormError {
  code: ErrorCode | null;
  message: string;
}

/**
 * The sign-in screen: server address (prefilled), login, password. Enter submits from any field;
 * the first field that needs attention gets focus. Field problems from VALIDATION_FAILED appear
 * under their fields; everything else appears above the button with what to do next.
 */
export function SignIn({ defaultServerUrl, notice = null, onSignedIn }: { defaultServerUrl: string; notice?: string | null; onSignedIn: (s: Session) => void }) {
  const rpc = useRpc();
  const [values, setValues] = useState<Record<Field, string>>({ serverUrl: defaultServerUrl, login: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: Field) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [field]: value }));
    setFieldErrors((fe) => ({ ...fe, [field]: undefined }));
  };

  const hint = formError?.code ? HINTS[formError.code] : undefined;

  const focus = (field: Field) => document.getElementById(`sign-in-${field}`)?.focus();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const missing: Partial<Record<Field, string>> = {};
    if (!values.serverUrl.trim()) missing.serverUrl = t('addPatient.required');
    if (!values.login.trim()) missing.login = t('addPatient.required');
    if (!values.password) missing.password = t('addPatient.required');
    const firstMissing = FIELDS.find((f) => missing[f]);
    if (firstMissing) {
      setFieldErrors(missing);
      setFormError(null);
      focus(firstMissing);
      return;
    }
    setBusy(true);
    setFormError(null);
    setFieldErrors({});
    try {
      const session = await rpc.call('session.signIn', { serverUrl: values.serverUrl.trim(), login: values.login.trim(), password: values.password });
      onSignedIn(session);
    } catch (err) {
      const code = err instanceof RpcError ? err.code : null;
      const issues = err instanceof RpcError ? (err.issues ?? []) : [];
      const byField: Partial<Record<Field, string>> = {};
      for (const issue of issues) {
        const f = FIELDS.find((x) => x === issue.path.split('.')[0]);
        if (f && !byField[f]) byField[f] = issue.message;
      }
      setFieldErrors(byField);
      const firstBad = FIELDS.find((f) => byField[f]);
      if (code === 'VALIDATION_FAILED' && firstBad) {
        setFormError(null);
        focus(firstBad);
      } else {
        setFormError({ code, message: errorMessage(err) });
        if (code === 'SERVER_UNREACHABLE') focus('serverUrl');
        else if (code === 'INVALID_CREDENTIALS') {
          setValues((v) => ({ ...v, password: '' }));
          focus('password');
        }
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard
      title={t('signIn.title')}
      titleId="sign-in-title"
      maw={420}
      onSubmit={submit}
      formTestId="sign-in-form"
      intro={
        <Text c="dimmed" size="sm">
          {t('signIn.subtitle')}
        </Text>
      }
    >
      {notice && (
        <Alert color="orange" title={t('lock.notice.title')} role="status" data-testid="sign-in-notice">
          <Text size="sm">{notice}</Text>
        </Alert>
      )}
      <TextInput
        id="sign-in-serverUrl"
        label={t('signIn.serverUrl')}
        description={t('signIn.serverUrl.hint')}
        value={values.serverUrl}
        onChange={set('serverUrl')}
        error={fieldErrors.serverUrl}
        type="url"
        inputMode="url"
        autoComplete="url"
        spellCheck={false}
        required
        data-testid="sign-in-server"
      />
      <TextInput
        id="sign-in-login"
        label={t('signIn.login')}
        value={values.login}
        onChange={set('login')}
        error={fieldErrors.login}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        data-autofocus
        autoFocus
        data-testid="sign-in-login"
      />
      <PasswordInput
        id="sign-in-password"
        label={t('signIn.password')}
        value={values.password}
        onChange={set('password')}
        error={fieldErrors.password}
        autoComplete="current-password"
        required
        data-testid="sign-in-password"
      />
      {formError && (
        <Alert color="red" title={t((formError.code && TITLES[formError.code]) || 'signIn.error.other')} role="alert" data-testid="sign-in-error" data-code={formError.code ?? undefined}>
          <Text size="sm">{formError.message}</Text>
          {hint && (
            <Text size="sm" mt={4}>
              {t(hint)}
            </Text>
          )}
        </Alert>
      )}
      <Button type="submit" loading={busy} fullWidth data-testid="sign-in-submit">
        {t('signIn.submit')}
      </Button>
    </AuthCard>
  );
}
