import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { readZipDirectory } from '../../shared/referral/zip-guard.js';
import { makeSnils } from '../demo/seed.js';
import { OUTCOME_LABELS, reportFileName, ROW_HEADERS } from '../modules/batch-report.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { batchInput, batchRow, buildWorld, referral, referralBatch, type World } from './world.js';

/**
 * The per-batch XLSX report: a batch with created, linked, skipped, rejected rows and rows the file
 * check rejected, downloaded over HTTP by its physician and the manager, read back cell by cell;
 * colours and the frozen header checked in the parts; no password anywhere; and it opens in
 * LibreOffice.
 */
let server: TestServer;
let world: World;
let batchId = '';
let pendingId = '';
const db = () => server.api.ctx.db.kysely;

const TITLE = '=Направления "ноябрь"/2026\\ЦРБ';
const FILE_REJECTED = [
  { row: 8, label: 'Кривцова А. А.', reason: 'СНИЛС: неверная контрольная сумма.' },
  { row: 9, label: '=HYPERLINK("http://evil")', reason: 'Нет даты рождения.' },
];

interface Progress {
  status: string;
  running: boolean;
  error: string | null;
  rows: { row: number; outcome: string; patientId: string | null; requestId: string | null; reason: string | null }[];
}

async function waitImported(id: string): Promise<Progress> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await call<Progress>(server.url, 'GET', `/api/referral-batches/${id}/import`, { token: world.manager.token });
    expect(res.status).toBe(200);
    if (!res.body.running && (res.body.status === 'imported' || res.body.error)) return res.body;
    if (Date.now() > until) throw new Error(`import of ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function download(id: string, token: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const res = await fetch(`${server.url}/api/referral-batches/${id}/report`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
}

function part(bytes: Uint8Array, name: string): string {
  const e = readZipDirectory(bytes).find((x) => x.name === name);
  if (!e) throw new Error(`no part ${name}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = e.localHeaderOffset + 30 + view.getUint16(e.localHeaderOffset + 26, true) + view.getUint16(e.localHeaderOffset + 28, true);
  return inflateRawSync(bytes.subarray(start, start + e.compressedSize)).toString('utf8');
}

const sheetRows = (bytes: Uint8Array, sheet: string): (string | number)[][] => {
  const wb = XLSX.read(bytes, { type: 'array' });
  const ws = wb.Sheets[sheet];
  if (!ws) throw new Error(`no sheet ${sheet}`);
  return XLSX.utils.sheet_to_json<(string | number)[]>(ws, { header: 1, raw: true, defval: '' });
};

/**
 * LibreOffice headless, as electron/services/xlsx/libreoffice.test-support.ts runs it (server code
 * may not import electron/). Missing LibreOffice fails the test loudly.
 */
