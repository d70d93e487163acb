import crypto from 'node:crypto';
import path from 'node:path';
import { REFERRAL_BATCH_MAX_ROWS, ReferralBatchRow, type ReferralSubmit } from '../../shared/domain/referrals.js';
import type { ReferralAnalysis } from '../../shared/referral/analyse.js';
import type { Actor } from '../auth/actor.js';
import { Role } from '../../shared/domain/roles.js';
import { loadConfig } from '../config.js';
import { writeTransaction, type AppContext } from '../context.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { commitBatchImport, getImportStatus } from '../modules/batch-import.js';
import { submitReferralBatch, validateReferralSubmit } from '../modules/referral-batches.js';

/**
 * `import <file> --commit --physician <login> [--manager <login>] [--json]`: the file's valid rows
 * are submitted as a batch of that physician (as several, of at most 5,000 rows each, for a
 * larger file) and imported at once with the default decisions
 * (rows whose duplicates need a person's decision are skipped and listed). Rows with errors are
 * not sent and are listed too.
 */
export interface CommitArgs {
  file: string;
  bytes: Uint8Array;
  analysis: ReferralAnalysis;
  physician: string;
  manager: string | undefined;
  json: boolean;
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function commitReferralFile(a: CommitArgs, io: { stdout: Out; stderr: Out }, write: (out: Out, s: string) => Promise<void>): Promise<number> {
  const fail = async (message: string, code = 1) => {
    await write(io.stderr, `Ошибка: ${message}\n`);
    return code;
  };
  const invalid: { row: number; errors: { field: string; code: string; message: string }[] }[] = [];
  const rows: ReferralBatchRow[] = [];
  for (const r of a.analysis.rows) {
    if (r.errors.length > 0) {
      invalid.push({ row: r.row, errors: r.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })) });
      continue;
    }
    const parsed = ReferralBatchRow.safeParse({ row: r.row, fields: r.fields });
    if (parsed.success) rows.push(parsed.data);
    else invalid.push({ row: r.row, errors: [{ field: String(parsed.error.issues[0]?.path.at(-1) ?? 'row'), code: 'INVALID', message: 'значение не соответствует формату таблицы направлений' }] });
  }
  if (rows.length === 0) return fail('в файле нет ни одной строки без ошибок: импортировать нечего.');

  const config = loadConfig();
  const db = openDatabase(config.database);
  const ctx: AppContext = { config, db, pokes: { poke: () => undefined } };
  try {
    await migrateToLatest(db);
    const k = db.kysely;
    const phys = await k.selectFrom('users').selectAll().where('login', '=', a.physician.toLowerCase()).executeTakeFirst();
    if (!phys || phys.role !== 'physician' || Number(phys.disabled) === 1) {
      return fail(`врач с логином «${a.physician}» не найден (нужна действующая учётная запись с ролью «врач»).`, 2);
    }
    const managerRow = await k
      .selectFrom('users')
      .selectAll()
      .where('role', '=', 'manager')
      .where('disabled', '=', 0)
      .$if(a.manager !== undefined, (q) => q.where('login', '=', (a.manager ?? '').toLowerCase()))
      .orderBy('login')
      .executeTakeFirst();
    if (!managerRow) {
      return fail(a.manager ? `руководитель проекта с логином «${a.manager}» не найден.` : 'в сервисе нет учётной записи руководителя проекта: импорт выполняется от его имени. Создайте её (create-user --role manager).', 2);
    }
    const actorOf = (u: { id: string; role: string }): Actor => ({
      userId: u.id,
      role: Role.parse(u.role),
      centre: null,
      patientId: null,
      isDuty: false,
      sessionId: 'cli',
      mustChangePassword: false,
    });
    // A batch holds at most REFERRAL_BATCH_MAX_ROWS rows: a bigger file goes in as consecutive
    // parts, each imported by the same job before the next is submitted.
    const parts: ReferralBatchRow[][] = [];
    for (let i = 0; i < rows.length; i += REFERRAL_BATCH_MAX_ROWS) parts.push(rows.slice(i, i + REFERRAL_BATCH_MAX_ROWS));
    const fileName = path.basename(a.file).slice(0, 255);
    const fileHash = crypto.createHash('sha256').update(a.bytes).digest('hex');
    const manager = actorOf(managerRow);
    const batchIds: string[] = [];
    const totals = { created: 0, linked: 0, skipped: 0, rejected: 0 };
    const skipped: { row: number; reason: string | null }[] = [];
    const rejected: { row: number; reason: string | null }[] = [];
    let error: string | null = null;
    let allImported = true;
    for (const [i, part] of parts.entries()) {
      const suffix = parts.length > 1 ? ` (часть ${i + 1} из ${parts.length})` : '';
      const input: ReferralSubmit = {
        id: crypto.randomUUID(),
        title: `Импорт из файла ${fileName}`.slice(0, 200 - suffix.length) + suffix,
        fileName,
        fileHash,
        rows: part,
        // The rows that failed the check travel with the first part, for its report.
        rejectedRows: i === 0 ? invalid.slice(0, REFERRAL_BATCH_MAX_ROWS).map((r) => ({ row: r.row, label: `Строка ${r.row}`, reason: r.errors.map((e) => e.message).join('; ').slice(0, 1000) || 'ошибка в строке' })) : [],
      };
      let batchId: string;
      try {
        batchId = (await writeTransaction(ctx, (w) => submitReferralBatch(w, actorOf(phys), validateReferralSubmit(input)))).id;
      } catch (err) {
        if (err instanceof AppError) return fail(`таблица не принята сервером${suffix}: ${err.message}`);
        throw err;
      }
      batchIds.push(batchId);
      const handle = await commitBatchImport(ctx, manager, batchId, { undecided: 'skip' });
      await handle.finished;
      const status = await getImportStatus(k, manager, batchId);
      for (const key of ['created', 'linked', 'skipped', 'rejected'] as const) totals[key] += status[key];
      for (const r of status.rows) {
        if (r.outcome === 'skipped') skipped.push({ row: r.row, reason: r.reason });
        if (r.outcome === 'rejected') rejected.push({ row: r.row, reason: r.reason });
      }
      if (status.status !== 'imported') {
        allImported = false;
        error = status.error;
        break;
      }
    }
    const status = { status: allImported ? 'imported' : 'importing', ...totals, error };
    const batchId = batchIds.join(', ');
    if (a.json) {
      await write(
        io.stdout,
        `${JSON.stringify({
          batchId: batchIds[0],
          batchIds,
          status: status.status,
          file: path.basename(a.file),
          physician: phys.login,
          manager: managerRow.login,
          summary: {
            rows: a.analysis.summary.total,
            invalid: invalid.length,
            sent: rows.length,
            created: status.created,
            linked: status.linked,
            skipped: status.skipped,
            rejected: status.rejected,
          },
          invalidRows: invalid,
          skippedRows: skipped,
          rejectedRows: rejected,
          error: status.error,
        })}\n`,
      );
    } else {
      const lines = [
        `Файл: ${path.basename(a.file)}; направивший врач: ${phys.full_name} (${phys.login}); импорт от имени: ${managerRow.full_name} (${managerRow.login}).`,
        `Строк с пациентами: ${a.analysis.summary.total}; с ошибками (не импортированы): ${invalid.length}; отправлено в импорт: ${rows.length}.`,
        `Создано пациентов: ${status.created} (каждому поставлено в очередь SMS с логином и паролем); связано с существующими: ${status.linked}; пропущено: ${status.skipped}; отклонено: ${status.rejected}.`,
      ];
      if (invalid.length) lines.push(`Строки с ошибками: ${invalid.slice(0, 50).map((r) => r.row).join(', ')}${invalid.length > 50 ? ' …' : ''} (подробно: import --dry-run).`);
      if (skipped.length) lines.push(`Пропущены (возможные дубликаты, нужно решение руководителя проекта в программе): строки ${skipped.slice(0, 50).map((r) => r.row).join(', ')}${skipped.length > 50 ? ' …' : ''}.`);
      for (const r of rejected.slice(0, 50)) lines.push(`  строка ${r.row}: ${r.reason ?? 'отклонена'}`);
      if (status.error) lines.push(`Внимание: ${status.error}`);
      lines.push(`${batchIds.length > 1 ? 'Таблицы' : 'Таблица'} ${batchId}: ${status.status === 'imported' ? (batchIds.length > 1 ? 'импортированы' : 'импортирована') : 'импорт не завершён'}.`);
      await write(io.stdout, `${lines.join('\n')}\n`);
    }
    return status.status === 'imported' ? 0 : 1;
  } finally {
    await db.close();
  }
}
