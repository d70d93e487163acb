/**
 * The referral table (DOMAIN.md "The referral table"): one spec used by the XLSX template, the
 * grid, import and export. Field keys are stable; headers are what the programme's table says;
 * synonyms are the header variants people actually type.
 */
export type ColumnKind = 'text' | 'date' | 'enum' | 'snils' | 'enp' | 'phone' | 'icd10' | 'integer';

export interface ReferralColumn {
  key: string;
  header: string;
  /** Required in every row. pregnancyWeeks is required only for profiles with
   * needsPregnancyWeeks: the row validator enforces that, not this flag. */
  required: boolean;
  kind: ColumnKind;
  maxLength?: number;
  synonyms: readonly string[];
}

/** The "№" column numbers the rows; it is not a field. */
export const ROW_NUMBER_COLUMN = { header: '№', synonyms: ['№', 'N', 'No', '№ п/п', 'п/п', 'Номер'] } as const;

/** A single "full name" column that import splits into surname, name and patronymic. */
export const FULL_NAME_SYNONYMS = ['ФИО', 'Ф.И.О.', 'Ф.И.О. пациента', 'ФИО пациента', 'Фамилия Имя Отчество', 'Пациент'] as const;

export const REFERRAL_COLUMNS = [
  { key: 'lastName', header: 'Фамилия', required: true, kind: 'text', maxLength: 100, synonyms: ['Фамилия пациента', 'Фам.'] },
  { key: 'firstName', header: 'Имя', required: true, kind: 'text', maxLength: 100, synonyms: ['Имя пациента'] },
  { key: 'middleName', header: 'Отчество', required: false, kind: 'text', maxLength: 100, synonyms: ['Отчество пациента', 'Отч.'] },
  { key: 'sex', header: 'Пол', required: true, kind: 'enum', synonyms: ['Пол (м/ж)', 'М/Ж'] },
  { key: 'birthDate', header: 'Дата рождения', required: true, kind: 'date', synonyms: ['Дата рожд.', 'Д.р.', 'ДР', 'Дата рождения пациента', 'Год рождения'] },
  { key: 'snils', header: 'СНИЛС', required: true, kind: 'snils', synonyms: ['СНИЛС пациента', 'Страховой номер'] },
  { key: 'enp', header: 'Полис ОМС (ЕНП)', required: false, kind: 'enp', synonyms: ['Полис ОМС', 'ЕНП', 'Полис', '№ полиса ОМС', 'Номер полиса'] },
  { key: 'phone', header: 'Телефон для SMS', required: true, kind: 'phone', synonyms: ['Телефон', 'Моб. телефон', 'Мобильный телефон', 'Контактный телефон', 'Тел.'] },
  { key: 'region', header: 'Регион (субъект РФ)', required: true, kind: 'enum', synonyms: ['Регион', 'Субъект РФ', 'Субъект'] },
  { key: 'referringOrganization', header: 'Направившая медицинская организация', required: true, kind: 'text', maxLength: 300, synonyms: ['Медицинская организация', 'МО', 'Направившая МО', 'Учреждение'] },
  { key: 'attendingPhysician', header: 'Лечащий врач', required: true, kind: 'text', maxLength: 200, synonyms: ['Врач', 'ФИО врача', 'Направивший врач'] },
  { key: 'centre', header: 'Центр', required: true, kind: 'enum', synonyms: ['НМИЦ', 'Центр консультации', 'Федеральный центр'] },
  { key: 'profile', header: 'Профиль', required: true, kind: 'enum', synonyms: ['Профиль заболевания', 'Группа заболеваний', 'Нозология'] },
  { key: 'icd10', header: 'Диагноз (код МКБ-10)', required: true, kind: 'icd10', synonyms: ['Код МКБ-10', 'МКБ-10', 'МКБ', 'Код диагноза', 'Шифр МКБ'] },
  { key: 'diagnosis', header: 'Диагноз (текст)', required: true, kind: 'text', maxLength: 1000, synonyms: ['Диагноз', 'Основной диагноз'] },
  { key: 'complaints', header: 'Жалобы кратко', required: false, kind: 'text', maxLength: 2000, synonyms: ['Жалобы', 'Краткие жалобы'] },
  { key: 'urgency', header: 'Срочность (плановая / неотложная)', required: true, kind: 'enum', synonyms: ['Срочность', 'Форма', 'Плановая/неотложная'] },
  { key: 'pregnancyWeeks', header: 'Срок беременности, нед.', required: false, kind: 'integer', synonyms: ['Срок беременности', 'Срок, нед.', 'Неделя беременности'] },
  { key: 'note', header: 'Примечание', required: false, kind: 'text', maxLength: 2000, synonyms: ['Примечания', 'Комментарий'] },
] as const satisfies readonly ReferralColumn[];

export type ReferralFieldKey = (typeof REFERRAL_COLUMNS)[number]['key'];
export const REFERRAL_FIELD_KEYS = REFERRAL_COLUMNS.map((c) => c.key) as ReferralFieldKey[];

export const SEX_VALUES = {
  male: { label: 'м', synonyms: ['м', 'муж', 'мужской', 'm', 'male'] },
  female: { label: 'ж', synonyms: ['ж', 'жен', 'женский', 'f', 'female'] },
} as const;

export const URGENCY_VALUES = {
  planned: { label: 'плановая', synonyms: ['плановая', 'планово', 'план'] },
  urgent: { label: 'неотложная', synonyms: ['неотложная', 'срочная', 'срочно'] },
} as const;

/** For matching headers: lowercase, ё→е, punctuation and extra spaces gone. */
export function normaliseHeader(s: string): string {
  return s
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
