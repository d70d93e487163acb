import { Alert, Button, List, PasswordInput, Stack, Text, ThemeIcon, VisuallyHidden } from '@mantine/core';
import { useId, useState, type FormEvent } from 'react';
import type { PublicUser } from '../../shared/domain/users';
import { call, isApiError } from './api';
import { tp, type PortalMessageId } from './i18n';
import { PageHeading } from './PageHeading';
import { checkRules, PASSWORD_MAX, PASSWORD_MIN, type RuleId } from './password-rules';

const RULE_TEXT = {
  differs: 'change.rule.differs',
  login: 'change.rule.login',
  repeat: 'change.rule.repeat',
} as const satisfies Record<Exclude<RuleId, 'length'>, PortalMessageId>;

const toggle = (testId: string) =>
  ({ 'aria-label': tp('signIn.showPassword'), 'data-testid': testId }) as object;

/**
 * The forced password change after signing in with the one-time password from the SMS: nothing
 * else opens until it is done (the API refuses other routes). The SMS password is prefilled when
 * the patient has just typed it; after a reload they type it again.
 */
export function ChangePasswordPage({
  user,
  token,
  oneTimePassword,
  onChanged,
  onSignOut,
  onExpired,
}: {
  user: PublicUser;
  token: string;
  oneTimePassword: string;
  onChanged: () => void;
  onSignOut: () => void;
  onExpired: () => void;
}) {
  const [current, setCurrent] = useState(oneTimePassword);
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ current?: string; next?: string; repeat?: string }>({});
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const rulesId = useId();

  const rules = checkRules({ current, next, repeat, login: user.login });
  const ruleText = (id: RuleId) => (id === 'length' ? tp('change.rule.length', { min: PASSWORD_MIN }) : tp(RULE_TEXT[id]));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const errs: typeof fieldErrors = {};
    if (!current) errs.current = tp('change.required.current');
    if (rules.some((r) => r.id !== 'repeat' && !r.ok)) errs.next = tp('change.invalid.next');
    else if (next !== repeat) errs.repeat = tp('change.invalid.repeat');
    setFieldErrors(errs);
    const first = errs.current ? 'portal-current-password' : errs.next ? 'portal-new-password' : errs.repeat ? 'portal-repeat-password' : null;
    if (first) {
      document.getElementById(first)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call('changePassword', { token, body: { currentPassword: current, newPassword: next } });
      onChanged();
    } catch (err) {
      setBusy(false);
      if (isApiError(err) && err.code === 'UNAUTHENTICATED') return onExpired();
      if (isApiError(err) && err.code === 'SERVER_UNREACHABLE') return setError({ code: err.code, message: tp('change.error.SERVER_UNREACHABLE') });
      if (isApiError(err) && err.code === 'INVALID_CREDENTIALS') {
        setFieldErrors({ current: err.message });
        document.getElementById('portal-current-password')?.focus();
        return;
      }
      const issues = isApiError(err) ? err.issues.map((i) => i.message) : [];
      setError({ code: isApiError(err) ? err.code : 'INTERNAL', message: [isApiError(err) ? err.message : tp('signIn.error.other'), ...issues].join(' ') });
    }
  }

  return (
    <Stack gap="lg">
      <PageHeading title={tp('change.heading')} testId="portal-change-heading" />
      <Text size="lg">{tp('change.lead')}</Text>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="portal-change-form" aria-label={tp('change.heading')}>
        <Stack gap="md">
          <PasswordInput
            id="portal-current-password"
            data-testid="portal-current-password"
            size="lg"
            label={tp('change.current')}
            value={current}
            onChange={(e) => {
              setCurrent(e.currentTarget.value);
              setFieldErrors((x) => ({ ...x, current: undefined }));
            }}
            error={fieldErrors.current}
            autoComplete="current-password"
            autoCapitalize="none"
            spellCheck={false}
            required
            visibilityToggleButtonProps={toggle('portal-current-password-toggle')}
          />
          <PasswordInput
            id="portal-new-password"
            data-testid="portal-new-password"
            size="lg"
            label={tp('change.next')}
            value={next}
            onChange={(e) => {
              setNext(e.currentTarget.value);
              setFieldErrors((x) => ({ ...x, next: undefined }));
            }}
            error={fieldErrors.next}
            aria-describedby={rulesId}
            autoComplete="new-password"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={PASSWORD_MAX}
            required
            visibilityToggleButtonProps={toggle('portal-new-password-toggle')}
          />
          <PasswordInput
            id="portal-repeat-password"
            data-testid="portal-repeat-password"
            size="lg"
            label={tp('change.repeat')}
            value={repeat}
            onChange={(e) => {
              setRepeat(e.currentTarget.value);
              setFieldErrors((x) => ({ ...x, repeat: undefined }));
            }}
            error={fieldErrors.repeat}
            autoComplete="new-password"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={PASSWORD_MAX}
            required
            visibilityToggleButtonProps={toggle('portal-repeat-password-toggle')}
          />
          <div id={rulesId}>
            <Text fw={600} size="md" mb={4}>
              {tp('change.rules')}
            </Text>
            <List spacing={6} size="md" center listStyleType="none" data-testid="portal-rules">
              {rules.map((r) => (
                <List.Item
                  key={r.id}
                  data-testid={`portal-rule-${r.id}`}
                  data-ok={r.ok ? 'true' : 'false'}
                  icon={
                    <ThemeIcon color={r.ok ? 'teal' : 'gray'} variant={r.ok ? 'filled' : 'light'} size={24} radius="xl" aria-hidden>
                      {r.ok ? '✓' : '•'}
                    </ThemeIcon>
                  }
                >
                  <Text component="span" size="md" c={r.ok ? 'teal.9' : undefined}>
                    {ruleText(r.id)}
                  </Text>
                  <VisuallyHidden>{` — ${r.ok ? tp('change.rule.ok') : tp('change.rule.notOk')}`}</VisuallyHidden>
                </List.Item>
              ))}
            </List>
          </div>
          {error ? (
            <Alert color="red" role="alert" title={tp('change.error.title')} data-testid="portal-change-error" data-code={error.code}>
              <Text size="md">{error.message}</Text>
            </Alert>
          ) : null}
          <Button type="submit" size="lg" fullWidth loading={busy} data-testid="portal-change-submit">
            {tp('change.submit')}
          </Button>
          <Button type="button" size="lg" variant="subtle" fullWidth onClick={onSignOut} data-testid="portal-change-signout">
            {tp('change.signOut')}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
