import { makeEnp, makeSnils } from '../server/demo/seed.js';

/**
 * Valid СНИЛС and ЕНП that are unique by construction, from a counter: random ones collide at
 * benchmark volumes (10^8 СНИЛС bodies: two thousand random patients collide about once in fifty
 * runs, and the unique index then fails the benchmark).
 */
function digitsOf(n: number, width: number): () => number {
  const s = String(n).padStart(width, '0');
  let i = 0;
  return () => (Number(s[i++ % width]) + 0.5) / 10;
}

export const uniqueSnils = (serial: number): string => makeSnils(digitsOf(serial, 8));
export const uniqueEnp = (serial: number): string => makeEnp(digitsOf(serial, 14));
