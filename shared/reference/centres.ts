/**
 * The programme's centres, their profiles (disease groups a patient is selected for) and the
 * document checklist per profile (DOMAIN.md; seeds/000_*.txt "Необходимая медицинская
 * документация"). КТ/МРТ is "при наличии" everywhere, so never required. The exchange card and
 * fetal ultrasound only make sense for pregnancy and fetal profiles.
 */
export const DOCUMENT_TYPES = {
  discharge_summary: 'Выписки из истории болезни (из стационаров)',
  ecg: 'ЭКГ',
  echo: 'ЭхоКГ',
  ct_mri: 'КТ/МРТ',
  pregnancy_card: 'Обменная карта беременной',
  pelvic_us: 'УЗИ органов малого таза',
  fetal_us: 'УЗИ плода',
  other: 'Другое',
} as const;
export type DocumentTypeCode = keyof typeof DOCUMENT_TYPES;

export interface ProfileDocument {
  type: DocumentTypeCode;
  required: boolean;
}

export interface Profile {
  code: string;
  name: string;
  documents: readonly ProfileDocument[];
  needsPregnancyWeeks: boolean;
  /** ICD-10 code prefixes that fit the profile (a hint for validation, not a hard list). */
  icd10Prefixes: readonly string[];
}

export interface Centre {
  code: 'bakulev' | 'kulakov';
  shortName: string;
  fullName: string;
  profiles: readonly Profile[];
}

const req = (type: DocumentTypeCode): ProfileDocument => ({ type, required: true });
const opt = (type: DocumentTypeCode): ProfileDocument => ({ type, required: false });

const CARDIAC_DOCS = [req('discharge_summary'), req('ecg'), req('echo'), opt('ct_mri')];
const FETAL_DOCS = [req('discharge_summary'), req('pregnancy_card'), req('pelvic_us'), req('fetal_us'), opt('ct_mri')];
const GYN_DOCS = [req('discharge_summary'), req('pelvic_us'), opt('ct_mri')];

export const CENTRES = [
  {
    code: 'bakulev',
    shortName: 'НМИЦ ССХ им. А.Н. Бакулева',
    fullName: 'ФГБУ «Национальный медицинский исследовательский центр сердечно-сосудистой хирургии имени А.Н. Бакулева» Минздрава России',
    profiles: [
      { code: 'congenital_heart_defects', name: 'Врождённые пороки сердца', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['Q20', 'Q21', 'Q22', 'Q23', 'Q24', 'Q25', 'Q26'] },
      { code: 'acquired_heart_defects', name: 'Приобретённые пороки сердца', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['I05', 'I06', 'I07', 'I08', 'I09', 'I34', 'I35', 'I36', 'I37', 'I38'] },
      { code: 'ischemic_heart_disease', name: 'Ишемическая болезнь сердца', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['I20', 'I21', 'I22', 'I23', 'I24', 'I25'] },
      { code: 'cardiomyopathies', name: 'Кардиомиопатии', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['I42', 'I43', 'I51'] },
      { code: 'rhythm_disorders', name: 'Нарушения ритма сердца', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['I44', 'I45', 'I46', 'I47', 'I48', 'I49'] },
      { code: 'combined_pathology', name: 'Сочетанная патология', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['I', 'Q2'] },
      { code: 'vascular_pathology', name: 'Сосудистая патология у взрослых и детей (артериальная и венозная)', documents: CARDIAC_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['I65', 'I66', 'I67', 'I70', 'I71', 'I72', 'I73', 'I74', 'I77', 'I80', 'I82', 'I83', 'I87', 'Q27', 'Q28'] },
    ],
  },
  {
    code: 'kulakov',
    shortName: 'НМИЦ АГП им. В.И. Кулакова',
    fullName: 'ФГБУ «Национальный медицинский исследовательский центр акушерства, гинекологии и перинатологии имени академика В.И. Кулакова» Минздрава России',
    profiles: [
      { code: 'fetal_malformations', name: 'Врождённые пороки развития у плода', documents: FETAL_DOCS, needsPregnancyWeeks: true, icd10Prefixes: ['O35', 'O28'] },
      { code: 'fetal_arrhythmias', name: 'Аритмии у плода', documents: FETAL_DOCS, needsPregnancyWeeks: true, icd10Prefixes: ['O36', 'O35'] },
      { code: 'pregnancy_oncology', name: 'Онкологические заболевания во время беременности', documents: [req('discharge_summary'), req('pregnancy_card'), req('pelvic_us'), opt('fetal_us'), opt('ct_mri')], needsPregnancyWeeks: true, icd10Prefixes: ['C', 'D0', 'O99'] },
      { code: 'female_genital_oncology', name: 'Онкологические заболевания женских половых органов', documents: GYN_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['C51', 'C52', 'C53', 'C54', 'C55', 'C56', 'C57', 'C58', 'D06', 'D07', 'D25', 'D26', 'D27', 'D39'] },
      { code: 'breast_pathology', name: 'Патология молочной железы', documents: [req('discharge_summary'), opt('ct_mri')], needsPregnancyWeeks: false, icd10Prefixes: ['C50', 'D05', 'D24', 'N60', 'N61', 'N62', 'N63', 'N64'] },
      { code: 'uterine_vaginal_malformations', name: 'Пороки развития матки и влагалища', documents: GYN_DOCS, needsPregnancyWeeks: false, icd10Prefixes: ['Q50', 'Q51', 'Q52'] },
    ],
  },
] as const satisfies readonly Centre[];

export type CentreCode = (typeof CENTRES)[number]['code'];
export const CENTRE_CODES = ['bakulev', 'kulakov'] as const satisfies readonly CentreCode[];

export function findCentre(code: string): Centre | undefined {
  return CENTRES.find((c) => c.code === code);
}

export function findProfile(centreCode: string, profileCode: string): Profile | undefined {
  return findCentre(centreCode)?.profiles.find((p) => p.code === profileCode);
}

export function allProfiles(): { centre: CentreCode; profile: Profile }[] {
  return CENTRES.flatMap((c) => c.profiles.map((profile) => ({ centre: c.code, profile })));
}

export function profileChecklist(centreCode: string, profileCode: string): readonly ProfileDocument[] {
  return findProfile(centreCode, profileCode)?.documents ?? [];
}
