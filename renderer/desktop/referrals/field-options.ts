import { REFERRAL_COLUMNS, SEX_VALUES, URGENCY_VALUES, type ReferralFieldKey } from '../../../shared/referral/columns';
import { CENTRES } from '../../../shared/reference/centres';
import { REGIONS } from '../../../shared/reference/regions';

/**
 * The allowed values of the grid's list fields, as the physician types them (the same text the
 * XLSX template offers): the cell editor suggests them and a cell's message lists them.
 */

export const GRID_FIELDS: readonly ReferralFieldKey[] = REFERRAL_COLUMNS.map((c) => c.key);

const HEADERS = new Map<ReferralFieldKey, string>(REFERRAL_COLUMNS.map((c) => [c.key, c.header]));
export function fieldHeader(field: ReferralFieldKey): string {
  return HEADERS.get(field) ?? field;
}

export function isFieldKey(s: string): s is ReferralFieldKey {
  return HEADERS.has(s as ReferralFieldKey);
}

/** Column widths in pixels: long text fields get more room. */
export const FIELD_WIDTH: Record<ReferralFieldKey, number> = {
  lastName: 140,
  firstName: 120,
  middleName: 130,
  sex: 60,
  birthDate: 110,
  snils: 130,
  enp: 160,
  phone: 140,
  region: 200,
  referringOrganization: 240,
  attendingPhysician: 180,
  centre: 210,
  profile: 240,
  icd10: 90,
  diagnosis: 240,
  complaints: 220,
  urgency: 120,
  pregnancyWeeks: 90,
  note: 200,
};

function centreOf(text: string | undefined) {
  const t = (text ?? '').trim().toLowerCase();
  if (!t) return undefined;
  return CENTRES.find((c) => c.shortName.toLowerCase() === t || c.code === t || c.fullName.toLowerCase() === t)
    ?? CENTRES.find((c) => t.includes(c.code === 'bakulev' ? 'бакулев' : 'кулаков'));
}

/** Suggestions for a list field; the profile list follows the row's centre when it is known. */
export function fieldOptions(field: ReferralFieldKey, rowCentre?: string): readonly string[] | null {
  switch (field) {
    case 'sex':
      return Object.values(SEX_VALUES).map((v) => v.label);
    case 'urgency':
      return Object.values(URGENCY_VALUES).map((v) => v.label);
    case 'centre':
      return CENTRES.map((c) => c.shortName);
    case 'region':
      return REGIONS.map((r) => r.name);
    case 'profile': {
      const centre = centreOf(rowCentre);
      return (centre ? [centre] : CENTRES).flatMap((c) => c.profiles.map((p) => p.name));
    }
    default:
      return null;
  }
}

/** "Допустимые значения" for a message: short lists in full, the long region list not. */
export function allowedHint(field: ReferralFieldKey, rowCentre?: string): string | null {
  if (field === 'region') return null;
  const options = fieldOptions(field, rowCentre);
  return options ? options.join('; ') : null;
}
