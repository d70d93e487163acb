import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { SMS_CODE_LENGTH } from '../../shared/domain/portal.js';
import type { Sex } from '../../shared/domain/patients.js';
import { login as signIn, type LoginResult } from '../auth/accounts.js';
import { hashOneTimeSecret, hashPassword, verifyPassword } from '../auth/passwords.js';
import { appendAudit } from '../audit/audit-log.js';
import { writeTransaction, type AppContext, type WriteScope } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { newSmsId } from '../sms/gateway.js';
import { queueSms } from './notifications.js';
import { refreshPatientStage } from './patient-stage.js';

const log = createLogger('registration');

/**
 * Self-registration and password reset by a one-time SMS code. Only a salted hash of the code is
 * kept; a code works 10 minutes and for at most 5 tries; a new one may be asked for after 60 s,
 * and at most 3 per phone per hour (whatever the purpose). The answer to «send me a code» is the
 * same whether or not the number has an account, so the service cannot be used to find out who
 * is a patient: a number that already has an account gets an SMS saying to sign in or reset the
 * password instead, and a reset for a number without an account sends nothing.
 */
export type CodePurpose = 'register' | 'reset';

export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;
export const CODE_RESEND_SECONDS = 60;
export const CODES_PER_PHONE_PER_HOUR = 3;

export interface CodeSent {
  ok: true;
  resendAfterSeconds: number;
  expiresInSeconds: number;
}

interface Account {
  id: string;
  login: string;
  patient_id: string | null;
  disabled: number;
}

/** The patient accounts of a phone: by the account's own phone or its patient record's. */
async function accountsByPhone(db: Kysely<Database>, phone: string): Promise<Account[]> {
  return db
    .selectFrom('users as u')
    .leftJoin('patients as p', 'p.id', 'u.patient_id')
    .select(['u.id', 'u.login', 'u.patient_id', 'u.disabled'])
    .where('u.role', '=', 'patient')
    .where((eb) => eb.or([eb('u.phone', '=', phone), eb('p.phone', '=', phone)]))
    .orderBy('u.created_at')
    .execute();
}

function newCode(): string {
  return String(crypto.randomInt(0, 10 ** SMS_CODE_LENGTH)).padStart(SMS_CODE_LENGTH, '0');
}

function codeText(purpose: CodePurpose, code: string): string {
  const what = purpose === 'register' ? 'регистрации в личном кабинете' : 'восстановления пароля';
  return `Облако здоровья: код подтверждения ${code} для ${what}. Действует 10 минут. Никому не сообщайте код.`;
}

function alreadyRegisteredText(logins: string[], publicUrl: string): string {
  return `Облако здоровья: на этот номер уже есть личный кабинет (логин ${logins.join(', ')}). Войдите: ${publicUrl} или восстановите пароль. Если вы не запрашивали регистрацию, ничего делать не нужно.`;
}

/**
 * Sends (or, within the 60 s pause, does not send again) a code for `purpose` to `phone`.
 * Every request that passes the pause counts toward the hourly limit, with or without an account.
 */
