import { describe, expect, it } from 'vitest';
import { REQUEST_SOURCES, REQUEST_STATUSES } from '../../shared/domain/requests';
import { ROLES } from '../../shared/domain/roles';
import { PATIENT_STAGES, SEX } from '../../shared/domain/patients';
import { BATCH_STATUSES } from '../../shared/domain/referrals';
import { SYNC_STATES } from '../../shared/rpc/contract';
import { hasMessage, t } from './index';
import { formatDate, formatSnils } from './format';

describe('i18n', () => {
  it('interpolates parameters', () => {
    expect(t('sync.rejected', { summary: 'Новый пациент Иванов И. И.', reason: 'Дубликат.' })).toBe(
      'Изменение отклонено сервером: Новый пациент Иванов И. И. — Дубликат.',
    );
  });

  it('picks the Russian plural form', () => {
    expect(t('sync.pending', { count: 1 })).toBe('1 изменение ожидает отправки');
    expect(t('sync.pending', { count: 3 })).toBe('3 изменения ожидают отправки');
    expect(t('sync.pending', { count: 5 })).toBe('5 изменений ожидают отправки');
    expect(t('sync.pending', { count: 21 })).toBe('21 изменение ожидает отправки');
  });

  it('has a label for every domain value the UI shows', () => {
    const keys = [
      ...REQUEST_STATUSES.map((s) => `status.${s}`),
      ...REQUEST_SOURCES.map((s) => `source.${s}`),
      ...SEX.map((s) => `sex.${s}`),
      ...ROLES.map((r) => `role.${r}`),
      ...SYNC_STATES.map((s) => `sync.state.${s}`),
      ...PATIENT_STAGES.map((s) => `stage.${s}`),
      ...BATCH_STATUSES.map((s) => `batchStatus.${s}`),
    ];
    expect(keys.filter((k) => !hasMessage(k))).toEqual([]);
  });

  it('formats dates and СНИЛС the Russian way', () => {
    expect(formatDate('1980-02-01')).toBe('01.02.1980');
    expect(formatSnils('11223344595')).toBe('112-233-445 95');
  });
});
