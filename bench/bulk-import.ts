import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../server/auth/actor.js';
import { createUser } from '../server/auth/accounts.js';
import { importChunkRows, type ServerConfig } from '../server/config.js';
import { writeTransaction, type AppContext } from '../server/context.js';
import { openDatabase, type Db } from '../server/db/connection.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { commitBatchImport, findDuplicateCandidates, getImportStatus } from '../server/modules/batch-import.js';
import { submitReferralBatch, validateReferralSubmit } from '../server/modules/referral-batches.js';
import { REFERRAL_BATCH_MAX_ROWS, ReferralBatchRow } from '../shared/domain/referrals.js';
import { Role } from '../shared/domain/roles.js';
import { generateReferralXlsx, lcg, makeEnpNumber, makeSnilsNumber, referralRow } from '../shared/referral/fixtures/generate.js';
import { analyseWorkbook, readXlsx } from '../shared/referral/index.js';

/**
 * Bulk import end to end (issue #5): a generated referral file of N rows through the path of
 * `npm run admin -- import <file> --commit` — streaming parse, shared validation, batches stored
 * (the server takes at most REFERRAL_BATCH_MAX_ROWS rows per batch, so the file is split into
 * batches of that size), duplicate check against N existing patients, the chunked import job
 * (patients, requests, accounts with one-time passwords, credentials SMS in the outbox) — then the
 * counts are verified. Baseline in the same run, in its own process: the same reader alone (raw
 * parse) and the same number of patient rows inserted with plain batched INSERTs in one
 * transaction into a fresh database (raw insert). Each measurement runs in its own child process
 * so that its peak memory is its own.
 *
 * Existing patients: N, of which 5 % share a row's СНИЛС (default decision: link) and 2 % share a
 * row's surname + name + birth date + phone with another СНИЛС (undecided: the CLI skips them).
 *
 * `tsx bench/bulk-import.ts [--quick]` or `npm run bench -- [--quick] --only=bulk-import`.
 */

const FULL_ROWS = 100_000;
const QUICK_ROWS = 10_000;
const TARGET_MS = 60_000;
const TARGET_RSS_MB = 1024;

const self = fileURLToPath(import.meta.url);

/** Rows of the file with an existing patient of the same СНИЛС / of the same name + birth date + phone. */
const snilsMatch = (i: number) => i % 20 === 0;
const identityMatch = (i: number) => i % 50 === 7;

interface StageTimes {
  parse: number;
  validate: number;
  store: number;
  duplicates: number;
  commit: number;
  verify: number;
}

/** Wall time and this process's CPU time (user + system) of a stage: the machine may be shared. */
interface Stage {
  ms: number;
  cpuMs: number;
}

interface MainResult {
  kind: 'main';
  rows: number;
  existing: number;
  batches: number;
  chunkRows: number;
  seedMs: number;
  ms: StageTimes;
  cpuMs: StageTimes;
  totalMs: number;
  totalCpuMs: number;
  peakRssMb: number;
  sampledPeakRssMb: number;
  peakHeapMb: number;
  counts: { valid: number; withSnilsCandidate: number; withIdentityCandidate: number; created: number; linked: number; skipped: number; rejected: number; sms: number; accounts: number; requests: number; patients: number; duplicateSnils: number };
}

interface BaselineResult {
  kind: 'baseline';
  rows: number;
  rawParseMs: number;
  rawInsertMs: number;
  rawParseCpuMs: number;
  rawInsertCpuMs: number;
  peakRssMb: number;
  peakHeapMb: number;
}

// ─── memory sampling (in each child) ────────────────────────────────────────────────────────

let peakRss = 0;
let peakHeap = 0;
function sample(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}
/** Every 100 ms while the event loop is free, plus at every stage boundary; maxRSS (kernel) catches spikes inside synchronous work. */
function startSampler(): () => void {
  sample();
  const t = setInterval(sample, 100);
  t.unref();
  return () => {
    clearInterval(t);
    sample();
  };
}
const mb = (bytes: number) => bytes / 1024 / 1024;
const kernelPeakRssMb = () => process.resourceUsage().maxRSS / 1024;

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, Stage]> {
  sample();
  const started = performance.now();
  const cpu = cpuNow();
  const out = await fn();
  const stage = { ms: performance.now() - started, cpuMs: cpuNow() - cpu };
  sample();
  return [out, stage];
}

