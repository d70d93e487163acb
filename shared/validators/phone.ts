import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Validation } from './result.js';

/**
 * Russian mobile numbers in any common notation ("8 (912) 345-67-89", "+7 912 345 67 89",
 * "9123456789") → "+79123456789". The full metadata decides what is a mobile range: SMS
 * credentials cannot go to a landline.
 */
export function normalisePhone(input: string): string | null {
  const r = validatePhone(input);
  return r.ok ? r.value : null;
}

export function validatePhone(input: string): Validation<'PHONE_FORMAT' | 'PHONE_NOT_MOBILE'> {
  let digits = input.replace(/[^\d+]/g, '');
  // "8 912…" is the domestic trunk prefix; a bare ten digits is a number without any prefix.
  if (/^8\d{10}$/.test(digits)) digits = `+7${digits.slice(1)}`;
  else if (/^7\d{10}$/.test(digits)) digits = `+${digits}`;
  else if (/^\d{10}$/.test(digits)) digits = `+7${digits}`;
  const parsed = /^\+7\d{10}$/.test(digits) ? parsePhoneNumberFromString(digits, 'RU') : undefined;
  if (!parsed || !parsed.isValid()) {
    return { ok: false, code: 'PHONE_FORMAT', message: 'Телефон указан неверно: нужен российский мобильный номер, например +7 912 345-67-89.' };
  }
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
    return { ok: false, code: 'PHONE_NOT_MOBILE', message: 'Это не мобильный номер: для SMS с паролем нужен мобильный телефон.' };
  }
  return { ok: true, value: parsed.number };
}
