import type { Patient } from '../../../shared/domain/patients.js';

/**
 * Search is done on one precomputed, folded text column: SQLite's lower() and LIKE fold ASCII
 * only, so Cyrillic is folded here (lower case, ё → е) on both the stored text and the query.
 */
function fold(s: string): string {
  return s.toLowerCase().replace(/ё/g, 'е');
}

export function patientSearchText(p: Pick<Patient, 'lastName' | 'firstName' | 'middleName' | 'snils' | 'enp' | 'phone'>): string {
  const digits = (s: string | null) => (s ? s.replace(/\D/g, '') : '');
  return fold([p.lastName, p.firstName, p.middleName ?? '', digits(p.snils), digits(p.enp), digits(p.phone)].join(' '));
}

/** A LIKE pattern (escape character `\`) for what the user typed: a name part, СНИЛС, phone. */
export function searchPattern(q: string): string | null {
  const trimmed = q.trim();
  if (!trimmed) return null;
  let needle: string;
  if (/^[\d\s()+\-‐–—]+$/.test(trimmed)) {
    // Numbers are typed with any punctuation; stored digits only. "8 916…" is the domestic prefix.
    needle = trimmed.replace(/\D/g, '');
    if (/^8\d{10}$/.test(needle)) needle = `7${needle.slice(1)}`;
    if (!needle) return null;
  } else {
    needle = fold(trimmed.replace(/\s+/g, ' '));
  }
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
