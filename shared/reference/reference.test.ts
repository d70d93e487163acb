import { describe, expect, it } from 'vitest';
import { CENTRES, findProfile, profileChecklist } from './centres.js';
import { findIcd10, icd10FitsProfile, normaliseIcd10 } from './icd10.js';
import { findRegion, REGIONS } from './regions.js';
import { REFERRAL_FIELD_KEYS, normaliseHeader } from '../referral/columns.js';

describe('reference data', () => {
  it('has the 89 subjects of the Russian Federation, unique by code and name', () => {
    expect(REGIONS).toHaveLength(89);
    expect(new Set(REGIONS.map((r) => r.code)).size).toBe(89);
    expect(new Set(REGIONS.map((r) => r.name)).size).toBe(89);
  });

  it('finds regions by code or by a loosely typed name', () => {
    expect(findRegion('16')?.name).toBe('Республика Татарстан');
    expect(findRegion('7')?.code).toBe('07');
    expect(findRegion('Москва')?.code).toBe('77');
    expect(findRegion('г. Санкт-Петербург')?.code).toBe('78');
    expect(findRegion('республика северная осетия - алания')?.code).toBe('15');
    expect(findRegion('Кемеровская область - Кузбасс')?.code).toBe('42');
    expect(findRegion('Атлантида')).toBeUndefined();
  });

  it('has both centres with non-empty checklists per profile', () => {
    expect(CENTRES.map((c) => c.code)).toEqual(['bakulev', 'kulakov']);
    expect(CENTRES[0].profiles).toHaveLength(7);
    expect(CENTRES[1].profiles).toHaveLength(6);
    for (const c of CENTRES) for (const p of c.profiles) expect(p.documents.some((d) => d.required)).toBe(true);
  });

  it('asks for the pregnancy card and fetal ultrasound only where they make sense', () => {
    const fetal = profileChecklist('kulakov', 'fetal_malformations').map((d) => d.type);
    expect(fetal).toEqual(expect.arrayContaining(['pregnancy_card', 'fetal_us']));
    const cardiac = profileChecklist('bakulev', 'ischemic_heart_disease').map((d) => d.type);
    expect(cardiac).not.toContain('pregnancy_card');
    expect(cardiac).toEqual(expect.arrayContaining(['ecg', 'echo']));
    expect(profileChecklist('bakulev', 'ischemic_heart_disease').find((d) => d.type === 'ct_mri')?.required).toBe(false);
    expect(findProfile('kulakov', 'fetal_malformations')?.needsPregnancyWeeks).toBe(true);
    expect(findProfile('bakulev', 'fetal_malformations')).toBeUndefined();
  });

  it('normalises МКБ-10 codes typed on either keyboard layout', () => {
    expect(normaliseIcd10('i21,0')).toBe('I21.0');
    expect(normaliseIcd10(' І21.0 ')).toBe('I21.0');
    expect(normaliseIcd10('С50')).toBe('C50'); // Cyrillic С
    expect(normaliseIcd10('O35.8')).toBe('O35.8');
    expect(normaliseIcd10('21.0')).toBeNull();
    expect(normaliseIcd10('I2')).toBeNull();
    expect(findIcd10('i25.1')?.name).toBe('Атеросклеротическая болезнь сердца');
    expect(findIcd10('I25.9')?.name).toBe('Хроническая ишемическая болезнь сердца');
    expect(icd10FitsProfile('I21.0', 'bakulev', 'ischemic_heart_disease')).toBe(true);
    expect(icd10FitsProfile('C50.1', 'bakulev', 'ischemic_heart_disease')).toBe(false);
  });

  it('keeps the referral columns in the programme order with stable keys', () => {
    expect(REFERRAL_FIELD_KEYS).toEqual([
      'lastName', 'firstName', 'middleName', 'sex', 'birthDate', 'snils', 'enp', 'phone', 'region',
      'referringOrganization', 'attendingPhysician', 'centre', 'profile', 'icd10', 'diagnosis',
      'complaints', 'urgency', 'pregnancyWeeks', 'note',
    ]);
    expect(normaliseHeader('Дата рожд.')).toBe('дата рожд');
    expect(normaliseHeader('  Ф.И.О.  пациента ')).toBe('ф и о пациента');
  });
});
