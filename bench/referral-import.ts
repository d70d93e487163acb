import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as XLSX from 'xlsx';
import { generateReferralXlsx } from '../shared/referral/fixtures/generate.js';
import { analyseWorkbook, readXlsx } from '../shared/referral/index.js';

/**
 * Referral-table import: the whole pipeline (guards, streaming parse, sheet choice, mapping,
 * normalisation, validation, duplicates) next to a raw parse of the same file by SheetJS alone
 * (dense mode, no formulas/HTML/text/styles), each in its own child process so that each peak
 * RSS is its own. `tsx bench/referral-import.ts [--quick]` or through `npm run bench`.
 */
export interface ReferralImportFigures {
  rows: number;
  fileBytes: number;
  rawMs: number;
  rawPeakRssMb: number;
  pipelineMs: number;
  pipelinePeakRssMb: number;
  valid: number;
}

interface ChildResult {
  ms: number;
  peakRssMb: number;
  valid?: number;
}

const self = fileURLToPath(import.meta.url);

async function child(mode: 'raw' | 'pipeline', file: string): Promise<ChildResult> {
  const bytes = new Uint8Array(readFileSync(file));
  const started = performance.now();
  let valid: number | undefined;
  if (mode === 'raw') {
    XLSX.read(bytes, { type: 'array', dense: true, cellFormula: false, cellHTML: false, cellText: false, cellNF: false, cellStyles: false, cellDates: false });
  } else {
    const wb = await readXlsx(bytes, { maxRows: 1_000_000 });
    valid = analyseWorkbook(wb.sheets, { date1904: wb.date1904 }).summary.valid;
  }
  const ms = performance.now() - started;
  return { ms, peakRssMb: process.resourceUsage().maxRSS / 1024, valid };
}

function runChild(mode: 'raw' | 'pipeline', file: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

export function benchReferralImport(rows: number): ReferralImportFigures {
  const dir = path.join(os.tmpdir(), 'oblako-bench');
  mkdirSync(dir, { recursive: true });
  // Cached between runs; bump the version when the generator changes.
  const file = path.join(dir, `referral-v2-${rows}.xlsx`);
  if (!existsSync(file)) writeFileSync(file, generateReferralXlsx(rows));
  const fileBytes = readFileSync(file).byteLength;
  // Raw first, then the pipeline, then raw again: the better raw figure is the baseline.
  const raw1 = runChild('raw', file);
  const pipe = runChild('pipeline', file);
  const raw2 = runChild('raw', file);
  const raw = raw1.ms <= raw2.ms ? raw1 : raw2;
  return {
    rows,
    fileBytes,
    rawMs: raw.ms,
    rawPeakRssMb: Math.max(raw1.peakRssMb, raw2.peakRssMb),
    pipelineMs: pipe.ms,
    pipelinePeakRssMb: pipe.peakRssMb,
    valid: pipe.valid ?? 0,
  };
}

export function printReferralImport(f: ReferralImportFigures, quick: boolean): void {
  const fmt = (x: number) => Math.round(x).toLocaleString('ru-RU');
  console.log(`\nИмпорт таблицы направлений (${quick ? 'быстрый режим' : 'полный режим'}): ${fmt(f.rows)} строк × 20 колонок, файл ${(f.fileBytes / 1024 / 1024).toFixed(1)} МБ`);
  console.log('stage                    | ms      | rows/s     | peak RSS, MB');
  console.log(`raw SheetJS parse        | ${fmt(f.rawMs).padStart(7)} | ${fmt((f.rows / f.rawMs) * 1000).padStart(10)} | ${fmt(f.rawPeakRssMb).padStart(6)}`);
  console.log(`parse+map+validate       | ${fmt(f.pipelineMs).padStart(7)} | ${fmt((f.rows / f.pipelineMs) * 1000).padStart(10)} | ${fmt(f.pipelinePeakRssMb).padStart(6)}`);
  console.log(`pipeline ÷ raw: ${(f.pipelineMs / f.rawMs).toFixed(2)} (target ≤ 1.5), peak ${fmt(f.pipelinePeakRssMb)} MB (target < 500), valid rows ${fmt(f.valid)} of ${fmt(f.rows)}`);
}

/** What `bench/run.ts` calls. */
export function runReferralImportBench(quick: boolean): void {
  printReferralImport(benchReferralImport(quick ? 10_000 : 100_000), quick);
}

const argv = process.argv;
if (argv[1] && path.resolve(argv[1]) === self) {
  const ci = argv.indexOf('--child');
  if (ci >= 0) {
    const result = await child(argv[ci + 1] as 'raw' | 'pipeline', argv[ci + 2]!);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    runReferralImportBench(argv.includes('--quick'));
  }
}
