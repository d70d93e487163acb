import { z } from 'zod';
import { validateEnp, validatePhone, validateSnils } from '../validators/index.js';
import { findRegion } from '../reference/index.js';

/**
 * Zod fields that normalise what people type (СНИЛС with dashes, phones in any notation) into
 * the one stored form, and reject with the validator's Russian message otherwise. Used by every
 * boundary that accepts patient identity: HTTP, sync push, import.
 */
type Validated = { ok: true; value: string } | { ok: false; message: string };

function normalisedBy(validate: (input: string) => Validated, maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .transform((raw, ctx) => {
      const result = validate(raw);
      if (!result.ok) {
        ctx.addIssue({ code: 'custom', message: result.message });
        return z.NEVER;
      }
      return result.value;
    });
}

export const SnilsField = normalisedBy(validateSnils, 32);
export const EnpField = normalisedBy(validateEnp, 40);
export const PhoneField = normalisedBy(validatePhone, 40);

export const RegionField = z
  .string()
  .max(200)
  .transform((raw, ctx) => {
    const region = findRegion(raw);
    if (!region) {
      ctx.addIssue({ code: 'custom', message: 'Регион не найден в справочнике субъектов РФ: выберите его из списка.' });
      return z.NEVER;
    }
    return region.code;
  });

/** Free text from people: trimmed, bounded, no control characters other than line breaks. */
export function text(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .transform((s) => s.trim())
    // Control characters are exactly what this check is for.
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), {
      message: 'Текст содержит управляющие символы: уберите их.',
    });
}

/** A human name part: letters, spaces, hyphens, apostrophes (Cyrillic and Latin). */
export function namePart(maxLength = 100) {
  return z
    .string()
    .trim()
    .min(1, 'Поле обязательно.')
    .max(maxLength)
    .regex(/^[\p{L}][\p{L}\s'’.-]*$/u, 'Допустимы только буквы, пробел, дефис и апостроф.');
}
