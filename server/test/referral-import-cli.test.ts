import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERRAL_FIELD_KEYS } from '../../shared/referral/columns.js';
import { makeXlsx, toSerial } from '../../shared/referral/fixtures/make-xlsx.js';

/** The admin CLI's `import --dry-run --json` contract, run as a real process. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

function admin(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No database configuration at all: a dry run must not need one.
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/admin.ts'), ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'oblako-import-cli-'));
  const bytes = makeXlsx([
    { name: 'Пояснения', rows: [['Таблица на втором листе']] },
    {
      name: 'Направления',
      rows: [
        ['Список пациентов для телеконсультаций'],
        [],
        ['№', 'Ф.И.О. пациента', 'Пол', 'Дата рожд.', 'СНИЛС', 'Телефон', 'Регион', 'МО', 'Лечащий врач', 'Центр', 'Профиль', 'МКБ-10', 'Диагноз', 'Срочность', 'Срок, нед.'],
        [1, 'Иванов Иван Иванович', 'муж', { serialDate: toSerial('1980-02-01') }, '112-233-445 95', '8 (912) 345-67-89', 'Татарстан', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая', null],
        [2, 'Петрова Анна', 'ж', '01.02.1990', '08765430300', '+7 922 111-22-33', '16', 'РКБ', 'Сидоров С.П.', 'Кулакова', 'Аритмии у плода', 'O36.8', 'Аритмия', 'неотложная', { formula: '20+4', cached: 24 }],
        [3, 'Иванов Иван Иванович', 'м', '1980-02-01', '112 233 445 95', '89123456789', 'Татарстан', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая', null],
        [4, 'Кузнецов Олег', 'x', '31.02.1970', '112-233-445 96', '12345', 'Нарния', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая', null],
        [],
        ['Итого', 4],
      ],
    },
  ]);
  await writeFile(path.join(dir, 'table.xlsx'), bytes);
  await writeFile(path.join(dir, 'not-excel.xlsx'), 'Фамилия;Имя\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('admin import --dry-run', () => {
  it('prints exactly one JSON object with every row, its normalised fields and its errors', async () => {
    const r = await admin('import', path.join(dir, 'table.xlsx'), '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      rows: { row: number; fields: Record<string, unknown>; errors: { field: string; code: string; message: string }[] }[];
      summary: Record<string, number>;
      skipped: { row: number; reason: string }[];
    };
    expect(out.summary).toEqual({ total: 4, valid: 2, invalid: 2 });
    expect(out.rows.map((x) => x.row)).toEqual([4, 5, 6, 7]);
    for (const row of out.rows) {
      expect(Object.keys(row).sort()).toEqual(['errors', 'fields', 'row']);
      expect(Object.keys(row.fields)).toEqual(REFERRAL_FIELD_KEYS);
      for (const e of row.errors) {
        expect(Object.keys(e).sort()).toEqual(['code', 'field', 'message']);
        expect(REFERRAL_FIELD_KEYS).toContain(e.field);
        expect(e.code).toMatch(/^[A-Z0-9_]+$/);
        expect(e.message).toMatch(/[а-яё]/i);
      }
    }
    expect(out.rows[0]!.fields).toMatchObject({ lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', sex: 'male', birthDate: '1980-02-01', snils: '11223344595', phone: '+79123456789', region: '16', centre: 'bakulev', profile: 'rhythm_disorders' });
    expect(out.rows[1]!.fields).toMatchObject({ birthDate: '1990-02-01', snils: '08765430300', phone: '+79221112233', centre: 'kulakov', pregnancyWeeks: 24, urgency: 'urgent' });
    expect(out.rows[2]!.errors.map((e) => e.code)).toEqual(['DUPLICATE']);
    expect(out.rows[3]!.errors.map((e) => e.field)).toEqual(['sex', 'birthDate', 'snils', 'phone', 'region']);
    expect(out.skipped).toEqual([
      { row: 1, reason: 'title' },
      { row: 2, reason: 'blank' },
      { row: 3, reason: 'header' },
      { row: 8, reason: 'blank' },
      { row: 9, reason: 'totals' },
    ]);
  });

  it('prints a readable Russian summary without --json', async () => {
    const r = await admin('import', path.join(dir, 'table.xlsx'), '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Строк с пациентами: 4; без ошибок: 2; с ошибками: 2.');
    expect(r.stdout).toContain('ничего не записано');
  });

  it('fails with a message on stderr and a non-zero code for unreadable files; refuses an import with neither --dry-run nor --commit', async () => {
    const bad = await admin('import', path.join(dir, 'not-excel.xlsx'), '--dry-run', '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('NOT_XLSX');
    const missing = await admin('import', path.join(dir, 'missing.xlsx'), '--dry-run', '--json');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('файл не найден');
    const real = await admin('import', path.join(dir, 'table.xlsx'));
    expect(real.code).not.toBe(0);
    expect(real.stderr).toContain('--dry-run');
  });
});