// ─── setup helpers ──────────────────────────────────────────────────────────────────────────

async function freshDb(dir: string): Promise<{ db: Db; config: ServerConfig }> {
  const config: ServerConfig = {
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    database: { kind: 'sqlite', file: path.join(dir, 'oblako.sqlite') },
    demo: false,
    production: false,
    sessionTtlHours: 12,
    bodyLimitBytes: 1_048_576,
    publicUrl: 'http://127.0.0.1:8780/',
    importChunkRows: importChunkRows(process.env),
  };
  const db = process.env.OBLAKO_BENCH_QUERY_STATS === '1' ? withQueryStats(openDatabase(config.database)) : openDatabase(config.database);
  await migrateToLatest(db);
  return { db, config };
}

/**
 * `OBLAKO_BENCH_QUERY_STATS=1`: the child prints to stderr the statements that took the most
 * time in all (SQL text with IN-lists folded), to find a slow stage's cause.
 */
const queryStats = new Map<string, { n: number; ms: number }>();
function withQueryStats(db: Db): Db {
  const inner = db.kysely as unknown as { getExecutor(): { executeQuery: (...a: unknown[]) => Promise<unknown> } };
  const exec = inner.getExecutor();
  const proto = Object.getPrototypeOf(exec) as { executeQuery: (this: unknown, q: { sql: string }, ...rest: unknown[]) => Promise<unknown> };
  const original = proto.executeQuery;
  proto.executeQuery = async function (this: unknown, q: { sql: string }, ...rest: unknown[]) {
    const started = performance.now();
    try {
      return await original.call(this, q, ...rest);
    } finally {
      const key = q.sql.replace(/\(\?(, \?)*\)/g, '(…)').replace(/(\(…\), )+\(…\)/g, '(…)×n').slice(0, 220);
      const e = queryStats.get(key) ?? { n: 0, ms: 0 };
      e.n += 1;
      e.ms += performance.now() - started;
      queryStats.set(key, e);
    }
  };
  process.on('exit', () => {
    const top = [...queryStats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
    for (const [q, e] of top) process.stderr.write(`${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(7)}× ${q}\n`);
  });
  return db;
}

const serialToIso = (serial: number) => new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
const digitsOf = (s: string) => s.replace(/\D/g, '');

/**
 * N existing patients straight into the table (one prepared INSERT, one transaction): the file's
 * rows are replayed from the generator (same seed, same order) to build the matching ones.
 */
function seedExisting(file: string, rows: number, createdBy: string): void {
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const insert = sqlite.prepare(
    `INSERT INTO patients (id, last_name, first_name, middle_name, sex, birth_date, snils, enp, phone, region, referring_organization, attending_physician, referred_by, created_by, created_at, updated_at, stage)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 'imported')`,
  );
  const now = new Date().toISOString();
  const fileRandom = lcg(1); // generateReferralXlsx's default seed
  const ownRandom = lcg(77);
  sqlite.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      const row = referralRow(i, fileRandom);
      const female = row[4] === 'ж';
      const sex = female ? 'female' : 'male';
      const birth = serialToIso(row[5] as number);
      const phone = `+7${digitsOf(String(row[8])).slice(-10)}`;
      const ownSnils = makeSnilsNumber(ownRandom, 50_000_000 + i);
      const ownEnp = makeEnpNumber(ownRandom);
      if (snilsMatch(i)) {
        // Same СНИЛС, recorded earlier under another surname and phone.
        insert.run(crypto.randomUUID(), 'Ранее-Записанный', 'Пациент', null, sex, birth, digitsOf(String(row[6])), ownEnp, '+79990000000', '77', 'Поликлиника', 'Врач', createdBy, now, now);
      } else if (identityMatch(i)) {
        // Same person by surname + name + birth date + phone, but another СНИЛС and no ЕНП.
        insert.run(crypto.randomUUID(), row[1], row[2], row[3], sex, birth, ownSnils, null, phone, '16', 'Поликлиника', 'Врач', createdBy, now, now);
      } else {
        insert.run(crypto.randomUUID(), 'Существующий', female ? 'Мария' : 'Иван', null, sex, birth, ownSnils, ownEnp, `+7${9_300_000_000 + i}`, '77', 'Поликлиника', 'Врач', createdBy, now, now);
      }
    }
  })();
  sqlite.close();
}

