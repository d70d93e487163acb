import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import { Id } from '../../shared/domain/ids.js';
import { DEFAULT_IDLE_LOCK_MS, MAX_UNLOCK_ATTEMPTS } from '../../shared/rpc/contract.js';
import { createLogger } from './logger.js';
import type { SecretStore } from './secrets.js';

const log = createLogger('session.lock');

/**
 * The idle lock's parts that are not the session's lifecycle (SessionManager runs that): the
 * idle deadline and its timer, the offline password check, and the lock's record in the
 * SecretStore (the verifier, whether the session is locked, failed attempts), so neither a
 * restart nor a kill of the app opens a locked workstation or resets the count of wrong
 * passwords.
 */

export const LOCK_KEY = 'oblako.lock';

/** The default idle time: `OBLAKO_IDLE_LOCK_MS` (a positive number of milliseconds) or 15 min. */
export function idleLockDefaultMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OBLAKO_IDLE_LOCK_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_IDLE_LOCK_MS;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    log.warn({ value: raw }, 'OBLAKO_IDLE_LOCK_MS is not a positive whole number of milliseconds; using the default');
    return DEFAULT_IDLE_LOCK_MS;
  }
  return ms;
}

// ── time ──────────────────────────────────────────────────────────────────────────────────

/** Time, injectable: the desktop tests move it by hand instead of waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending lock must not keep the host process (or a test worker) alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * The idle deadline. Activity only moves the deadline; the one timer, when it fires early, sets
 * itself again for what is left, so a stream of activity reports costs no timer churn.
 */
export class IdleTimer {
  private idleMs = 0;
  private deadlineAt: number | null = null;
  private timer: unknown = null;

  constructor(
    private readonly clock: Clock,
    private readonly onIdle: () => void,
  ) {}

  get deadline(): number | null {
    return this.deadlineAt;
  }

  arm(idleMs: number): void {
    this.idleMs = idleMs;
    this.deadlineAt = this.clock.now() + idleMs;
    this.schedule();
  }

  touch(): void {
    if (this.deadlineAt === null) return;
    this.deadlineAt = this.clock.now() + this.idleMs;
  }

  disarm(): void {
    this.deadlineAt = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.deadlineAt === null) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.deadlineAt === null) return;
      if (this.clock.now() < this.deadlineAt) {
        this.schedule();
        return;
      }
      this.deadlineAt = null;
      this.onIdle();
    }, Math.max(0, this.deadlineAt - this.clock.now()));
  }
}

// ── the offline password check ────────────────────────────────────────────────────────────

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt with N = 2^15, r = 8: about 32 MiB and a tenth of a second per guess. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;

export const UnlockVerifier = z.object({
  v: z.literal(1),
  salt: z.string(),
  hash: z.string(),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
});
export type UnlockVerifier = z.infer<typeof UnlockVerifier>;

function derive(password: string, salt: Buffer, v: Pick<UnlockVerifier, 'N' | 'r' | 'p'>, keylen: number): Promise<Buffer> {
  return scrypt(password, salt, keylen, { N: v.N, r: v.r, p: v.p, maxmem: 256 * v.N * v.r });
}

/**
 * Made at sign-in from the password the server has just accepted, so the lock screen can check
 * the password with no server. Only the salted scrypt hash is kept, never the password.
 */
export async function makeUnlockVerifier(password: string): Promise<UnlockVerifier> {
  const salt = crypto.randomBytes(16);
  const hash = await derive(password, salt, SCRYPT, SCRYPT.keylen);
  return { v: 1, salt: salt.toString('base64'), hash: hash.toString('base64'), N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p };
}

export async function checkUnlockPassword(verifier: UnlockVerifier, password: string): Promise<boolean> {
  const expected = Buffer.from(verifier.hash, 'base64');
  const got = await derive(password, Buffer.from(verifier.salt, 'base64'), verifier, expected.length);
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

// ── the lock's record ─────────────────────────────────────────────────────────────────────

export const LockRecord = z.object({
  userId: Id,
  serverUrl: z.string(),
  /** Null for a session signed in before the lock existed: the first unlock asks the server. */
  verifier: UnlockVerifier.nullable(),
  locked: z.boolean(),
  failedAttempts: z.number().int().min(0),
  /** Unsent changes when the store was closed: sign-out warns about them while locked. */
  pending: z.number().int().min(0),
});
export type LockRecord = z.infer<typeof LockRecord>;

export type UnlockCheck = { kind: 'ok' } | { kind: 'wrong'; attemptsLeft: number } | { kind: 'noVerifier' };

/** The record of the signed-in user's lock, kept in the SecretStore beside the session. */
export class LockRecords {
  constructor(private readonly secrets: SecretStore) {}

  /** The record of this user on this server, if any (a record of someone else is ignored). */
  read(who: { userId: string; serverUrl: string }): LockRecord | null {
    const raw = this.secrets.get(LOCK_KEY);
    if (!raw) return null;
    try {
      const rec = LockRecord.parse(JSON.parse(raw));
      return rec.userId === who.userId && rec.serverUrl === who.serverUrl ? rec : null;
    } catch {
      log.warn('the lock record is unreadable; ignoring it');
      return null;
    }
  }

  write(rec: LockRecord): void {
    this.secrets.set(LOCK_KEY, JSON.stringify(rec));
  }

  clear(): void {
    this.secrets.delete(LOCK_KEY);
  }

  /** Fresh at sign-in: a new verifier, unlocked, no failed attempts. */
  async signedIn(who: { userId: string; serverUrl: string }, password: string): Promise<void> {
    this.write({ ...who, verifier: await makeUnlockVerifier(password), locked: false, failedAttempts: 0, pending: 0 });
  }

  setLocked(who: { userId: string; serverUrl: string }, locked: boolean, pending: number): void {
    const rec = this.read(who) ?? { ...who, verifier: null, failedAttempts: 0, locked, pending };
    this.write({ ...rec, locked, pending, ...(locked ? {} : { failedAttempts: 0 }) });
  }

  /**
   * Checks a password typed on the lock screen. A wrong one is counted (and the count kept)
   * before the answer, so closing the app between guesses gains nothing.
   */
  async check(who: { userId: string; serverUrl: string }, password: string): Promise<UnlockCheck> {
    const rec = this.read(who);
    if (!rec?.verifier) return { kind: 'noVerifier' };
    if (await checkUnlockPassword(rec.verifier, password)) return { kind: 'ok' };
    return { kind: 'wrong', attemptsLeft: this.countFailure(who) };
  }

  /** Counts a wrong password (also one the server refused); answers the attempts left. */
  countFailure(who: { userId: string; serverUrl: string }): number {
    const rec = this.read(who) ?? { ...who, verifier: null, locked: true, failedAttempts: 0, pending: 0 };
    const failedAttempts = rec.failedAttempts + 1;
    this.write({ ...rec, failedAttempts });
    return Math.max(0, MAX_UNLOCK_ATTEMPTS - failedAttempts);
  }
}
