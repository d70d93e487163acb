import { Alert, Button, List, PasswordInput, Stack, Text, TextInput, ThemeIcon, VisuallyHidden } from '@mantine/core';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
import { call, isApiError } from './api';
import { tp } from './i18n';
import { PASSWORD_MAX, PASSWORD_MIN } from './password-rules';
import { NewPassword } from '../../shared/domain/users';

/** Pieces shared by registration and password reset: the phone step, the code timer, password fields, errors. */

export interface AccessError {
  code: string;
  title: string;
  body: string;
  /** Per-field messages from VALIDATION_FAILED (path → message). */
  fields: Record<string, string>;
}

/** A failed call in plain words: the server's message says what happened and, for RATE_LIMITED, how long to wait. */
export function describeAccessError(err: unknown): AccessError {
  if (!isApiError(err)) return { code: 'INTERNAL', title: tp('access.error.title'), body: tp('access.error.other'), fields: {} };
  const fields: Record<string, string> = {};
  for (const i of err.issues) if (i.path && !fields[i.path]) fields[i.path] = i.message;
  switch (err.code) {
    case 'SERVER_UNREACHABLE':
      return { code: err.code, title: tp('access.error.SERVER_UNREACHABLE.title'), body: tp('access.error.SERVER_UNREACHABLE'), fields };
    case 'RATE_LIMITED':
      return { code: err.code, title: tp('access.error.RATE_LIMITED.title'), body: err.message, fields };
    case 'INVALID_CREDENTIALS':
      return { code: err.code, title: tp('access.error.INVALID_CREDENTIALS.title'), body: err.message || tp('access.error.INVALID_CREDENTIALS'), fields };
    case 'CONFLICT':
    case 'ALREADY_TAKEN':
    case 'DUPLICATE_PATIENT':
      return { code: err.code, title: tp('access.error.CONFLICT.title'), body: `${err.message} ${tp('access.register.alreadyHint')}`.trim(), fields };
    case 'VALIDATION_FAILED':
      return { code: err.code, title: tp('access.error.VALIDATION_FAILED.title'), body: err.message, fields };
    default:
      return { code: err.code, title: tp('access.error.title'), body: err.message || tp('access.error.other'), fields };
  }
}

export function ErrorAlert({ error, testId }: { error: AccessError; testId: string }) {
  return (
    <Alert color="red" role="alert" title={error.title} data-testid={testId} data-code={error.code}>
      <Text size="md">{error.body}</Text>
    </Alert>
  );
}

/** «0:45»: the wait before another code may be asked for. */
function mmss(s: number): string {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Seconds left until `until` (ms since epoch), ticking once a second. */
export function useCountdown(until: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until <= Date.now()) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [until]);
  return Math.max(0, Math.ceil((until - now) / 1000));
}

export type CodeSent = ApiResponse<'registerStart'> & { phone: string; at: number };

/** Step one: the phone number, then «Получить код по SMS». */
export function PhoneStep({
  route,
  lead,
  initialPhone,
  onSent,
  testPrefix,
}: {
  route: 'registerStart' | 'resetStart';
  lead: string;
  initialPhone: string;
  onSent: (s: CodeSent) => void;
  testPrefix: string;
}) {
  const [phone, setPhone] = useState(initialPhone);
  const [missing, setMissing] = useState<string | null>(null);
  const [error, setError] = useState<AccessError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!phone.trim()) {
      setMissing(tp('access.phone.required'));
      document.getElementById(`${testPrefix}-phone`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await call(route, { body: { phone: phone.trim() } });
      onSent({ ...r, phone: phone.trim(), at: Date.now() });
    } catch (err) {
      const d = describeAccessError(err);
      if (d.fields.phone) {
        setMissing(d.fields.phone);
        document.getElementById(`${testPrefix}-phone`)?.focus();
      } else setError(d);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid={`${testPrefix}-phone-form`}>
      <Stack gap="md">
        <Text size="lg">{lead}</Text>
        <TextInput
          id={`${testPrefix}-phone`}
          data-testid={`${testPrefix}-phone`}
          size="lg"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          label={tp('access.phone')}
          description={tp('access.phone.hint')}
          value={phone}
          onChange={(e) => {
            setPhone(e.currentTarget.value);
            setMissing(null);
          }}
          error={missing}
          required
        />
        {error ? <ErrorAlert error={error} testId={`${testPrefix}-error`} /> : null}
        <Button type="submit" size="lg" fullWidth loading={busy} data-testid={`${testPrefix}-send-code`}>
          {tp('access.sendCode')}
        </Button>
      </Stack>
    </form>
  );
}