function actorOf(u: { id: string; role: string }): Actor {
  return { userId: u.id, role: Role.parse(u.role), centre: null, patientId: null, isDuty: false, sessionId: 'bench', mustChangePassword: false };
}

// ─── the children ───────────────────────────────────────────────────────────────────────────

async function runMain(file: string, rows: number): Promise<MainResult> {
  const stop = startSampler();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oblako-bulk-'));
  const { db, config } = await freshDb(dir);
  const ctx: AppContext = { config, db, pokes: { poke: () => undefined } };
  try {
    const k = db.kysely;
    const password = 'bench-password-123';
    const phys = await createUser(k, { login: 'bench-phys', password, role: 'physician', fullName: 'Сидоров Сергей Петрович' }, null);
    const mgr = await createUser(k, { login: 'bench-manager', password, role: 'manager', fullName: 'Руководитель проекта' }, null);
    const physician = actorOf({ id: phys.id, role: 'physician' });
    const manager = actorOf({ id: mgr.id, role: 'manager' });
    const seedStarted = performance.now();
    seedExisting((config.database as { file: string }).file, rows, mgr.id);
    const seedMs = performance.now() - seedStarted;
    const existing = Number((await k.selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    const totalStarted = performance.now();
    const totalCpu = cpuNow();
    // 1. parse: the CLI reads the whole file, then the shared streaming reader.
    const [wb, parseMs] = await timed(async () => readXlsx(new Uint8Array(readFileSync(file))));
    // 2. validate: the shared engine, then the CLI's per-row schema check.
    const [batchRows, validateMs] = await timed(() => {
      const analysis = analyseWorkbook(wb.sheets, { date1904: wb.date1904 });
      wb.sheets.length = 0; // the matrices are not needed past here (the CLI lets them go the same way)
      const out: ReferralBatchRow[] = [];
      for (const r of analysis.rows) {
        if (r.errors.length > 0) continue;
        const parsed = ReferralBatchRow.safeParse({ row: r.row, fields: r.fields });
        if (parsed.success) out.push(parsed.data);
      }
      return out;
    });
    if (batchRows.length !== rows) throw new Error(`expected ${rows} valid rows, the engine passed ${batchRows.length}`);
    const fileHash = crypto.createHash('sha256').update(readFileSync(file)).digest('hex');
    // 3. store: batches of at most REFERRAL_BATCH_MAX_ROWS (the server's limit per batch).
    const [batchIds, storeMs] = await timed(async () => {
      const ids: string[] = [];
      for (let i = 0; i < batchRows.length; i += REFERRAL_BATCH_MAX_ROWS) {
        const input = validateReferralSubmit({
          id: crypto.randomUUID(),
          title: `Импорт из файла ${path.basename(file)}, часть ${ids.length + 1}`,
          fileName: path.basename(file),
          fileHash,
          rows: batchRows.slice(i, i + REFERRAL_BATCH_MAX_ROWS),
        });
        ids.push((await writeTransaction(ctx, (w) => submitReferralBatch(w, physician, input))).id);
      }
      return ids;
    });
    batchRows.length = 0;
    // 4. duplicate check: what the manager's screen asks for, every batch against all patients.
    const [dup, duplicatesMs] = await timed(async () => {
      let withSnils = 0;
      let withIdentity = 0;
      for (const id of batchIds) {
        const d = await findDuplicateCandidates(k, manager, id);
        for (const r of d.rows) {
          if (r.candidates.some((c) => c.why.includes('snils'))) withSnils += 1;
          if (r.candidates.some((c) => c.why.includes('name_birth_phone'))) withIdentity += 1;
        }
      }
      return { withSnils, withIdentity };
    });
    // 5. commit: the import job of every batch with the CLI's default decisions (undecided rows skipped).
    const [, commitMs] = await timed(async () => {
      for (const id of batchIds) {
        const handle = await commitBatchImport(ctx, manager, id, { undecided: 'skip' });
        await handle.finished;
        const status = await getImportStatus(k, manager, id);
        if (status.status !== 'imported') throw new Error(`batch ${id}: ${status.status}, ${status.error ?? 'no error reported'}`);
      }
    });
    const totalMs = performance.now() - totalStarted;
    const totalCpuMs = cpuNow() - totalCpu;
    // 6. verify (not part of the total).
    const [counts, verifyMs] = await timed(async () => {
      const count = async (q: RawBuilder<{ n: number }>) => Number((await q.execute(k)).rows[0]?.n ?? 0);
      const outcomes = await k.selectFrom('batch_import_rows').select(['outcome', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('outcome').execute();
      const by = (o: string) => Number(outcomes.find((x) => x.outcome === o)?.n ?? 0);
      return {
        valid: rows,
        withSnilsCandidate: dup.withSnils,
        withIdentityCandidate: dup.withIdentity,
        created: by('created'),
        linked: by('linked'),
        skipped: by('skipped'),
        rejected: by('rejected'),
        sms: await count(sql<{ n: number }>`SELECT count(*) AS n FROM sms_outbox WHERE kind = 'credentials' AND status = 'queued'`),
        accounts: await count(sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE role = 'patient'`),
        requests: await count(sql<{ n: number }>`SELECT count(*) AS n FROM consultation_requests`),
        patients: await count(sql<{ n: number }>`SELECT count(*) AS n FROM patients`),
        duplicateSnils: await count(sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT snils FROM patients WHERE snils IS NOT NULL GROUP BY snils HAVING count(*) > 1) d`),
      };
    });
    stop();
    return {
      kind: 'main',
      rows,
      existing,
      batches: batchIds.length,
      chunkRows: config.importChunkRows,
      seedMs,
      ms: { parse: parseMs.ms, validate: validateMs.ms, store: storeMs.ms, duplicates: duplicatesMs.ms, commit: commitMs.ms, verify: verifyMs.ms },
      cpuMs: { parse: parseMs.cpuMs, validate: validateMs.cpuMs, store: storeMs.cpuMs, duplicates: duplicatesMs.cpuMs, commit: commitMs.cpuMs, verify: verifyMs.cpuMs },
      totalMs,
      totalCpuMs,
      peakRssMb: Math.max(mb(peakRss), kernelPeakRssMb()),
      sampledPeakRssMb: mb(peakRss),
      peakHeapMb: mb(peakHeap),
      counts,
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBaseline(file: string, rows: number): Promise<BaselineResult> {
  const stop = startSampler();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oblako-bulk-raw-'));
  const { db } = await freshDb(dir);
  try {
    const [, rawParseMs] = await timed(async () => readXlsx(new Uint8Array(readFileSync(file))));
    const now = new Date().toISOString();
    const r = lcg(5);
    const values = Array.from({ length: rows }, (_, j) => ({
      id: crypto.randomUUID(),
      last_name: 'Иванов',
      first_name: 'Иван',
      middle_name: 'Иванович',
      sex: 'male',
      birth_date: serialToIso(10_000 + (j % 29_989)),
      snils: makeSnilsNumber(r, j + 1),
      enp: makeEnpNumber(r),
      phone: `+7${9_100_000_000 + j}`,
      region: '16',
      referring_organization: 'ГБУЗ «Областная клиническая больница № 1»',
      attending_physician: 'Сидоров Сергей Петрович',
      referred_by: null,
      created_by: null,
      created_at: now,
      updated_at: now,
    }));
    const [, rawInsertMs] = await timed(() =>
      db.kysely.transaction().execute(async (tx) => {
        for (let i = 0; i < values.length; i += 500) await tx.insertInto('patients').values(values.slice(i, i + 500)).execute();
      }),
    );
    stop();
    return { kind: 'baseline', rows, rawParseMs: rawParseMs.ms, rawInsertMs: rawInsertMs.ms, rawParseCpuMs: rawParseMs.cpuMs, rawInsertCpuMs: rawInsertMs.cpuMs, peakRssMb: Math.max(mb(peakRss), kernelPeakRssMb()), peakHeapMb: mb(peakHeap) };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ─── the parent ─────────────────────────────────────────────────────────────────────────────

function runChild<T>(mode: 'main' | 'baseline', file: string, rows: number): T {
  const out = path.join(os.tmpdir(), `oblako-bulk-${process.pid}-${mode}-${Date.now()}.json`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file, String(rows), out], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`bulk-import ${mode} failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as T;
  rmSync(out, { force: true });
  return result;
}

export interface BulkImportFigures {
  rows: number;
  fileBytes: number;
  main: MainResult;
  baseline: BaselineResult;
}

export function benchBulkImport(rows: number): BulkImportFigures {
  const dir = path.join(os.tmpdir(), 'oblako-bench');
  mkdirSync(dir, { recursive: true });
  // The same cached file as bench/referral-import.ts (same generator, same seed).
  const file = path.join(dir, `referral-v2-${rows}.xlsx`);
  if (!existsSync(file)) writeFileSync(file, generateReferralXlsx(rows));
  const fileBytes = readFileSync(file).byteLength;
  const baseline = runChild<BaselineResult>('baseline', file, rows);
  const main = runChild<MainResult>('main', file, rows);
  return { rows, fileBytes, main, baseline };
}

/** Throws when the import did not produce what the file and the seeded patients call for. */
export function checkBulkImport(f: BulkImportFigures): void {
  const c = f.main.counts;
  let expSnils = 0;
  let expIdentity = 0;
  for (let i = 1; i <= f.rows; i++) {
    if (snilsMatch(i)) expSnils += 1;
    else if (identityMatch(i)) expIdentity += 1;
  }
  const expCreated = f.rows - expSnils - expIdentity;
  const problems: string[] = [];
  const want = (what: string, got: number, exp: number) => {
    if (got !== exp) problems.push(`${what}: ${got}, expected ${exp}`);
  };
  want('rows with a СНИЛС candidate', c.withSnilsCandidate, expSnils);
  want('rows with a name+birth+phone candidate', c.withIdentityCandidate, expIdentity);
  want('created + linked + skipped + rejected', c.created + c.linked + c.skipped + c.rejected, f.rows);
  want('created', c.created, expCreated);
  want('linked (same СНИЛС)', c.linked, expSnils);
  want('skipped (undecided)', c.skipped, expIdentity);
  want('rejected', c.rejected, 0);
  want('credentials SMS queued', c.sms, c.created);
  want('patient accounts', c.accounts, c.created);
  want('requests', c.requests, c.created + c.linked);
  want('patients', c.patients, f.main.existing + c.created);
  want('СНИЛС held by more than one patient', c.duplicateSnils, 0);
  if (problems.length > 0) throw new Error(`bulk import verification failed:\n  ${problems.join('\n  ')}`);
}

export function printBulkImport(f: BulkImportFigures, quick: boolean): void {
  const fmt = (x: number) => Math.round(x).toLocaleString('ru-RU');
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const { main: m, baseline: b } = f;
  const rate = (ms: number) => fmt((f.rows / ms) * 1000);
  console.log(
    `\nМассовый импорт (${quick ? 'быстрый режим' : 'полный режим'}): ${fmt(f.rows)} строк (файл ${(f.fileBytes / 1024 / 1024).toFixed(1)} МБ) против ${fmt(m.existing)} существующих пациентов; ` +
      `${m.batches} таблиц по ≤ ${fmt(REFERRAL_BATCH_MAX_ROWS)} строк, транзакции по ${m.chunkRows} строк; SQLite (WAL, synchronous=FULL)`,
  );
  console.log(`(подготовка, вне итога: ${fmt(m.existing)} пациентов записаны напрямую за ${s(m.seedMs)} с)`);
  console.log('stage                                   | wall, s | CPU, s  | rows/s     | baseline, s | ÷ baseline');
  const line = (name: string, ms: number, cpu: number, base?: number) =>
    console.log(`${name.padEnd(39)} | ${s(ms).padStart(7)} | ${s(cpu).padStart(7)} | ${rate(ms).padStart(10)} | ${(base === undefined ? '' : s(base)).padStart(11)} | ${base === undefined ? '' : (ms / base).toFixed(2)}`);
  line('parse (streaming reader)', m.ms.parse, m.cpuMs.parse, b.rawParseMs);
  line('validate (shared engine + row schema)', m.ms.validate, m.cpuMs.validate);
  line(`store (${m.batches} batches, server validation)`, m.ms.store, m.cpuMs.store);
  line('duplicate check (all rows vs existing)', m.ms.duplicates, m.cpuMs.duplicates);
  line('commit (job: patients, accounts, SMS)', m.ms.commit, m.cpuMs.commit, b.rawInsertMs);
  line('total', m.totalMs, m.totalCpuMs, b.rawParseMs + b.rawInsertMs);
  console.log(`baseline CPU: raw parse ${s(b.rawParseCpuMs)} s, raw insert ${s(b.rawInsertCpuMs)} s (wall > CPU means the process waited: the 2 cores are shared)`);
  console.log(`raw parse ${s(b.rawParseMs)} s + raw insert of ${fmt(f.rows)} patients ${s(b.rawInsertMs)} s (${rate(b.rawInsertMs)} rows/s) = ${s(b.rawParseMs + b.rawInsertMs)} s; total ÷ baseline ${(m.totalMs / (b.rawParseMs + b.rawInsertMs)).toFixed(1)}`);
  console.log(`peak RSS ${fmt(m.peakRssMb)} MB (sampled every 100 ms: ${fmt(m.sampledPeakRssMb)} MB), peak heapUsed ${fmt(m.peakHeapMb)} MB; baseline process: RSS ${fmt(b.peakRssMb)} MB, heapUsed ${fmt(b.peakHeapMb)} MB`);
  const c = m.counts;
  console.log(
    `verified: created ${fmt(c.created)} + linked ${fmt(c.linked)} + skipped ${fmt(c.skipped)} + rejected ${fmt(c.rejected)} = ${fmt(f.rows)} rows; ` +
      `SMS queued ${fmt(c.sms)}, accounts ${fmt(c.accounts)}, requests ${fmt(c.requests)}; candidates: СНИЛС ${fmt(c.withSnilsCandidate)}, name+birth+phone ${fmt(c.withIdentityCandidate)}; duplicate СНИЛС 0 (check ${s(m.ms.verify)} s)`,
  );
  if (quick) {
    const factor = FULL_ROWS / f.rows;
    console.log(`extrapolated linearly to ${fmt(FULL_ROWS)} rows: ~${s(m.totalMs * factor)} s (target < ${TARGET_MS / 1000} s) — a lower bound: a statement that scans a growing table grows faster than linearly; the targets are judged in the full run only`);
  } else {
    const ok = m.totalMs < TARGET_MS && m.peakRssMb < TARGET_RSS_MB;
    console.log(`${ok ? 'PASS' : 'FAIL'}: total ${s(m.totalMs)} s (target < ${TARGET_MS / 1000} s), peak RSS ${fmt(m.peakRssMb)} MB (target < ${fmt(TARGET_RSS_MB)} MB)`);
  }
}

/** What `bench/run.ts` calls. */
export function runBulkImportBench(quick: boolean): void {
  const f = benchBulkImport(quick ? QUICK_ROWS : FULL_ROWS);
  printBulkImport(f, quick);
  checkBulkImport(f);
}

const argv = process.argv;
if (argv[1] && path.resolve(argv[1]) === self) {
  const ci = argv.indexOf('--child');
  if (ci >= 0) {
    const [mode, file, rows, out] = argv.slice(ci + 1) as ['main' | 'baseline', string, string, string];
    const result = mode === 'main' ? await runMain(file, Number(rows)) : await runBaseline(file, Number(rows));
    writeFileSync(out, JSON.stringify(result));
  } else {
    runBulkImportBench(argv.includes('--quick'));
  }
}
