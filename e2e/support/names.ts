import crypto from 'node:crypto';

const LETTERS = 'абвгдежзиклмнопрстуфхцчшэюя';

/** A surname no demo patient has, so a test finds exactly its own row. */
export function uniqueSurname(stem = 'Проверкин'): string {
  const bytes = crypto.randomBytes(6);
  return stem + Array.from(bytes, (b) => LETTERS[b % LETTERS.length]).join('');
}
