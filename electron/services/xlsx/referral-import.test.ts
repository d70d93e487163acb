import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERRAL_FILE_ERROR_CODES as F, ReferralFileError } from '../../../shared/referral/codes.js';
import { generateReferralXlsx } from '../../../shared/referral/fixtures/generate.js';
import { startReferralImport, type ImportProgress } from './referral-import.js';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'oblako-xlsx-worker-'));
  file = path.join(dir, 'table.xlsx');
  await writeFile(file, generateReferralXlsx(5000));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ReferralFileError);
    return (e as ReferralFileError).code;
  }
  throw new Error('expected a rejection');
}

describe('referral import in a worker thread', () => {
  it('parses off the main thread and reports progress up to the last row', async () => {
    const progress: ImportProgress[] = [];
    const job = startReferralImport({ path: file }, { onProgress: (p) => progress.push(p), options: { today: '2026-06-01' } });
    const a = await job.result;
    expect(a.summary).toMatchObject({ total: 5000, valid: 5000, invalid: 0 });
    expect(progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['read', 'parse', 'analyse']));
    const last = progress.at(-1)!;
    expect(last).toEqual({ stage: 'analyse', done: 5002, total: 5002 });
  }, 60_000);

  it('takes bytes as well as a path, and leaves the caller’s buffer intact', async () => {
    const bytes = generateReferralXlsx(20);
    const a = await startReferralImport({ bytes }).result;
    expect(a.summary.total).toBe(20);
    expect(bytes.byteLength).toBeGreaterThan(0);
    // A Node Buffer (as decoded from base64 by the RPC handler) too: it must not be detached.
    const buffer = Buffer.from(bytes);
    const b = await startReferralImport({ bytes: buffer }).result;
    expect(b.summary.total).toBe(20);
    expect(buffer.byteLength).toBe(bytes.byteLength);
  }, 60_000);

  it('can be cancelled, by the job or by an AbortSignal', async () => {
    const job = startReferralImport({ path: file });
    job.cancel();
    expect(await codeOf(job.result)).toBe(F.CANCELLED);
    const ac = new AbortController();
    const job2 = startReferralImport({ path: file }, { signal: ac.signal, onProgress: (p) => p.stage === 'parse' && ac.abort() });
    expect(await codeOf(job2.result)).toBe(F.CANCELLED);
  }, 60_000);

  it('reports file errors as data', async () => {
    const bad = path.join(dir, 'bad.xlsx');
    await writeFile(bad, 'not a spreadsheet');
    expect(await codeOf(startReferralImport({ path: bad }).result)).toBe(F.NOT_XLSX);
    expect(await codeOf(startReferralImport({ path: path.join(dir, 'missing.xlsx') }).result)).toBe(F.UNREADABLE);
  }, 60_000);
});
