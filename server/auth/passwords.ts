import crypto from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

/**
 * Two kinds of secrets:
 * - passwords people choose: argon2id (the library default), slow on purpose;
 * - one-time credentials the service generates for SMS (bulk import of tens of thousands of
 *   patients): 80+ bits of randomness, so a single SHA-256 is enough and import stays fast.
 *   The patient must replace it with a chosen password at first sign-in.
 */
export type PasswordKind = 'argon2id' | 'one_time';

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

export function hashOneTimeSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

// Unambiguous alphabet for SMS: no 0/O, 1/l/I.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** 16 characters from a 31-letter alphabet ≈ 79 bits of entropy. */
export function generateOneTimeSecret(length = 16): string {
  const bytes = crypto.randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    // Rejection sampling keeps the distribution uniform.
    if (b < 248) out += ALPHABET[b % ALPHABET.length];
  }
  return out.length === length ? out : generateOneTimeSecret(length);
}

// A real argon2id hash of a random secret, verified against when the login is unknown so that
// an unknown login takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(kind: string, stored: string, candidate: string): Promise<boolean> {
  if (kind === 'one_time') {
    const a = Buffer.from(hashOneTimeSecret(candidate), 'hex');
    const b = Buffer.from(stored, 'hex');
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }
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
