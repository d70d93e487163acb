import type { Kysely, Selectable } from 'kysely';
import { SmsStatus, type SmsOutboxItem } from '../../shared/domain/sms.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Actor } from '../auth/actor.js';
import { generateOneTimeSecret, hashOneTimeSecret } from '../auth/passwords.js';
import { writeTransaction, type AppContext } from '../context.js';
import type { Database, SmsOutboxTable } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { createLogger } from '../logger.js';
import { maskSecrets } from '../sms/gateway.js';
import { credentialsText } from './batch-import.js';

const log = createLogger('sms.outbox');

function toItem(r: Selectable<SmsOutboxTable>, demo: boolean): SmsOutboxItem {
  const status = SmsStatus.safeParse(r.status);
  return {
    id: r.id,
    phone: r.phone,
    patientId: r.patient_id,
    kind: r.kind,
    // An unknown status (a newer server wrote it) shows as failed rather than breaking the list.
    status: status.success ? status.data : 'failed',
    attempts: Number(r.attempts),
    error: r.error,
    providerMessageId: r.provider_message_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    text: demo ? r.body : maskSecrets(r.body),
    masked: !demo,
  };
}

/**
 * The SMS queue for the manager, newest first, optionally one status or one patient. Passwords
 * are masked unless the server runs in demo mode, where the end-to-end tests read the one-time
 * credentials from here.
 */
export async function listSmsOutbox(
  db: Kysely<Database>,
  actor: Actor,
  opts: { limit: number; offset: number; demo: boolean; status?: SmsStatus | undefined; patientId?: string | undefined },
): Promise<{ items: SmsOutboxItem[]; total: number }> {
  if (actor.role !== 'manager') throw forbidden();
  const base = db
    .selectFrom('sms_outbox')
    .$if(opts.status !== undefined, (q) => q.where('status', '=', opts.status ?? ''))
    .$if(opts.patientId !== undefined, (q) => q.where('patient_id', '=', opts.patientId ?? ''));
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(opts.limit).offset(opts.offset).execute();
  return { items: rows.map((r) => toItem(r, opts.demo)), total: Number(total.n) };
}

const PASSWORD_ALREADY_SET =
  'Пациент уже задал собственный пароль, поэтому SMS с одноразовым паролем не отправляется повторно. Если пациент не может войти, воспользуйтесь сбросом пароля.';

/** The dispatcher, when the server sends SMS through a provider (see server/sms/index.ts). */
interface WithSmsRuntime {
  sms?: { dispatcher: { wake(): void } | null } | undefined;
}

/**
 * Sends a message again. A credentials SMS gets a new one-time password (the old one stops
 * working at once, open sessions of the account are ended) in the same row — one credentials row
 * per patient — as long as the patient has not chosen a password yet; any other message is
 * re-queued as it is. A message still queued or being sent is left alone.
 */
export async function resendSms(ctx: AppContext & WithSmsRuntime, actor: Actor, id: string): Promise<SmsOutboxItem> {
  if (actor.role !== 'manager') throw forbidden();
  const item = await writeTransaction(ctx, async (w) => {
    const row = await w.tx
      .selectFrom('sms_outbox')
      .selectAll()
      .where('id', '=', id)
      // The dispatcher claims rows with a conditional update; the lock orders us with it.
      .$if(w.kind === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    if (!row) throw notFound('SMS');
    if (row.status === 'queued' || row.status === 'sending') {
      throw new AppError('INVALID_STATE', 'Это SMS уже в очереди на отправку. Дождитесь результата и при необходимости отправьте повторно.');
    }
    const now = new Date().toISOString();
    let body = row.body;
    let newPassword = false;
    if (row.kind === 'credentials') {
      const user = row.patient_id
        ? await w.tx
            .selectFrom('users')
            .select(['id', 'login', 'password_kind', 'must_change_password'])
            .where('patient_id', '=', row.patient_id)
            .where('role', '=', 'patient')
            .$if(w.kind === 'postgres', (q) => q.forUpdate())
            .executeTakeFirst()
        : undefined;
      if (!user) throw new AppError('INVALID_STATE', 'У пациента нет учётной записи для входа: отправить пароль некому. Обратитесь к администратору.');
      if (user.password_kind !== 'one_time' && Number(user.must_change_password) !== 1) throw new AppError('INVALID_STATE', PASSWORD_ALREADY_SET);
      const secret = generateOneTimeSecret();
      const updated = await w.tx
        .updateTable('users')
        .set({ password_hash: hashOneTimeSecret(secret), password_kind: 'one_time', must_change_password: 1, failed_logins: 0, locked_until: null, updated_at: now })
        .where('id', '=', user.id)
        // The patient could be changing the password this very moment: only a still-unchosen one is replaced.
        .where((eb) => eb.or([eb('password_kind', '=', 'one_time'), eb('must_change_password', '=', 1)]))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new AppError('INVALID_STATE', PASSWORD_ALREADY_SET);
      // A session opened with the old one-time password must not outlive it.
      await w.tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
      body = credentialsText(ctx.config.publicUrl, user.login, secret);
      newPassword = true;
    }
    const next = await w.tx
      .updateTable('sms_outbox')
      .set({ body, status: 'queued', attempts: 0, next_attempt_at: null, error: null, provider_message_id: null, sent_at: null, delivered_at: null, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(w.tx, [
      {
        actor,
        action: 'sms.resend',
        patientId: row.patient_id,
        entity: 'sms',
        entityId: id,
        result: 'ok',
        details: { kind: row.kind, previousStatus: row.status, newPassword },
      },
    ]);
    return toItem(next, ctx.config.demo);
  });
  log.info({ smsId: id, kind: item.kind }, 'SMS re-queued by the manager');
  ctx.sms?.dispatcher?.wake();
  return item;
}