function findSoffice(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['soffice', 'libreoffice']) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error('LibreOffice (soffice) is not installed, so the report cannot be checked in a real spreadsheet: apt-get install -y --no-install-recommends libreoffice-calc');
}
const CSV_UTF8 = 'csv:Text - txt - csv (StarCalc):44,34,76,1';
async function sofficeConvert(file: string, to: string, outDir: string, workDir: string): Promise<void> {
  const profile = pathToFileURL(join(workDir, 'lo-profile')).href;
  await promisify(execFile)(findSoffice(), [`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', to, '--outdir', outDir, file], { timeout: 100_000 });
}

beforeAll(async () => {
  // Demo mode keeps the SMS text readable in the outbox, so the test can prove no password leaks.
  server = await startTestServer({ demo: true });
  world = await buildWorld(server);

  const existing = await referral(server, world.physicianB.actor, 'bakulev', { snils: makeSnils(Math.random) });
  const strong = await referral(server, world.physicianB.actor, 'bakulev', { snils: makeSnils(Math.random) });
  const snilsOf = async (id: string) => (await db().selectFrom('patients').select('snils').where('id', '=', id).executeTakeFirstOrThrow()).snils ?? '';
  const input = batchInput(0, { title: TITLE, rejectedRows: FILE_REJECTED });
  input.rows = [
    batchRow(2, { lastName: 'Созданова', firstName: 'Анна', middleName: 'Петровна', birthDate: '1985-03-14' }),
    // Same СНИЛС as an existing patient, to another centre: linked by default.
    batchRow(3, { lastName: 'Связанова', snils: await snilsOf(existing.patientId), centre: 'kulakov', profile: 'fetal_malformations', icd10: 'O35.0', pregnancyWeeks: 22 }),
    batchRow(4, { lastName: 'Пропускова' }),
    // «Create» for a row whose СНИЛС exists: refused at import (a strong duplicate can only be linked).
    batchRow(5, { lastName: 'Отклонёнова', snils: await snilsOf(strong.patientId), centre: 'kulakov', profile: 'fetal_malformations', icd10: 'O35.0', pregnancyWeeks: 20 }),
    batchRow(6, { lastName: 'Второва', firstName: 'Вера', middleName: null, birthDate: '1990-12-01' }),
  ];
  batchId = (await referralBatch(server, world.physicianA.actor, input)).id;
  const decided = await call(server.url, 'POST', `/api/referral-batches/${batchId}/decisions`, {
    token: world.manager.token,
    body: { decisions: [{ row: 4, decision: 'skip' }, { row: 5, decision: 'create' }] },
  });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  const started = await call(server.url, 'POST', `/api/referral-batches/${batchId}/commit`, { token: world.manager.token });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const done = await waitImported(batchId);
  expect(done.rows.map((r) => [r.row, r.outcome])).toEqual([[2, 'created'], [3, 'linked'], [4, 'skipped'], [5, 'rejected'], [6, 'created']]);

  // A second batch, sent but never imported.
  pendingId = (await referralBatch(server, world.physicianA.actor, batchInput(2, { title: 'Декабрь' }))).id;
});
afterAll(async () => server?.close());

describe('batch report (XLSX)', () => {
  it('lists every row with its outcome, reason, login and request', async () => {
    const res = await download(batchId, world.physicianA.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const disposition = decodeURIComponent(res.headers.get('content-disposition') ?? '');
    expect(disposition).toContain('Отчёт — =Направления ноябрь 2026 ЦРБ — ');
    expect(disposition).toMatch(/\.xlsx$/);

    const wb = XLSX.read(res.bytes, { type: 'array' });
    expect(wb.SheetNames).toEqual(['Итог', 'Строки']);
    const rows = sheetRows(res.bytes, 'Строки');
    expect(rows[0]).toEqual([...ROW_HEADERS]);
    const body = rows.slice(1);
    expect(body.map((r) => r[0])).toEqual([2, 3, 4, 5, 6, 8, 9]);

    const outcomes = await db().selectFrom('batch_import_rows').selectAll().where('batch_id', '=', batchId).execute();
    const o = (row: number) => outcomes.find((x) => Number(x.row) === row);
    const loginOf = async (patientId: string | null | undefined) =>
      (await db().selectFrom('users').select('login').where('patient_id', '=', patientId ?? '').executeTakeFirstOrThrow()).login;
    const line = (row: number) => body.find((r) => r[0] === row) ?? [];

    expect(line(2)).toEqual([2, 'Созданова Анна Петровна', '14.03.1985', expect.stringMatching(/^\d{3}-\d{3}-\d{3} \d{2}$/), 'НМИЦ ССХ им. А.Н. Бакулева', expect.any(String), 'Создан пациент', '', await loginOf(o(2)?.patient_id), o(2)?.request_id]);
    expect(line(3).slice(6)).toEqual(['Связан с существующим', '', '', o(3)?.request_id]);
    expect(line(3)[4]).toBe('НМИЦ АГП им. В.И. Кулакова');
    expect(line(4).slice(6)).toEqual(['Пропущено', 'Пропущено по решению руководителя проекта.', '', '']);
    expect(line(5).slice(6)).toEqual(['Отклонено', o(5)?.reason, '', '']);
    expect(String(line(5)[7])).toContain('СНИЛС');
    expect(line(6)[1]).toBe('Второва Вера');
    expect(line(6).slice(6, 9)).toEqual(['Создан пациент', '', await loginOf(o(6)?.patient_id)]);
    expect(line(8)).toEqual([8, 'Кривцова А. А.', '', '', '', '', 'Отклонено при проверке файла', 'СНИЛС: неверная контрольная сумма.', '', '']);
    // Formula-looking text stays text.
    expect(line(9)[1]).toBe(`'=HYPERLINK("http://evil")`);
    expect(line(9)[6]).toBe(OUTCOME_LABELS.file_rejected);

    // The summary block.
    const summary = sheetRows(res.bytes, 'Итог');
    const value = (label: string) => summary.find((r) => r[0] === label)?.[1];
    expect(summary[0]?.[0]).toBe('Отчёт по таблице направлений');
    expect(value('Таблица')).toBe(`'${TITLE}`);
    expect(value('Файл')).toBe('napravleniya.xlsx');
    expect(value('Врач')).toBe('phys-a');
    expect(value('Состояние')).toBe('Импортирована');
    expect(String(value('Получена'))).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} МСК$/);
    expect(value('Всего строк')).toBe(7);
    expect(value('Создано пациентов')).toBe(2);
    expect(value('Связано с существующими')).toBe(1);
    expect(value('Пропущено')).toBe(1);
    expect(value('Отклонено')).toBe(3);
    expect(value('  в т. ч. при проверке файла')).toBe(2);
    expect(value('Не импортировано')).toBe(0);

    // Cells hold values, never formulas.
    for (const name of ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']) expect(part(res.bytes, name)).not.toContain('<f>');

    // The report was audited with the patients it names.
    const ev = await db().selectFrom('audit_events').select(['details', 'actor_id']).where('action', '=', 'referral.report').where('entity_id', '=', batchId).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(ev.actor_id).toBe(world.physicianA.id);
    const named = (JSON.parse(ev.details ?? '{}') as { patientIds: string[] }).patientIds;
    expect(new Set(named)).toEqual(new Set(outcomes.flatMap((x) => (x.patient_id ? [x.patient_id] : []))));
  });

  it('colours the outcome cells and freezes the header row', async () => {
    const { bytes } = await download(batchId, world.manager.token);
    const styles = part(bytes, 'xl/styles.xml');
    const fills = [...styles.matchAll(/<fill>(.*?)<\/fill>/g)].map((m) => /fgColor rgb="(\w+)"/.exec(m[1] ?? '')?.[1] ?? null);
    const xfs = [...(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '').matchAll(/<xf [^>]*fillId="(\d+)"/g)].map((m) => Number(m[1]));
    const sheet = part(bytes, 'xl/worksheets/sheet2.xml');
    expect(sheet).toMatch(/<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"\/>/);
    const fillOf = (ref: string) => {
      const s = new RegExp(`<c r="${ref}"[^>]* s="(\\d+)"`).exec(sheet)?.[1];
      return fills[xfs[Number(s)] ?? 0];
    };
    // Rows 2..6, 8, 9 sit on sheet rows 2..8; the outcome is column G.
    expect(fillOf('G2')).toBe('FFC6EFCE');
    expect(fillOf('G3')).toBe('FFBDD7EE');
    expect(fillOf('G4')).toBe('FFEDEDED');
    expect(fillOf('G5')).toBe('FFFFC7CE');
    expect(fillOf('G7')).toBe('FFFFC7CE');
    expect(fillOf('A2')).toBeNull();
  });

  it('never contains a password', async () => {
    const { bytes } = await download(batchId, world.manager.token);
    const xml = ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml'].map((n) => part(bytes, n)).join('\n');
    const outcomes = await db().selectFrom('batch_import_rows').select('patient_id').where('batch_id', '=', batchId).where('outcome', '=', 'created').execute();
    const sms = await db().selectFrom('sms_outbox').select('body').where('patient_id', 'in', outcomes.map((x) => x.patient_id ?? '')).execute();
    expect(sms).toHaveLength(2);
    for (const m of sms) {
      const secret = /пароль ([a-z2-9]{16})/.exec(m.body)?.[1] ?? '';
      expect(secret).toHaveLength(16);
      expect(xml).not.toContain(secret);
    }
    expect(xml.toLowerCase()).not.toContain('пароль');
  });

  it('marks every row of a batch not imported yet', async () => {
    const res = await download(pendingId, world.manager.token);
    expect(res.status).toBe(200);
    const body = sheetRows(res.bytes, 'Строки').slice(1);
    expect(body).toHaveLength(2);
    for (const r of body) expect(r.slice(6)).toEqual(['Не импортировано', 'Таблица ещё не импортирована.', '', '']);
    const summary = sheetRows(res.bytes, 'Итог');
    expect(summary.find((r) => r[0] === 'Не импортировано')?.[1]).toBe(2);
    expect(summary.find((r) => r[0] === 'Состояние')?.[1]).toBe('Отправлена, ещё не импортирована');
  });

  it('is for the batch’s physician and the manager only', async () => {
    expect((await download(batchId, world.physicianB.token)).status).toBe(404);
    expect((await download(batchId, world.doctorBakulev.token)).status).toBe(403);
    expect((await download(batchId, world.patientA.token)).status).toBe(403);
    expect((await download(batchId, world.admin.token)).status).toBe(403);
    expect((await download(batchId, '')).status).toBe(401);
    expect((await download('00000000-0000-4000-8000-000000000000', world.manager.token)).status).toBe(404);
  });

  it('makes a safe file name', () => {
    const at = new Date('2026-11-22T10:00:00Z');
    expect(reportFileName('Список/№5\u0000: "ЦРБ"', at)).toBe('Отчёт — Список №5 ЦРБ — 22.11.2026.xlsx');
    expect(reportFileName('../..', at)).toBe('Отчёт — таблица направлений — 22.11.2026.xlsx');
    expect(reportFileName('x'.repeat(500), at).length).toBeLessThan(160);
  });

  it('opens in LibreOffice', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oblako-report-lo-'));
    try {
      const { bytes } = await download(batchId, world.manager.token);
      const file = join(dir, 'report.xlsx');
      await writeFile(file, bytes);
      await sofficeConvert(file, CSV_UTF8, dir, dir);
      const csv = join(dir, 'report.csv');
      expect(existsSync(csv), 'LibreOffice could not open the report').toBe(true);
      expect(await readFile(csv, 'utf8')).toContain('Отчёт по таблице направлений');
      // Saved again by LibreOffice, the rows sheet keeps every outcome.
      const out = join(dir, 'resaved');
      await sofficeConvert(file, 'xlsx', out, dir);
      const resaved = new Uint8Array(await readFile(join(out, 'report.xlsx')));
      const rows = sheetRows(resaved, 'Строки');
      expect(rows.slice(1).map((r) => r[6])).toEqual(['Создан пациент', 'Связан с существующим', 'Пропущено', 'Отклонено', 'Создан пациент', 'Отклонено при проверке файла', 'Отклонено при проверке файла']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
