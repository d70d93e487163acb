import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Turns a zod failure into VALIDATION_FAILED with a Russian message per field. */
export function validationError(error: z.ZodError): AppError {
  const issues = error.issues.slice(0, 50).map((i) => ({
    path: i.path.map(String).join('.') || '(тело запроса)',
    message: russianIssue(i),
  }));
  const first = issues[0];
  const summary = first
    ? `Проверьте поле «${first.path}»: ${first.message}${issues.length > 1 ? ` (и ещё ${issues.length - 1})` : ''}`
    : 'Запрос не прошёл проверку.';
  return new AppError('VALIDATION_FAILED', summary, issues);
}

export function russianIssue(i: z.core.$ZodIssue): string {
  switch (i.code) {
    case 'custom':
      return i.message;
    case 'invalid_type':
      return i.input === undefined ? 'обязательное поле не заполнено' : `неверный тип значения (ожидается ${i.expected})`;
    case 'unrecognized_keys':
      return `неизвестные поля: ${i.keys.join(', ')}`;
    case 'too_small':
      return i.origin === 'string' ? `слишком короткое значение (минимум ${String(i.minimum)})` : `значение меньше допустимого (${String(i.minimum)})`;
    case 'too_big':
      return i.origin === 'string' ? `слишком длинное значение (максимум ${String(i.maximum)})` : `значение больше допустимого (${String(i.maximum)})`;
    case 'invalid_format':
      return `неверный формат (${i.format})`;
    case 'invalid_value':
      return `недопустимое значение; допустимы: ${i.values.map(String).join(', ')}`;
    default:
      return i.message;
  }
}