/** «Мы отправили SMS…» and the resend button with its timer. */
export function CodeSentNotice({
  sent,
  route,
  onResent,
  onChangePhone,
  testPrefix,
}: {
  sent: CodeSent;
  route: 'registerStart' | 'resetStart';
  onResent: (s: CodeSent) => void;
  onChangePhone: () => void;
  testPrefix: string;
}) {
  const left = useCountdown(sent.at + sent.resendAfterSeconds * 1000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AccessError | null>(null);
  async function resend() {
    setBusy(true);
    setError(null);
    try {
      const r = await call(route, { body: { phone: sent.phone } });
      onResent({ ...r, phone: sent.phone, at: Date.now() });
    } catch (err) {
      setError(describeAccessError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Stack gap="sm">
      <Alert color="blue" role="status" data-testid={`${testPrefix}-code-sent`}>
        <Text size="md">{tp('access.codeSent', { phone: sent.phone, minutes: Math.max(1, Math.round(sent.expiresInSeconds / 60)) })}</Text>
      </Alert>
      {error ? <ErrorAlert error={error} testId={`${testPrefix}-resend-error`} /> : null}
      <Button
        type="button"
        size="lg"
        variant="light"
        fullWidth
        disabled={left > 0}
        loading={busy}
        onClick={() => void resend()}
        data-testid={`${testPrefix}-resend`}
        style={{ whiteSpace: 'normal', height: 'auto', minHeight: 50 }}
      >
        {left > 0 ? tp('access.resend.wait', { time: mmss(left) }) : tp('access.resend')}
      </Button>
      <Button type="button" size="lg" variant="subtle" fullWidth onClick={onChangePhone} data-testid={`${testPrefix}-change-phone`}>
        {tp('access.changePhone')}
      </Button>
    </Stack>
  );
}

export function CodeInput({ value, onChange, error, testId }: { value: string; onChange: (v: string) => void; error: string | undefined; testId: string }) {
  return (
    <TextInput
      id={testId}
      data-testid={testId}
      size="lg"
      label={tp('access.code')}
      description={tp('access.code.hint')}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
      error={error}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      required
    />
  );
}

export const validCode = (c: string) => /^\d{6}$/.test(c);

export function passwordRules(next: string, repeat: string) {
  return [
    { id: 'length' as const, ok: NewPassword.safeParse(next).success, text: tp('change.rule.length', { min: PASSWORD_MIN }) },
    { id: 'repeat' as const, ok: next.length > 0 && next === repeat, text: tp('change.rule.repeat') },
  ];
}

/** New password twice, with the rules ticking as the patient types (as on the password-change page). */
export function PasswordPair({
  next,
  repeat,
  setNext,
  setRepeat,
  errors,
  testPrefix,
  nextLabel,
}: {
  next: string;
  repeat: string;
  setNext: (v: string) => void;
  setRepeat: (v: string) => void;
  errors: { next?: string | undefined; repeat?: string | undefined };
  testPrefix: string;
  nextLabel: string;
}) {
  const rulesId = useId();
  const rules = passwordRules(next, repeat);
  const toggle = (id: string) => ({ 'aria-label': tp('signIn.showPassword'), 'data-testid': id }) as object;
  return (
    <>
      <PasswordInput
        id={`${testPrefix}-password`}
        data-testid={`${testPrefix}-password`}
        size="lg"
        label={nextLabel}
        value={next}
        onChange={(e) => setNext(e.currentTarget.value)}
        error={errors.next}
        aria-describedby={rulesId}
        autoComplete="new-password"
        autoCapitalize="none"
        spellCheck={false}
        maxLength={PASSWORD_MAX}
        required
        visibilityToggleButtonProps={toggle(`${testPrefix}-password-toggle`)}
      />
      <PasswordInput
        id={`${testPrefix}-repeat`}
        data-testid={`${testPrefix}-repeat`}
        size="lg"
        label={tp('access.password.repeat')}
        value={repeat}
        onChange={(e) => setRepeat(e.currentTarget.value)}
        error={errors.repeat}
        autoComplete="new-password"
        autoCapitalize="none"
        spellCheck={false}
        maxLength={PASSWORD_MAX}
        required
        visibilityToggleButtonProps={toggle(`${testPrefix}-repeat-toggle`)}
      />
      <div id={rulesId}>
        <Text fw={600} size="md" mb={4}>
          {tp('change.rules')}
        </Text>
        <List spacing={6} size="md" center listStyleType="none">
          {rules.map((r) => (
            <List.Item
              key={r.id}
              data-testid={`${testPrefix}-rule-${r.id}`}
              data-ok={r.ok ? 'true' : 'false'}
              icon={
                <ThemeIcon color={r.ok ? 'teal' : 'gray'} variant={r.ok ? 'filled' : 'light'} size={24} radius="xl" aria-hidden>
                  {r.ok ? '✓' : '•'}
                </ThemeIcon>
              }
            >
              <Text component="span" size="md" c={r.ok ? 'teal.9' : undefined}>
                {r.text}
              </Text>
              <VisuallyHidden>{` — ${r.ok ? tp('change.rule.ok') : tp('change.rule.notOk')}`}</VisuallyHidden>
            </List.Item>
          ))}
        </List>
      </div>
    </>
  );
}

/** Checks the pair before sending; returns field errors (empty: fine). */
export function checkPasswordPair(next: string, repeat: string): { next?: string; repeat?: string } {
  if (!NewPassword.safeParse(next).success) return { next: tp('access.password.invalid') };
  if (next !== repeat) return { repeat: tp('access.password.mismatch') };
  return {};
}
