import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import {
  BatchSource,
  BatchStatus,
  ReferralBatchRow,
  RejectedRow,
  ReferralSubmit,
  type ReferralBatch,
  type ReferralBatchSummary,
  type ReferralRowFields,
} from '../../shared/domain/referrals.js';
import { REFERRAL_COLUMNS } from '../../shared/referral/columns.js';
import { findProfile, findRegion, normaliseIcd10 } from '../../shared/reference/index.js';
import { validateEnp, validateSnils } from '../../shared/validators/index.js';
import type { Actor } from '../auth/actor.js';
import { audienceOf } from '../auth/actor.js';
import type { WriteScope } from '../context.js';
import type { Database, ReferralBatchesTable } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { russianIssue, validationError } from '../http/validation.js';
import { isVisible } from '../sync/change-log.js';

type Issue = { path: string; message: string };

/** At most this many problems travel back; the message says how many rows failed in all. */
const MAX_ISSUES = 200;
const HEADER = new Map<string, string>([['row', '№'], ...REFERRAL_COLUMNS.map((c): [string, string] => [c.key, c.header])]);
const headerOf = (field: string) => HEADER.get(field) ?? field;

type BatchRow = Omit<Selectable<ReferralBatchesTable>, 'rows'>;

export function toBatchSummary(row: BatchRow, physicianName: string): ReferralBatchSummary {
  return {
    id: row.id,
    physicianId: row.physician_id,
    physicianName,
    title: row.title,
    fileName: row.file_name,
    fileHash: row.file_hash,
    rowCount: Number(row.row_count),
    status: BatchStatus.parse(row.status),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    source: BatchSource.parse(row.source),
    submittedBy: row.submitted_by,
    region: row.region,
    organization: row.organization,
    referrer: row.referrer,
    receivedAt: row.received_at,
    rejectedCount: rejectedRowsOf(row).length,
  };
}

function rejectedRowsOf(row: Pick<BatchRow, 'rejected_rows'>): RejectedRow[] {
  return (JSON.parse(row.rejected_rows) as unknown[]).map((r) => RejectedRow.parse(r));
}

export function toBatch(row: Selectable<ReferralBatchesTable>, physicianName: string): ReferralBatch {
  // Stored only after validation, so the rows parse; a bad row here is corruption, not input.
  const rows = (JSON.parse(row.rows) as unknown[]).map((r) => ReferralBatchRow.parse(r));
  const { rejectedCount: _count, ...summary } = toBatchSummary(row, physicianName);
  return { ...summary, rows, rejectedRows: rejectedRowsOf(row) };
}

/**
 * Checks a whole batch as the server sees it: the shared schema, then each row against the
 * reference data and the identifier checksums. Any problem rejects the batch; every issue names
 * the physician's row number and the column, so the desktop can point at the cell.
 */
export function validateReferralSubmit(raw: unknown): ReferralSubmit {
  const parsed = ReferralSubmit.safeParse(raw);
  if (!parsed.success) {
    const rowIssues = rowIssuesFromZod(raw, parsed.error);
    if (rowIssues.length === 0) throw validationError(parsed.error);
    throw rejectRows(rowIssues);
  }
  const issues: Issue[] = [];
  const seen = new Map<number, number>();
  for (const r of parsed.data.rows) {
    const add = (field: string, message: string) => issues.push(rowIssue(r.row, field, message));
    seen.set(r.row, (seen.get(r.row) ?? 0) + 1);
    if (seen.get(r.row) === 2) add('row', 'номер строки повторяется в таблице.');
    checkRow(r.fields, add);
  }
  if (issues.length > 0) throw rejectRows(issues);
  return parsed.data;
}

