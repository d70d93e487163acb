import type { Validation } from './result.js';

/** ЕНП (номер полиса ОМС единого образца): 16 digits, often typed in groups. */
export function normaliseEnp(input: string): string | null {
  const digits = input.replace(/[\s\-‐–—]/g, '');
  return /^\d{16}$/.test(digits) ? digits : null;
}

/**
 * The 16th digit is a control digit over the first 15 (ФФОМС, Приказ от 07.04.2011 № 79, приложение
 * «Алгоритм вычисления контрольного разряда ЕНП»): the digits in odd places counted from the right
 * form a number that is doubled, the digits in even places are appended, the digits of the result
 * are summed, and the control digit tops the sum up to a multiple of ten. Doubling the whole number
 * carries exactly where a digit is 5 or more, so this equals the Luhn check over all 16 digits —
 * which is how it is computed here (the test checks the two procedures agree).
 */
export function checkEnp(digits: string): boolean {
  if (!/^\d{16}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 16; i++) {
    let d = Number(digits[15 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function validateEnp(input: string): Validation<'ENP_FORMAT' | 'ENP_CHECKSUM'> {
  const digits = normaliseEnp(input);
  if (!digits) return { ok: false, code: 'ENP_FORMAT', message: 'Номер полиса ОМС (ЕНП) должен содержать 16 цифр.' };
  if (!checkEnp(digits)) {
    return { ok: false, code: 'ENP_CHECKSUM', message: 'Контрольная цифра номера полиса ОМС не сходится: проверьте номер по полису.' };
  }
  return { ok: true, value: digits };
}
