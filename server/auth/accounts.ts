import crypto from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { PublicUser, UserCreate } from '../../shared/domain/users.js';
import { Role } from '../../shared/domain/roles.js';
import { CentreCode } from '../../shared/domain/requests.js';
import type { Database, UsersTable } from '../db/schema.js';
import { appendAudit } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { Actor } from './actor.js';
import { burnVerifyTime, hashPassword, hashToken, newSessionToken, verifyPassword } from './passwords.js';

const log = createLogger('auth');

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export function toPublicUser(u: Selectable<UsersTable>): PublicUser {
  return {
    id: u.id,
    login: u.login,
    role: Role.parse(u.role),
    fullName: u.full_name,
    centre: u.centre === null ? null : CentreCode.parse(u.centre),
    isDuty: Number(u.is_duty) === 1,
    post: u.post ?? null,
    patientId: u.patient_id,
    mustChangePassword: Number(u.must_change_password) === 1,
    disabled: Number(u.disabled) === 1,
    createdAt: u.created_at,
  };
}

export async function createUser(
  db: Kysely<Database>,
  input: UserCreate & { patientId?: string | null; isDemo?: boolean },
  by: Pick<Actor, 'userId' | 'role'> | null,
): Promise<PublicUser> {
  const login = input.login.toLowerCase();
  const existing = await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst();
  if (existing) throw new AppError('CONFLICT', `Логин «${login}» уже занят. Выберите другой.`);
  const now = new Date().toISOString();
  const row = {
    id: crypto.randomUUID(),
    login,
    role: input.role,
    full_name: input.fullName,
    centre: input.centre ?? null,
    is_duty: input.isDuty ? 1 : 0,
    post: input.post ?? null,
    phone: null,
    patient_id: input.patientId ?? null,
    password_hash: await hashPassword(input.password),
    password_kind: 'argon2id',
    must_change_password: 0,
    failed_logins: 0,
    locked_until: null,
    disabled: 0,
    is_demo: input.isDemo ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('users').values(row).execute();
    await appendAudit(tx, [{ actor: by, action: 'user.create', entity: 'user', entityId: row.id, result: 'ok', details: { login, role: row.role } }]);
  });
  return toPublicUser(row);
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: PublicUser;
}

const INVALID = () => new AppError('INVALID_CREDENTIALS', 'Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.');

export async function login(db: Kysely<Database>, loginName: string, password: string, ttlHours: number, ip: string): Promise<LoginResult> {
  const normalised = loginName.trim().toLowerCase();
  const user = await db.selectFrom('users').selectAll().where('login', '=', normalised).executeTakeFirst();
  const now = new Date();
  const audit = (result: 'ok' | 'denied', reason: string | null, u = user) =>
    db.transaction().execute((tx) =>
      appendAudit(tx, [
        {
          actor: u ? { userId: u.id, role: Role.parse(u.role) } : null,
          action: 'auth.login',
          entity: 'user',
          entityId: u?.id ?? null,
          result,
          details: { login: normalised, ip, ...(reason ? { reason } : {}) },
        },
      ]),
    );

  if (!user) {
    await burnVerifyTime(password);
    await audit('denied', 'unknown_login');
    throw INVALID();
  }
  if (Number(user.disabled) === 1) {
    await audit('denied', 'disabled');
    throw new AppError('ACCOUNT_DISABLED', 'Учётная запись отключена. Обратитесь к администратору.');
  }
  if (user.locked_until && user.locked_until > now.toISOString()) {
    await audit('denied', 'locked');
    const minutes = Math.ceil((Date.parse(user.locked_until) - now.getTime()) / 60_000);
    throw new AppError(
      'ACCOUNT_LOCKED',
      `Слишком много неудачных попыток входа. Повторите через ${minutes} мин. или обратитесь к администратору.`,
    );
  }
  const ok = await verifyPassword(user.password_kind, user.password_hash, password);
  if (!ok) {
    const failed = Number(user.failed_logins) + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await db
      .updateTable('users')
      .set({
        failed_logins: lock ? 0 : failed,
        locked_until: lock ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString() : user.locked_until,
        updated_at: now.toISOString(),
      })
      .where('id', '=', user.id)
      .execute();
    await audit('denied', lock ? 'bad_password_locked' : 'bad_password');
    if (lock) log.warn({ userId: user.id }, 'account locked after repeated failures');
    throw INVALID();
  }

  const { token, tokenHash } = newSessionToken();
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000).toISOString();
  // One-time SMS credentials must be replaced before anything else can be done, and they open
  // exactly one session: the kind becomes `one_time_used`, which sign-in never accepts again.
  const oneTime = user.password_kind === 'one_time';
  const mustChange = oneTime || Number(user.must_change_password) === 1;
  const spent = await db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('users')
      .set({
        failed_logins: 0,
        locked_until: null,
        must_change_password: mustChange ? 1 : 0,
        updated_at: now.toISOString(),
        ...(oneTime ? { password_kind: 'one_time_used' } : {}),
      })
      .where('id', '=', user.id)
      // Two concurrent sign-ins with the same one-time password: only one wins.
      .$if(oneTime, (q) => q.where('password_kind', '=', 'one_time'))
      .executeTakeFirst();
    if (oneTime && Number(updated.numUpdatedRows) !== 1) return true;
    await tx
      .insertInto('sessions')
      .values({ id: crypto.randomUUID(), user_id: user.id, token_hash: tokenHash, created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null })
      .execute();
    return false;
  });
  if (spent) {
    await audit('denied', 'one_time_spent');
    throw INVALID();
  }
  await audit('ok', null);
  return { token, expiresAt, user: toPublicUser({ ...user, must_change_password: mustChange ? 1 : 0 }) };
}

