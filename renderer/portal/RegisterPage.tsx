import { Button, Group, Radio, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
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

type Field = 'code' | 'lastName' | 'firstName' | 'middleName' | 'sex' | 'birthDate' | 'password' | 'repeat';
const ORDER: readonly Field[] = ['code', 'lastName', 'firstName', 'middleName', 'sex', 'birthDate', 'password', 'repeat'];
const fieldId = (f: Field) => (f === 'sex' ? 'portal-register-sex-male' : `portal-register-${f}`);

/** Today in the patient's time zone, as YYYY-MM-DD (the birth date's upper bound). */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Self-registration: phone → SMS code → code, name, sex, birth date and a password → signed in.
 * The server never says whether a number already has an account until the code is confirmed.
 */
export function RegisterPage({ onRegistered, onBack }: { onRegistered: (s: ApiResponse<'registerConfirm'>) => void; onBack: () => void }) {
  const [sent, setSent] = useState<CodeSent | null>(null);
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [lastName, setLastName] = useState('');
  const [firstName, setFirstName] = useState('');
  const [middleName, setMiddleName] = useState('');
  const [sex, setSex] = useState<'male' | 'female' | ''>('');
  const [birthDate, setBirthDate] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<AccessError | null>(null);
  const [busy, setBusy] = useState(false);

  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));
  const focusFirst = (e: Partial<Record<Field, string>>) => {
    const first = ORDER.find((f) => e[f]);
    if (first) document.getElementById(fieldId(first))?.focus();
    return !!first;
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !sent) return;
    const errs: Partial<Record<Field, string>> = {};
    if (!validCode(code)) errs.code = tp('access.code.invalid');
    if (!lastName.trim()) errs.lastName = tp('access.register.required');
    if (!firstName.trim()) errs.firstName = tp('access.register.required');
    if (!sex) errs.sex = tp('access.register.sex.required');
    if (!birthDate) errs.birthDate = tp('access.register.required');
    Object.assign(errs, Object.fromEntries(Object.entries(checkPasswordPair(password, repeat)).map(([k, v]) => [k === 'next' ? 'password' : k, v])));
    setErrors(errs);
    if (focusFirst(errs)) return;
    setBusy(true);
    setError(null);
    try {
      const session = await call('registerConfirm', {
        body: {
          phone: sent.phone,
          code,
          lastName: lastName.trim(),
          firstName: firstName.trim(),
          middleName: middleName.trim() || null,
          sex: sex as 'male' | 'female',
          birthDate,
          password,
        },
      });
      onRegistered(session);
    } catch (err) {
      setBusy(false);
      const d = describeAccessError(err);
      const fieldErrs: Partial<Record<Field, string>> = {};
      for (const f of ORDER) if (d.fields[f]) fieldErrs[f] = d.fields[f];
      if (Object.keys(fieldErrs).length > 0) {
        setErrors(fieldErrs);
        focusFirst(fieldErrs);
      }
      setError(d);
    }
  }

  return (
    <Stack gap="lg" data-testid="portal-register">
      <PageHeading title={tp('access.register.heading')} testId="portal-register-heading" />
      {!sent ? (
        <PhoneStep
          route="registerStart"
          lead={tp('access.register.lead')}
          initialPhone={phone}
          onSent={(s) => {
            setPhone(s.phone);
            setSent(s);
            setTimeout(() => document.getElementById('portal-register-code')?.focus(), 0);
          }}
          testPrefix="portal-register"
        />
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="portal-register-form" aria-label={tp('access.register.heading')}>
          <Stack gap="md">
            <CodeSentNotice sent={sent} route="registerStart" onResent={setSent} onChangePhone={() => setSent(null)} testPrefix="portal-register" />
            <TextInput size="lg" label={tp('access.phone')} value={sent.phone} readOnly data-testid="portal-register-phone-shown" />
            <CodeInput
              value={code}
              onChange={(v) => {
                setCode(v);
                clear('code');
              }}
              error={errors.code}
              testId="portal-register-code"
            />
            <TextInput
              id="portal-register-lastName"
              data-testid="portal-register-lastName"
              size="lg"
              label={tp('access.register.lastName')}
              value={lastName}
              onChange={(e) => {
                setLastName(e.currentTarget.value);
                clear('lastName');
              }}
              error={errors.lastName}
              autoComplete="family-name"
              required
            />
            <TextInput
              id="portal-register-firstName"
              data-testid="portal-register-firstName"
              size="lg"
              label={tp('access.register.firstName')}
              value={firstName}
              onChange={(e) => {
                setFirstName(e.currentTarget.value);
                clear('firstName');
              }}
              error={errors.firstName}
              autoComplete="given-name"
              required
            />
            <TextInput
              id="portal-register-middleName"
              data-testid="portal-register-middleName"
              size="lg"
              label={tp('access.register.middleName')}
              value={middleName}
              onChange={(e) => {
                setMiddleName(e.currentTarget.value);
                clear('middleName');
              }}
              error={errors.middleName}
              autoComplete="additional-name"
            />
            <Radio.Group
              label={tp('access.register.sex')}
              size="lg"
              value={sex}
              onChange={(v) => {
                setSex(v as 'male' | 'female');
                clear('sex');
              }}
              error={errors.sex}
              withAsterisk
              data-testid="portal-register-sex"
            >
              <Group gap="md" mt="xs">
                <Radio id="portal-register-sex-male" data-testid="portal-register-sex-male" value="male" label={tp('access.register.sex.male')} size="lg" styles={{ body: { minHeight: 44, alignItems: 'center' } }} />
                <Radio id="portal-register-sex-female" data-testid="portal-register-sex-female" value="female" label={tp('access.register.sex.female')} size="lg" styles={{ body: { minHeight: 44, alignItems: 'center' } }} />
              </Group>
            </Radio.Group>
            <TextInput
              id="portal-register-birthDate"
              data-testid="portal-register-birthDate"
              size="lg"
              type="date"
              label={tp('access.register.birthDate')}
              value={birthDate}
              min="1900-01-01"
              max={today()}
              onChange={(e) => {
                setBirthDate(e.currentTarget.value);
                clear('birthDate');
              }}
              error={errors.birthDate}
              autoComplete="bday"
              required
            />
            <PasswordPair
              next={password}
              repeat={repeat}
              setNext={(v) => {
                setPassword(v);
                clear('password');
              }}
              setRepeat={(v) => {
                setRepeat(v);
                clear('repeat');
              }}
              errors={{ next: errors.password, repeat: errors.repeat }}
              testPrefix="portal-register"
              nextLabel={tp('access.password')}
            />
            {error ? <ErrorAlert error={error} testId="portal-register-error" /> : null}
            <Button type="submit" size="lg" fullWidth loading={busy} data-testid="portal-register-submit">
              {tp('access.register.submit')}
            </Button>
          </Stack>
        </form>
      )}
      <Button type="button" size="lg" variant="subtle" fullWidth onClick={onBack} data-testid="portal-register-back">
        {tp('access.back')}
      </Button>
    </Stack>
  );
}