export async function sendCode(ctx: AppContext, purpose: CodePurpose, phone: string, ip: string): Promise<CodeSent> {
  return writeTransaction(ctx, async (w) => {
    const now = Date.now();
    // Two concurrent requests for one phone are counted one after the other on PostgreSQL.
    if (w.kind === 'postgres') await lockPhone(w, phone);
    const last = await w.tx
      .selectFrom('sms_codes')
      .select(['created_at', 'expires_at'])
      .where('phone', '=', phone)
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last) {
      const wait = Math.ceil((Date.parse(last.created_at) + CODE_RESEND_SECONDS * 1000 - now) / 1000);
      if (wait > 0) {
        return { ok: true as const, resendAfterSeconds: wait, expiresInSeconds: Math.max(0, Math.floor((Date.parse(last.expires_at) - now) / 1000)) };
      }
    }
    const hourAgo = new Date(now - 3_600_000).toISOString();
    const recent = await w.tx
      .selectFrom('sms_codes')
      .select('created_at')
      .where('phone', '=', phone)
      .where('created_at', '>', hourAgo)
      .orderBy('created_at')
      .execute();
    if (recent.length >= CODES_PER_PHONE_PER_HOUR) {
      const oldest = Date.parse(recent[0]?.created_at ?? new Date(now).toISOString());
      const minutes = Math.max(1, Math.ceil((oldest + 3_600_000 - now) / 60_000));
      throw new AppError('RATE_LIMITED', `На этот номер уже отправлено ${CODES_PER_PHONE_PER_HOUR} кода за час. Запросите новый код через ${minutes} мин.`);
    }

    const accounts = await accountsByPhone(w.tx, phone);
    let body: string | null = null;
    let codeHash: string | null = null;
    if (purpose === 'register') {
      if (accounts.length > 0) body = alreadyRegisteredText(accounts.map((a) => a.login), ctx.config.publicUrl);
      else {
        const code = newCode();
        codeHash = hashOneTimeSecret(code);
        body = codeText(purpose, code);
      }
    } else if (accounts.some((a) => Number(a.disabled) === 0)) {
      const code = newCode();
      codeHash = hashOneTimeSecret(code);
      body = codeText(purpose, code);
    }
    const at = new Date(now);
    await w.tx
      .insertInto('sms_codes')
      .values({
        id: crypto.randomUUID(),
        phone,
        purpose,
        code_hash: codeHash,
        attempts: 0,
        created_at: at.toISOString(),
        expires_at: new Date(now + CODE_TTL_SECONDS * 1000).toISOString(),
        used_at: null,
        ip,
      })
      .execute();
    if (body) {
      const patientId = accounts.length === 1 ? (accounts[0]?.patient_id ?? null) : null;
      await queueSms(w, [{ id: newSmsId(), phone, body, kind: 'code', patientId }]);
    }
    return { ok: true as const, resendAfterSeconds: CODE_RESEND_SECONDS, expiresInSeconds: CODE_TTL_SECONDS };
  });
}

/** Serialises code requests for one phone (PostgreSQL; SQLite runs one writer at a time). */
async function lockPhone(w: WriteScope, phone: string): Promise<void> {
  const key = crypto.createHash('sha256').update(`sms-code:${phone}`).digest().readBigInt64BE(0);
  await sql`SELECT pg_advisory_xact_lock(${key.toString()}::bigint)`.execute(w.tx);
}

const WRONG_OR_OLD = 'Код неверный или устарел. Проверьте цифры из последнего SMS или запросите новый код.';

/**
 * Checks a code. Each try is counted before the comparison (an atomic increment), so five tries
 * in parallel are five tries. The count is committed even when the check fails. Returns the
 * code's id for the caller to spend in its own transaction (`spendCode`).
 */
export async function checkCode(ctx: AppContext, purpose: CodePurpose, phone: string, code: string): Promise<string> {
  const db = ctx.db.kysely;
  const row = await db
    .selectFrom('sms_codes')
    .select(['id', 'code_hash', 'expires_at', 'used_at', 'attempts'])
    .where('phone', '=', phone)
    .where('purpose', '=', purpose)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || !row.code_hash || row.used_at || row.expires_at <= new Date().toISOString()) {
    throw new AppError('VALIDATION_FAILED', WRONG_OR_OLD, [{ path: 'code', message: WRONG_OR_OLD }]);
  }
  const counted = await db
    .updateTable('sms_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('attempts', '<', CODE_MAX_ATTEMPTS)
    .returning('attempts')
    .executeTakeFirst();
  if (!counted) {
    throw new AppError('VALIDATION_FAILED', 'Код введён неверно слишком много раз. Запросите новый код.', [{ path: 'code', message: 'Запросите новый код.' }]);
  }
  if (!(await verifyPassword('one_time', row.code_hash, code))) {
    const left = CODE_MAX_ATTEMPTS - Number(counted.attempts);
    const message = left > 0 ? `Неверный код. Осталось попыток: ${left}.` : 'Неверный код. Попытки исчерпаны: запросите новый код.';
    throw new AppError('VALIDATION_FAILED', message, [{ path: 'code', message }]);
  }
  return row.id;
}