function checkRow(f: ReferralRowFields, add: (field: string, message: string) => void): void {
  const region = findRegion(f.region);
  if (!region || region.code !== f.region) add('region', 'регион не найден в справочнике субъектов РФ: укажите код региона.');
  const profile = findProfile(f.centre, f.profile);
  if (!profile) add('profile', 'профиль не относится к выбранному центру: выберите профиль из списка центра.');
  else if (profile.needsPregnancyWeeks && f.pregnancyWeeks === null) add('pregnancyWeeks', 'для этого профиля укажите срок беременности в неделях.');
  else if (!profile.needsPregnancyWeeks && f.pregnancyWeeks !== null) add('pregnancyWeeks', 'срок беременности указывается только для акушерских профилей и профилей плода.');
  const today = new Date().toISOString().slice(0, 10);
  if (f.birthDate > today) add('birthDate', 'дата рождения должна быть в прошлом.');
  else if (f.birthDate < '1900-01-01') add('birthDate', 'дата рождения не может быть раньше 1900 года.');
  const snils = validateSnils(f.snils);
  if (!snils.ok) add('snils', lower(snils.message));
  if (f.enp !== null) {
    const enp = validateEnp(f.enp);
    if (!enp.ok) add('enp', lower(enp.message));
  }
  if (!normaliseIcd10(f.icd10)) add('icd10', 'код МКБ-10 записан неверно: ожидается буква и две цифры, например I21 или I21.0.');
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function rowIssue(row: number | string, field: string, message: string): Issue {
  return { path: `строка ${row}.${field}`, message: `Строка ${row}, «${headerOf(field)}»: ${message}` };
}

/** Maps zod's `rows.<index>.fields.<field>` onto the physician's row numbers. */
function rowIssuesFromZod(raw: unknown, error: z.ZodError): Issue[] {
  const rawRows = typeof raw === 'object' && raw !== null && Array.isArray((raw as { rows?: unknown }).rows) ? ((raw as { rows: unknown[] }).rows) : [];
  const out: Issue[] = [];
  for (const i of error.issues) {
    const [head, index, part, field] = i.path;
    if (head !== 'rows' || typeof index !== 'number') continue;
    const rawRow = rawRows[index] as { row?: unknown } | undefined;
    const number = typeof rawRow?.row === 'number' && Number.isInteger(rawRow.row) ? rawRow.row : `№${index + 1} по порядку`;
    out.push(rowIssue(number, part === 'fields' && typeof field === 'string' ? field : String(part ?? 'row'), russianIssue(i)));
  }
  return out;
}

function rejectRows(issues: Issue[]): AppError {
  const rows = new Set(issues.map((i) => i.path.split('.')[0]));
  const first = (issues[0]?.message ?? '').replace(/\.$/, '');
  return new AppError(
    'VALIDATION_FAILED',
    `Таблица не принята: ошибки в строках — ${rows.size}. Первая: ${first}. Исправьте строки и отправьте таблицу снова.`,
    issues.slice(0, MAX_ISSUES),
  );
}

/**
 * `referral.submit`: stores a batch as sent. The id is made on the desktop, so a batch re-sent
 * from another install (outside the push machinery's per-client exactly-once) is the same batch.
 *
 * A physician sends their own table (`origin` absent or `app`). The manager takes in a file
 * received another way (`origin.kind = 'file'`): the batch is attributed to the physician
 * account named in the origin, or to the manager when the sender has none. The same file taken
 * in twice by the manager is refused with CONFLICT naming the earlier batch (the desktop offers
 * to open it); a physician may send the same file twice, and duplicates of patients are resolved
 * at import.
 */
export async function submitReferralBatch(w: WriteScope, actor: Actor, input: ReferralSubmit): Promise<ReferralBatchSummary> {
  const origin = input.origin ?? null;
  if (actor.role === 'physician') {
    if (origin && origin.kind !== 'app') throw forbidden();
  } else if (actor.role === 'manager') {
    if (!origin || origin.kind !== 'file') {
      throw new AppError('VALIDATION_FAILED', 'Руководитель проекта принимает таблицу как полученный файл: укажите источник (регион, организация, врач).');
    }
  } else {
    throw forbidden();
  }
  const existing = await w.tx.selectFrom('referral_batches').selectAll().where('id', '=', input.id).executeTakeFirst();
  if (existing) {
    if (existing.submitted_by !== actor.userId) {
      throw new AppError('CONFLICT', 'Таблица с таким идентификатором уже существует. Создайте отправку заново.');
    }
    return toBatchSummary(existing, await fullName(w, existing.physician_id));
  }
  let physicianId = actor.userId;
  if (origin?.kind === 'file') {
    if (!input.fileHash) throw new AppError('VALIDATION_FAILED', 'Для полученного файла нужна его контрольная сумма (SHA-256).');
    const same = await w.tx
      .selectFrom('referral_batches')
      .select(['id', 'title', 'created_at'])
      .where('file_hash', '=', input.fileHash)
      .where('source', '=', 'file')
      .executeTakeFirst();
    if (same) {
      throw new AppError('CONFLICT', `Этот файл уже получен ${same.created_at.slice(0, 10)}: таблица «${same.title}». Откройте её вместо повторного приёма.`, [
        { path: 'batchId', message: same.id },
      ]);
    }
    if (origin.physicianId) {
      const p = await w.tx.selectFrom('users').select(['id', 'role', 'disabled']).where('id', '=', origin.physicianId).executeTakeFirst();
      if (!p || p.role !== 'physician' || p.disabled) throw new AppError('NOT_FOUND', 'Лечащий врач, которому приписана таблица, не найден среди пользователей сервиса.');
      physicianId = p.id;
    }
  }
  const now = new Date().toISOString();
  const row = {
    id: input.id,
    physician_id: physicianId,
    title: input.title,
    file_name: input.fileName,
    file_hash: input.fileHash,
    row_count: input.rows.length,
    rows: JSON.stringify(input.rows),
    status: 'sent',
    created_at: now,
    updated_at: now,
    source: origin?.kind ?? 'app',
    submitted_by: actor.userId,
    region: origin?.region ?? null,
    organization: origin?.organization ?? null,
    referrer: origin?.referrer ?? null,
    received_at: origin?.receivedAt ?? null,
    rejected_rows: JSON.stringify(input.rejectedRows),
  };
  await w.tx.insertInto('referral_batches').values(row).execute();
  await w.changed('batch', [row.id]);
  return toBatchSummary(row, await fullName(w, physicianId));
}

async function fullName(w: WriteScope, userId: string): Promise<string> {
  const u = await w.tx.selectFrom('users').select('full_name').where('id', '=', userId).executeTakeFirstOrThrow();
  return u.full_name;
}

export async function getVisibleBatch(db: Kysely<Database>, actor: Actor, id: string): Promise<ReferralBatch> {
  if (!(await isVisible(db, audienceOf(actor), 'batch', id))) throw notFound('Таблица направлений');
  const row = await db
    .selectFrom('referral_batches as b')
    .innerJoin('users as u', 'u.id', 'b.physician_id')
    .selectAll('b')
    .select('u.full_name as physician_name')
    .where('b.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Таблица направлений');
  return toBatch(row, row.physician_name);
}

export async function listVisibleBatches(
  db: Kysely<Database>,
  actor: Actor,
  opts: { limit: number; offset: number },
): Promise<{ items: ReferralBatchSummary[]; total: number }> {
  const audience = audienceOf(actor);
  if (!audience) return { items: [], total: 0 };
  const base = db
    .selectFrom('referral_batches as b')
    .innerJoin('sync_index as s', (j) =>
      j.onRef('s.entity_id', '=', 'b.id').on('s.entity', '=', 'batch').on('s.audience', '=', audience).on('s.deleted', '=', 0),
    );
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .innerJoin('users as u', 'u.id', 'b.physician_id')
    .select([
      'b.id', 'b.physician_id', 'b.title', 'b.file_name', 'b.file_hash', 'b.row_count', 'b.status', 'b.created_at', 'b.updated_at',
      'b.source', 'b.submitted_by', 'b.region', 'b.organization', 'b.referrer', 'b.received_at', 'b.rejected_rows',
      'u.full_name as physician_name',
    ])
    .orderBy('b.created_at', 'desc')
    .orderBy('b.id')
    .limit(opts.limit)
    .offset(opts.offset)
    .execute();
  return { items: rows.map((r) => toBatchSummary(r, r.physician_name)), total: Number(total.n) };
}
