import type { Validation } from './result.js';

/** СНИЛС: 11 digits, typed as "112-233-445 95", "11223344595" or with spaces. */
export function normaliseSnils(input: string): string | null {
  const digits = input.replace(/[\s\-‐–—]/g, '');
  return /^\d{11}$/.test(digits) ? digits : null;
}

/**
 * The Pension Fund checksum: the first nine digits weighted 9…1; a sum under 100 is the check
 * number itself, 100 and 101 give 00, larger sums are taken mod 101 first. Numbers up to
 * 001-001-998 were issued before the checksum existed and carry none.
 */
export function checkSnils(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const body = digits.slice(0, 9);
  if (Number(body) <= 1001998) return true;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (9 - i);
  let check = sum % 101;
  if (check === 100) check = 0;
  return check === Number(digits.slice(9));
}

export function validateSnils(input: string): Validation<'SNILS_FORMAT' | 'SNILS_CHECKSUM'> {
  const digits = normaliseSnils(input);
  if (!digits) return { ok: false, code: 'SNILS_FORMAT', message: 'СНИЛС должен содержать 11 цифр, например 112-233-445 95.' };
  if (!checkSnils(digits)) {
    return { ok: false, code: 'SNILS_CHECKSUM', message: 'Контрольное число СНИЛС не сходится: проверьте цифры по документу.' };
  }
  return { ok: true, value: digits };
}