/** Spends a checked code in the caller's transaction; a code spent by a concurrent request fails. */
async function spendCode(w: WriteScope, id: string): Promise<void> {
  const r = await w.tx.updateTable('sms_codes').set({ used_at: new Date().toISOString() }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AppError('VALIDATION_FAILED', 'Этот код уже использован. Запросите новый код.', [{ path: 'code', message: 'Код уже использован.' }]);
}

async function freshPatientLogin(db: Kysely<Database>): Promise<string> {
  for (;;) {
    const l = `p${String(crypto.randomInt(0, 100_000_000)).padStart(8, '0')}`;
    if (!(await db.selectFrom('users').select('id').where('login', '=', l).executeTakeFirst())) return l;
  }
}

export interface Registration {
  phone: string;
  code: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  sex: Sex;
  birthDate: string;
  password: string;
}

/**
 * Creates the patient record and the patient's account (a new `p########` login, the chosen
 * password as argon2id) once the code checks out, then signs the patient in.
 */
export async function registerPatient(ctx: AppContext, input: Registration, ip: string): Promise<LoginResult> {
  const codeId = await checkCode(ctx, 'register', input.phone, input.code);
  const passwordHash = await hashPassword(input.password);
  const loginName = await writeTransaction(ctx, async (w) => {
    await spendCode(w, codeId);
    if ((await accountsByPhone(w.tx, input.phone)).length > 0) {
      throw new AppError('CONFLICT', 'На этот номер уже есть личный кабинет. Войдите или восстановите пароль.');
    }
    const now = new Date().toISOString();
    const userId = crypto.randomUUID();
    const patientId = crypto.randomUUID();
    const loginName = await freshPatientLogin(w.tx);
    const fullName = [input.lastName, input.firstName, input.middleName].filter(Boolean).join(' ');
    await w.tx
      .insertInto('users')
      .values({
        id: userId,
        login: loginName,
        role: 'patient',
        full_name: fullName,
        centre: null,
        is_duty: 0,
        phone: input.phone,
        patient_id: patientId,
        password_hash: passwordHash,
        password_kind: 'argon2id',
        must_change_password: 0,
        failed_logins: 0,
        locked_until: null,
        disabled: 0,
        is_demo: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await w.tx
      .insertInto('patients')
      .values({
        id: patientId,
        last_name: input.lastName,
        first_name: input.firstName,
        middle_name: input.middleName,
        sex: input.sex,
        birth_date: input.birthDate,
        snils: null,
        enp: null,
        phone: input.phone,
        region: null,
        referring_organization: null,
        attending_physician: null,
        referred_by: null,
        created_by: userId,
        created_at: now,
        updated_at: now,
        stage: 'imported',
        batch_id: null,
        batch_row: null,
      })
      .execute();
    await w.changed('patient', [patientId]);
    await refreshPatientStage(w, patientId);
    await appendAudit(w.tx, [
      { actor: { userId, role: 'patient' }, action: 'patient.register', patientId, entity: 'patient', entityId: patientId, result: 'ok', details: { login: loginName, ip } },
    ]);
    return loginName;
  });
  // The same sign-in as the login route (session, audit), then the stage moves to `signed_in`.
  const result = await signIn(ctx.db.kysely, loginName, input.password, ctx.config.sessionTtlHours, ip);
  const patientId = result.user.patientId;
  if (patientId) await writeTransaction(ctx, (w) => refreshPatientStage(w, patientId));
  log.info({ userId: result.user.id }, 'patient registered');
  return result;
}

/** Sets a new password for the account(s) of the phone, ends their sessions, lifts a lockout. */
export async function resetPassword(ctx: AppContext, input: { phone: string; code: string; newPassword: string }, ip: string): Promise<void> {
  const codeId = await checkCode(ctx, 'reset', input.phone, input.code);
  const passwordHash = await hashPassword(input.newPassword);
  await writeTransaction(ctx, async (w) => {
    await spendCode(w, codeId);
    const accounts = (await accountsByPhone(w.tx, input.phone)).filter((a) => Number(a.disabled) === 0);
    if (accounts.length === 0) throw new AppError('VALIDATION_FAILED', WRONG_OR_OLD, [{ path: 'code', message: WRONG_OR_OLD }]);
    const now = new Date().toISOString();
    const ids = accounts.map((a) => a.id);
    await w.tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_kind: 'argon2id', must_change_password: 0, failed_logins: 0, locked_until: null, updated_at: now })
      .where('id', 'in', ids)
      .execute();
    await w.tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', 'in', ids).where('revoked_at', 'is', null).execute();
    await appendAudit(
      w.tx,
      accounts.map((a) => ({ actor: { userId: a.id, role: 'patient' as const }, action: 'auth.reset_password', patientId: a.patient_id, entity: 'user', entityId: a.id, result: 'ok' as const, details: { ip } })),
    );
  });
}
