import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReferralXlsx } from '../../shared/referral/fixtures/generate.js';
import { makeXlsx, toSerial } from '../../shared/referral/fixtures/make-xlsx.js';
import { createUser } from '../auth/accounts.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, type TestDatabase } from './harness.js';
import { envFor, runAdmin } from './processes.js';
import { PASSWORD } from './world.js';

/** `admin import <file> --commit --physician <login>`: a file straight into patients, requests and SMS. */
let db: TestDatabase;
let dir: string;
let file: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const conn = openDatabase(db.database);
  await migrateToLatest(conn);
  await createUser(conn.kysely, { login: 'cli-phys', password: PASSWORD, role: 'physician', fullName: 'Сидоров С. П.' }, null);
  await createUser(conn.kysely, { login: 'cli-manager', password: PASSWORD, role: 'manager', fullName: 'Руководитель' }, null);
  await conn.close();
  dir = await mkdtemp(path.join(os.tmpdir(), 'oblako-commit-cli-'));
  file = path.join(dir, 'table.xlsx');
  await writeFile(
    file,
    makeXlsx([
      {
        name: 'Направления',
        rows: [
          ['Список пациентов для телеконсультаций'],
          ['№', 'Ф.И.О. пациента', 'Пол', 'Дата рожд.', 'СНИЛС', 'Телефон', 'Регион', 'МО', 'Лечащий врач', 'Центр', 'Профиль', 'МКБ-10', 'Диагноз', 'Срочность', 'Срок, нед.'],
          [1, 'Иванов Иван Иванович', 'муж', { serialDate: toSerial('1980-02-01') }, '112-233-445 95', '8 (912) 345-67-89', 'Татарстан', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая', null],
          [2, 'Петрова Анна', 'ж', '01.02.1990', '08765430300', '+7 922 111-22-33', '16', 'РКБ', 'Сидоров С.П.', 'Кулакова', 'Аритмии у плода', 'O36.8', 'Аритмия', 'неотложная', 24],
          [3, 'Кузнецов Олег', 'x', '31.02.1970', '112-233-445 96', '12345', 'Нарния', 'РКБ', 'Сидоров С.П.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая', null],
        ],
      },
    ]),
  );
});
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('admin import --commit', () => {
  it('imports the valid rows with default decisions and prints one JSON object', async () => {
    const r = await runAdmin(envFor(db), ['import', file, '--commit', '--physician', 'cli-phys', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; summary: Record<string, number>; invalidRows: { row: number }[] };
    expect(out.status).toBe('imported');
    expect(out.summary).toEqual({ rows: 3, invalid: 1, sent: 2, created: 2, linked: 0, skipped: 0, rejected: 0 });
    expect(out.invalidRows.map((x) => x.row)).toEqual([5]);
    const conn = openDatabase(db.database);
    try {
      const sms = await conn.kysely.selectFrom('sms_outbox').select(['phone', 'kind', 'body']).orderBy('phone').execute();
      expect(sms.map((m) => [m.phone, m.kind])).toEqual([['+79123456789', 'credentials'], ['+79221112233', 'credentials']]);
      const phys = await conn.kysely.selectFrom('users').select('id').where('login', '=', 'cli-phys').executeTakeFirstOrThrow();
      const patients = await conn.kysely.selectFrom('patients').select('referred_by').execute();
      expect(patients.map((p) => p.referred_by)).toEqual([phys.id, phys.id]);
    } finally {
      await conn.close();
    }
  });

  it('the same file again creates nothing: its rows are skipped as re-sends, in Russian', async () => {
    const r = await runAdmin(envFor(db), ['import', file, '--commit', '--physician', 'cli-phys']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Создано пациентов: 0');
    expect(r.stdout).toContain('связано с существующими: 0; пропущено: 2');
    expect(r.stdout).toContain('импортирована');
  });

  it('a file over one batch (5,000 rows) goes in as consecutive parts, every row once', async () => {
    const big = path.join(dir, 'big.xlsx');
    await writeFile(big, generateReferralXlsx(5_100, 77));
    const r = await runAdmin(envFor(db), ['import', big, '--commit', '--physician', 'cli-phys', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; batchIds: string[]; summary: { sent: number; created: number; linked: number; skipped: number; rejected: number } };
    expect(out.status).toBe('imported');
    expect(out.batchIds).toHaveLength(2);
    expect(out.summary.sent).toBe(5_100);
    expect(out.summary.created + out.summary.linked + out.summary.skipped + out.summary.rejected).toBe(5_100);
    const conn = openDatabase(db.database);
    try {
      const parts = await conn.kysely.selectFrom('referral_batches').select(['title', 'row_count']).where('id', 'in', out.batchIds).orderBy('title').execute();
      expect(parts.map((p) => [p.title, Number(p.row_count)])).toEqual([
        ['Импорт из файла big.xlsx (часть 1 из 2)', 5_000],
        ['Импорт из файла big.xlsx (часть 2 из 2)', 100],
      ]);
      const outcomes = await conn.kysely.selectFrom('batch_import_rows').select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', 'in', out.batchIds).executeTakeFirstOrThrow();
      expect(Number(outcomes.n)).toBe(5_100);
    } finally {
      await conn.close();
    }
  });

  it('refuses an unknown physician', async () => {
    const r = await runAdmin(envFor(db), ['import', file, '--commit', '--physician', 'nobody']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nobody');
  });
});
