import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyseWorkbook, type ReferralAnalysis } from '../../shared/referral/analyse.js';
import { REFERRAL_COLUMNS } from '../../shared/referral/columns.js';
import { ReferralFileError } from '../../shared/referral/codes.js';
import { DEFAULT_READ_LIMITS, readXlsx } from '../../shared/referral/read-xlsx.js';
import { commitReferralFile } from './referral-commit.js';

/**
 * `npm run admin -- import <file.xlsx> --dry-run [--json]`: checks a referral table exactly as the
 * desktop import will (the same shared engine) and prints every row's normalised fields and
 * problems. Nothing is written anywhere. With `--commit --physician <login>` the valid rows are
 * imported (see referral-commit.ts).
 */
export const IMPORT_USAGE = `  import <файл.xlsx> --dry-run [--json]
                                проверить таблицу направлений: каждая строка, её поля и ошибки (в базу ничего не пишется)
  import <файл.xlsx> --commit --physician <логин> [--manager <логин>] [--json]
                                импортировать строки без ошибок как таблицу этого врача: пациенты, заявки,
                                учётные записи и SMS с паролями; строки с возможными дубликатами пропускаются`;

type Out = Pick<NodeJS.WriteStream, 'write'>;

/** Resolves once the chunk is handed to the OS: a large report must not be cut by process.exit. */
function write(out: Out, s: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(s, (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

const SKIP_LABEL: Record<string, string> = { title: 'заголовок над таблицей', blank: 'пустая', totals: 'итоговая', header: 'строка заголовков' };
const HEADER_OF = new Map<string, string>(REFERRAL_COLUMNS.map((c) => [c.key, c.header]));

/** The JSON contract: `rows` and `summary` exactly as documented; the rest is extra. */
async function writeJson(out: Out, a: ReferralAnalysis): Promise<void> {
  await write(out, '{"rows":[');
  const CHUNK = 1000;
  for (let i = 0; i < a.rows.length; i += CHUNK) {
    const part = a.rows
      .slice(i, i + CHUNK)
      .map((r) => JSON.stringify({ row: r.row, fields: r.fields, errors: r.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })) }))
      .join(',');
    await write(out, (i ? ',' : '') + part);
  }
  const tail = {
    summary: { total: a.summary.total, valid: a.summary.valid, invalid: a.summary.invalid },
    skipped: a.skipped,
    warnings: a.rows.flatMap((r) => r.warnings.map((w) => ({ row: r.row, ...w }))),
    sheet: a.sheet,
    mapping: { headerRow: a.mapping.headerRow + 1, signature: a.mapping.signature, columns: a.mapping.columns },
    notices: a.notices,
  };
  await write(out, `],${JSON.stringify(tail).slice(1)}\n`);
}

async function writeHuman(out: Out, file: string, a: ReferralAnalysis): Promise<void> {
  const lines: string[] = [];
  lines.push(`Файл: ${path.basename(file)}, лист «${a.sheet.name}», заголовки в строке ${a.mapping.headerRow + 1}.`);
  lines.push('Колонки:');
  for (const c of a.mapping.columns) {
    const target = c.target === null ? 'не сопоставлена' : c.target === 'fullName' ? 'ФИО (делится на фамилию, имя, отчество)' : c.target === 'rowNumber' ? '№ (не импортируется)' : `«${HEADER_OF.get(c.target)}»`;
    lines.push(`  «${c.header}» → ${target}`);
  }
  for (const n of a.notices) lines.push(`Внимание: ${n.message}`);
  lines.push(`Строк с пациентами: ${a.summary.total}; без ошибок: ${a.summary.valid}; с ошибками: ${a.summary.invalid}.`);
  const byReason = new Map<string, number>();
  for (const s of a.skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  if (a.skipped.length) lines.push(`Пропущено строк: ${a.skipped.length} (${[...byReason].map(([r, n]) => `${SKIP_LABEL[r] ?? r} — ${n}`).join(', ')}).`);
  const invalid = a.rows.filter((r) => r.errors.length);
  const SHOWN = 50;
  if (invalid.length) lines.push('Ошибки:');
  for (const r of invalid.slice(0, SHOWN)) {
    for (const e of r.errors) lines.push(`  строка ${r.row}, «${HEADER_OF.get(e.field) ?? e.field}»: ${e.message}`);
  }
  if (invalid.length > SHOWN) lines.push(`  … и ещё ${invalid.length - SHOWN} строк с ошибками (полный список: --json).`);
  const warned = a.rows.filter((r) => r.warnings.length);
  if (warned.length) lines.push(`Строк с предупреждениями (их можно импортировать): ${warned.length}; например, строка ${warned[0]!.row}: ${warned[0]!.warnings[0]!.message}`);
  lines.push('Проверка без записи: в базу данных ничего не записано.');
  await write(out, `${lines.join('\n')}\n`);
}

/** In its own function so that the sheet matrices can be collected before the report is written. */
async function analyseFile(bytes: Uint8Array, today: string | undefined): Promise<ReferralAnalysis> {
  const wb = await readXlsx(bytes);
  return analyseWorkbook(wb.sheets, { date1904: wb.date1904, ...(today ? { today } : {}) });
}

export async function runReferralImport(args: string[], io: { stdout: Out; stderr: Out } = process): Promise<number> {
  let values: { 'dry-run'?: boolean; commit?: boolean; physician?: string; manager?: string; json?: boolean; today?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, commit: { type: 'boolean' }, physician: { type: 'string' }, manager: { type: 'string' }, json: { type: 'boolean' }, today: { type: 'string' } } }));
  } catch (err) {
    await write(io.stderr, `Ошибка: ${err instanceof Error ? err.message : String(err)}\nИспользование: npm run admin --\n${IMPORT_USAGE}\n`);
    return 2;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    await write(io.stderr, `Укажите один файл .xlsx.\nИспользование: npm run admin --\n${IMPORT_USAGE}\n`);
    return 2;
  }
  if (values['dry-run'] === values.commit) {
    await write(io.stderr, 'Укажите режим: --dry-run (только проверить таблицу) или --commit --physician <логин> (импортировать).\n');
    return 2;
  }
  if (values.commit && !values.physician) {
    await write(io.stderr, 'Для импорта укажите врача, направившего пациентов: --physician <логин>.\n');
    return 2;
  }
  let bytes: Uint8Array;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    // Checked before reading so that a huge file is never loaded into memory.
    if (st.size > DEFAULT_READ_LIMITS.maxFileBytes) {
      await write(io.stderr, `Ошибка (FILE_TOO_LARGE): файл слишком большой (${Math.round(st.size / 1024 / 1024)} МБ, допустимо до ${Math.round(DEFAULT_READ_LIMITS.maxFileBytes / 1024 / 1024)} МБ): разделите таблицу на несколько файлов.\n`);
      return 1;
    }
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'файл не найден' : code === 'EACCES' ? 'нет прав на чтение' : code === 'EISDIR' ? 'это папка, а не файл' : 'не удалось прочитать файл';
    await write(io.stderr, `Ошибка: ${why}: ${file}\n`);
    return 1;
  }
  try {
    const analysis = await analyseFile(bytes, values.today);
    if (values.commit) {
      return await commitReferralFile({ file, bytes, analysis, physician: values.physician ?? '', manager: values.manager, json: values.json === true }, io, write);
    }
    if (values.json) await writeJson(io.stdout, analysis);
    else await writeHuman(io.stdout, file, analysis);
    return 0;
  } catch (err) {
    if (err instanceof ReferralFileError) {
      await write(io.stderr, `Ошибка (${err.code}): ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
