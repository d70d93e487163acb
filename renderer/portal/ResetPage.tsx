import { Button, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { call } from './api';
import {
  checkPasswordPair,
  CodeInput,
  CodeSentNotice,
  describeAccessError,
  ErrorAlert,
  PasswordPair,
  PhoneStep,
  validCode,
  type AccessError,
  type CodeSent,
} from './access-forms';
import { tp } from './i18n';
import { PageHeading } from './PageHeading';

type Field = 'code' | 'newPassword' | 'repeat';

/** Forgotten password: phone → SMS code → new password → back to sign-in with a notice. */
export function ResetPage({ onDone, onBack }: { onDone: () => void; onBack: () => void }) {
  const [sent, setSent] = useState<CodeSent | null>(null);
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<AccessError | null>(null);
  const [busy, setBusy] = useState(false);

  const focusFirst = (e: Partial<Record<Field, string>>) => {
    const first = e.code ? 'portal-reset-code' : e.newPassword ? 'portal-reset-password' : e.repeat ? 'portal-reset-repeat' : null;
    if (first) document.getElementById(first)?.focus();
    return !!first;
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !sent) return;
    const pair = checkPasswordPair(password, repeat);
    const errs: Partial<Record<Field, string>> = { newPassword: pair.next, repeat: pair.repeat };
    if (!validCode(code)) errs.code = tp('access.code.invalid');
    setErrors(errs);
    if (focusFirst(errs)) return;
    setBusy(true);
    setError(null);
    try {
      await call('resetConfirm', { body: { phone: sent.phone, code, newPassword: password } });
      onDone();
    } catch (err) {
      setBusy(false);
      const d = describeAccessError(err);
      const fieldErrs: Partial<Record<Field, string>> = { code: d.fields.code, newPassword: d.fields.newPassword };
      if (fieldErrs.code || fieldErrs.newPassword) {
        setErrors(fieldErrs);
        focusFirst(fieldErrs);
      }
      setError(d);
    }
  }

  return (
    <Stack gap="lg" data-testid="portal-reset">
      <PageHeading title={tp('access.reset.heading')} testId="portal-reset-heading" />
      {!sent ? (
        <PhoneStep
          route="resetStart"
          lead={tp('access.reset.lead')}
          initialPhone={phone}
          onSent={(s) => {
            setPhone(s.phone);
            setSent(s);
            setTimeout(() => document.getElementById('portal-reset-code')?.focus(), 0);
          }}
          testPrefix="portal-reset"
        />
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="portal-reset-form" aria-label={tp('access.reset.heading')}>
          <Stack gap="md">
            <CodeSentNotice sent={sent} route="resetStart" onResent={setSent} onChangePhone={() => setSent(null)} testPrefix="portal-reset" />
            <TextInput size="lg" label={tp('access.phone')} value={sent.phone} readOnly data-testid="portal-reset-phone-shown" />
            <CodeInput
              value={code}
              onChange={(v) => {
                setCode(v);
                setErrors((x) => ({ ...x, code: undefined }));
              }}
              error={errors.code}
              testId="portal-reset-code"
            />
            <PasswordPair
              next={password}
              repeat={repeat}
              setNext={(v) => {
                setPassword(v);
                setErrors((x) => ({ ...x, newPassword: undefined }));
              }}
              setRepeat={(v) => {
                setRepeat(v);
                setErrors((x) => ({ ...x, repeat: undefined }));
              }}
              errors={{ next: errors.newPassword, repeat: errors.repeat }}
              testPrefix="portal-reset"
              nextLabel={tp('access.password.new')}
            />
            {error ? <ErrorAlert error={error} testId="portal-reset-error" /> : null}
            <Button type="submit" size="lg" fullWidth loading={busy} data-testid="portal-reset-submit">
              {tp('access.reset.submit')}
            </Button>
          </Stack>
        </form>
      )}
      <Button type="button" size="lg" variant="subtle" fullWidth onClick={onBack} data-testid="portal-reset-back">
        {tp('access.back')}
      </Button>
    </Stack>
  );
}
