import { DOCUMENT_TYPES, profileChecklist, type DocumentTypeCode } from '../../../shared/reference/centres';
import { LOCALE, t } from '../../i18n';

/** Document types and sizes as people read them; the checklist of a request's profile. */

export const DOCUMENT_TYPE_CODES = Object.keys(DOCUMENT_TYPES) as DocumentTypeCode[];

export function documentTypeLabel(code: string): string {
  return Object.hasOwn(DOCUMENT_TYPES, code) ? DOCUMENT_TYPES[code as DocumentTypeCode] : code;
}

export interface ChecklistItem {
  type: DocumentTypeCode;
  required: boolean;
  present: boolean;
}

/** The profile's checklist with each item marked present when a document of that type is attached. */
export function checklistFor(centre: string, profile: string, presentTypes: ReadonlySet<string>): ChecklistItem[] {
  return profileChecklist(centre, profile).map((d) => ({ type: d.type, required: d.required, present: presentTypes.has(d.type) }));
}

export interface TypeGroup {
  group: string;
  items: { value: DocumentTypeCode; label: string }[];
}

/** The type choices: the checklist's types first (required before optional), then every other type. */
export function typeOptions(checklist: readonly ChecklistItem[]): TypeGroup[] | { value: DocumentTypeCode; label: string }[] {
  const all = DOCUMENT_TYPE_CODES.map((value) => ({ value, label: documentTypeLabel(value) }));
  if (checklist.length === 0) return all;
  const listed = [...checklist].sort((a, b) => Number(b.required) - Number(a.required)).map((c) => c.type);
  return [
    { group: t('documents.attach.type.groupChecklist'), items: listed.map((value) => ({ value, label: documentTypeLabel(value) })) },
    { group: t('documents.attach.type.groupOther'), items: all.filter((o) => !listed.includes(o.value)) },
  ];
}

const oneDecimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/** 512 Б, 12 КБ, 3,4 МБ. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return t('documents.size.bytes', { value: whole.format(bytes) });
  if (bytes < 1024 * 1024) return t('documents.size.kb', { value: whole.format(Math.max(1, Math.round(bytes / 1024))) });
  return t('documents.size.mb', { value: oneDecimal.format(bytes / (1024 * 1024)) });
}