/** Resolves a bearer token to an actor, or null if it is unknown, expired, revoked or disabled. */
export async function resolveSession(db: Kysely<Database>, token: string): Promise<Actor | null> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.expires_at', 's.revoked_at', 'u.id', 'u.role', 'u.centre', 'u.patient_id', 'u.is_duty', 'u.disabled', 'u.must_change_password'])
    .where('s.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at <= new Date().toISOString() || Number(row.disabled) === 1) return null;
  return {
    userId: row.id,
    role: Role.parse(row.role),
    centre: row.centre,
    patientId: row.patient_id,
    isDuty: Number(row.is_duty) === 1,
    sessionId: row.session_id,
    mustChangePassword: Number(row.must_change_password) === 1,
  };
}

export async function logout(db: Kysely<Database>, actor: Actor): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('id', '=', actor.sessionId).execute();
}

export async function changePassword(db: Kysely<Database>, actor: Actor, current: string, next: string): Promise<void> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', actor.userId).executeTakeFirstOrThrow();
  // The session a one-time password opened may still prove it, to replace it.
  if (!(await verifyPassword(user.password_kind, user.password_hash, current, { allowSpentOneTime: actor.mustChangePassword }))) {
    throw new AppError('INVALID_CREDENTIALS', 'Текущий пароль указан неверно.');
  }
  if (next === current) throw new AppError('PASSWORD_TOO_WEAK', 'Новый пароль должен отличаться от текущего.');
  if (next.toLowerCase().includes(user.login)) throw new AppError('PASSWORD_TOO_WEAK', 'Пароль не должен содержать логин.');
  const hash = await hashPassword(next);
  const now = new Date().toISOString();
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: hash, password_kind: 'argon2id', must_change_password: 0, updated_at: now })
      .where('id', '=', actor.userId)
      .execute();
    // Other sessions may belong to whoever knew the old password.
    await tx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', actor.userId)
      .where('id', '!=', actor.sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    await appendAudit(tx, [{ actor, action: 'auth.change_password', entity: 'user', entityId: actor.userId, result: 'ok' }]);
  });
}

export async function getUser(db: Kysely<Database>, id: string): Promise<PublicUser> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('UNAUTHENTICATED', 'Учётная запись не найдена. Войдите снова.');
  return toPublicUser(row);
}

export async function listUsers(db: Kysely<Database>): Promise<PublicUser[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('role').orderBy('login').execute();
  return rows.map(toPublicUser);
}
