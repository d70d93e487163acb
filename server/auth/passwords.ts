import crypto from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

/**
 * Two kinds of secrets:
 * - passwords people choose: argon2id (the library default), slow on purpose;
 * - one-time credentials the service generates for SMS (bulk import of tens of thousands of
 *   patients): 16 characters from a 31-letter alphabet (≈79 bits) drawn with crypto.randomInt,
 *   so a salted SHA-256 is enough and import stays fast. Stored as `s256$<salt>$<hash>` with kind
 *   `one_time`; the first successful sign-in turns the kind into `one_time_used`, which sign-in
 *   never accepts again: it only proves the current password to the forced password change,
 *   which stores an argon2id hash of the chosen password.
 */
export type PasswordKind = 'argon2id' | 'one_time' | 'one_time_used';

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

/** Salted SHA-256 of a one-time secret, in the stored form `s256$<salt hex>$<hash hex>`. */
export function hashOneTimeSecret(secret: string, salt: string = crypto.randomBytes(16).toString('hex')): string {
  const digest = crypto.createHash('sha256').update(salt, 'utf8').update('\n').update(secret, 'utf8').digest('hex');
  return `s256$${salt}$${digest}`;
}

// Unambiguous alphabet for SMS: no 0/O, 1/l/I.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** 16 characters from a 31-letter alphabet ≈ 79 bits of entropy (crypto.randomInt is uniform). */
export function generateOneTimeSecret(length = 16): string {
  if (length < 12) throw new Error('one-time secrets are at least 12 characters');
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return out;
}

// A real argon2id hash of a random secret, verified against when the login is unknown so that
// an unknown login takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

function verifyOneTime(stored: string, candidate: string): boolean {
  const m = /^s256\$([0-9a-f]{8,64})\$([0-9a-f]{64})$/.exec(stored);
  // Unsalted hashes from before the salt was added: a bare SHA-256 hex digest.
  const expected = m ? (m[2] ?? '') : stored;
  const actual = m ? hashOneTimeSecret(candidate, m[1]).slice(-64) : crypto.createHash('sha256').update(candidate, 'utf8').digest('hex');
  const a = Buffer.from(actual, 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.length === 32 && a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Checks a candidate against a stored secret. A spent one-time credential (`one_time_used`) is
 * accepted only with `allowSpentOneTime` (the forced password change of the session it opened);
 * sign-in never passes it.
 */
export async function verifyPassword(kind: string, stored: string, candidate: string, opts: { allowSpentOneTime?: boolean } = {}): Promise<boolean> {
  if (kind === 'one_time') return verifyOneTime(stored, candidate);
  if (kind === 'one_time_used') return opts.allowSpentOneTime === true && verifyOneTime(stored, candidate);
  if (kind !== 'argon2id') return false;
  try {
    return await argon2Verify(stored, candidate);
  } catch {
    return false;
  }
}

export async function burnVerifyTime(candidate: string): Promise<void> {
  dummyHash ??= argon2Hash(crypto.randomBytes(16).toString('hex'));
  await argon2Verify(await dummyHash, candidate).catch(() => false);
}

export function newSessionToken(): { token: string; tokenHash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}
