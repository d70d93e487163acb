import { Alert, Button, Group, Modal, Radio, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Sex } from '../../../shared/domain/patients';
import type { RpcInput } from '../../../shared/rpc/contract';
import { RpcError } from '../../../shared/rpc/messages';
import { REGIONS } from '../../../shared/reference/regions';
import { t } from '../../i18n';
import { fullName } from '../../i18n/format';
import { useRpc } from '../../rpc/context';
import { notifyError, notifySuccess } from '../notify';

type Field = 'lastName' | 'firstName' | 'middleName' | 'sex' | 'birthDate' | 'snils' | 'enp' | 'phone' | 'region';
const FIELDS: readonly Field[] = ['lastName', 'firstName', 'middleName', 'sex', 'birthDate', 'snils', 'enp', 'phone', 'region'];
const REQUIRED: readonly Field[] = ['lastName', 'firstName', 'sex', 'birthDate'];
type Values = Record<Field, string>;
const EMPTY: Values = { lastName: '', firstName: '', middleName: '', sex: '', birthDate: '', snils: '', enp: '', phone: '', region: '' };

const REGION_OPTIONS = REGIONS.map((r) => ({ value: r.code, label: r.name }));
const today = () => new Date().toISOString().slice(0, 10);

/**
 * «Добавить пациента»: the services check everything (СНИЛС and ЕНП checksums, phone, region)
 * and answer VALIDATION_FAILED with a message per field; this form only insists on the required
 * fields so an empty submit is caught before a round trip.
 */
export function AddPatientModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: () => void }) {
  const rpc = useRpc();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setValue = (field: Field, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const input = (field: Field) => ({
    id: `add-patient-${field}`,
    value: values[field],
    onChange: (e: { currentTarget: HTMLInputElement }) => setValue(field, e.currentTarget.value),
    error: errors[field],
    'data-testid': `add-patient-${field}`,
  });

  const close = () => {
    if (busy) return;
    setValues(EMPTY);
    setErrors({});
    setFormError(null);
    onClose();
  };

  const focus = (field: Field) => {
    const el = document.getElementById(`add-patient-${field}`) ?? document.querySelector<HTMLElement>(`[data-testid="add-patient-${field}"] input`);
    el?.focus();
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const missing: Partial<Record<Field, string>> = {};
    for (const f of REQUIRED) if (!values[f].trim()) missing[f] = t('addPatient.required');
    const first = FIELDS.find((f) => missing[f]);
    if (first) {
      setErrors(missing);
      setFormError(t('addPatient.fixErrors'));
      focus(first);
      return;
    }
    const opt = (s: string) => (s.trim() ? s.trim() : null);
    const params: RpcInput<'patients.create'> = {
      lastName: values.lastName.trim(),
      firstName: values.firstName.trim(),
      middleName: opt(values.middleName),
      sex: values.sex as Sex,
      birthDate: values.birthDate,
      snils: opt(values.snils),
      enp: opt(values.enp),
      phone: opt(values.phone),
      region: opt(values.region),
    };
    setBusy(true);
    setFormError(null);
    try {
      const row = await rpc.call('patients.create', params);
      notifySuccess(t('addPatient.created', { name: fullName(row.patient) }));
      setBusy(false);
      setValues(EMPTY);
      setErrors({});
      onCreated();
      onClose();
    } catch (err) {
      setBusy(false);
      if (err instanceof RpcError && err.code === 'VALIDATION_FAILED' && err.issues?.length) {
        const byField: Partial<Record<Field, string>> = {};
        const other: string[] = [];
        for (const issue of err.issues) {
          const f = FIELDS.find((x) => x === issue.path.split('.')[0]);
          if (f) byField[f] ??= issue.message;
          else other.push(issue.message);
        }
        setErrors(byField);
        setFormError([err.message, ...other].join(' '));
        const firstBad = FIELDS.find((f) => byField[f]);
        if (firstBad) focus(firstBad);
      } else if (err instanceof RpcError) {
        // DUPLICATE_PATIENT and the like: say it in the form, where the user is looking.
        setFormError(err.message);
      } else {
        notifyError(err);
      }
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={t('addPatient.title')} size="lg" closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit} noValidate data-testid="add-patient-form">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput {...input('lastName')} label={t('addPatient.lastName')} required autoComplete="off" data-autofocus />
            <TextInput {...input('firstName')} label={t('addPatient.firstName')} required autoComplete="off" />
            <TextInput {...input('middleName')} label={t('addPatient.middleName')} description={t('addPatient.middleName.hint')} autoComplete="off" />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Radio.Group
              id="add-patient-sex"
              label={t('addPatient.sex')}
              value={values.sex}
              onChange={(v) => setValue('sex', v)}
              error={errors.sex}
              required
              data-testid="add-patient-sex"
            >
              <Group mt={6}>
                <Radio value="male" label={t('sex.male')} data-testid="add-patient-sex-male" />
                <Radio value="female" label={t('sex.female')} data-testid="add-patient-sex-female" />
              </Group>
            </Radio.Group>
            <TextInput {...input('birthDate')} type="date" max={today()} min="1900-01-01" label={t('addPatient.birthDate')} required />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput {...input('snils')} label={t('addPatient.snils')} placeholder={t('addPatient.snils.placeholder')} inputMode="numeric" autoComplete="off" />
            <TextInput {...input('enp')} label={t('addPatient.enp')} placeholder={t('addPatient.enp.placeholder')} inputMode="numeric" autoComplete="off" />
            <TextInput {...input('phone')} type="tel" label={t('addPatient.phone')} placeholder={t('addPatient.phone.placeholder')} autoComplete="off" />
          </SimpleGrid>
          <Select
            id="add-patient-region"
            label={t('addPatient.region')}
            placeholder={t('addPatient.region.placeholder')}
            nothingFoundMessage={t('addPatient.region.nothingFound')}
            data={REGION_OPTIONS}
            value={values.region || null}
            onChange={(v) => setValue('region', v ?? '')}
            error={errors.region}
            searchable
            clearable
            data-testid="add-patient-region"
          />
          {formError && (
            <Alert color="red" role="alert" data-testid="add-patient-error">
              {formError}
            </Alert>
          )}
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy} data-testid="add-patient-submit">
              {t('addPatient.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
