import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';
import { makeSnilsNumber } from '../../shared/referral/fixtures/generate.js';
import { makeXlsx } from '../../shared/referral/fixtures/make-xlsx.js';
import { ApiUser, ROOT, tempDir } from './processes.js';

/** `npm run admin -- …` against the running API's data directory, as an operator would. */
export function admin(dataDir: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, OBLAKO_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, out })));
}

/** A referral table with one new patient, imported for real; returns their SMS credentials. */
export async function importPatient(apiUrl: string, dataDir: string, lastName: string): Promise<{ login: string; password: string }> {
  const snils = makeSnilsNumber(() => crypto.randomInt(0, 1_000_000) / 1_000_000);
  const phone = `+7 9${String(crypto.randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  const file = path.join(tempDir('portal'), 'направления.xlsx');
  fs.writeFileSync(
    file,
    makeXlsx([
      {
        name: 'Направления',
        rows: [
          ['№', 'Ф.И.О. пациента', 'Пол', 'Дата рожд.', 'СНИЛС', 'Телефон', 'Регион', 'МО', 'Лечащий врач', 'Центр', 'Профиль', 'МКБ-10', 'Диагноз', 'Срочность'],
          [1, `${lastName} Игорь Петрович`, 'муж', '01.02.1980', snils, phone, 'Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая'],
        ],
      },
    ]),
  );
  const r = await admin(dataDir, ['import', file, '--commit', '--physician', 'demo-physician', '--json']);
  expect(r.code, r.out).toBe(0);
  // Demo mode shows the SMS text to the manager; elsewhere the password is masked.
  const manager = await ApiUser.signIn(apiUrl, 'demo-manager');
  const normalised = phone.replace(/\s/g, '');
  const outbox = await manager.call<{ items: { phone: string; kind: string | null; text: string }[] }>('GET', '/api/sms-outbox?limit=500');
  const sms = outbox.items.find((m) => m.phone === normalised && m.kind === 'credentials');
  expect(sms, `no credentials SMS for ${normalised}`).toBeTruthy();
  const m = /логин (\S+) пароль (\S+)/.exec(sms?.text ?? '');
  expect(m, sms?.text).toBeTruthy();
  return { login: m?.[1] ?? '', password: m?.[2] ?? '' };
}

